import { repeatTask, type SyntheticApp } from './synthetic-log.js';

const MB = 1024 * 1024;

/**
 * Two runs of one ETL whose difference is planted: in the candidate the join stage reads 3x the shuffle bytes
 * and one partition holds most of it (skew), the map stage is 0.5 s slower, the write stage 1 s faster, and a
 * small cache stage runs first (so every later stage id is shifted by one).
 */
export function plantedRegressionPair(): { base: SyntheticApp; candidate: SyntheticApp } {
  const lineage = (name: string, callsite: string) => [{ 'RDD ID': 1, Name: name, Callsite: callsite, 'Parent IDs': [] }];
  const run = (appId: string, slower: boolean): SyntheticApp => {
    const shift = slower ? 1 : 0;
    const jobs: SyntheticApp['jobs'] = [];
    if (slower) {
      jobs.push({ jobId: 0, stages: [{ stageId: 0, name: 'cache at Etl.scala:5', tasks: repeatTask(4, { durationMs: 500 }) }] });
    }
    jobs.push(
      { jobId: shift, stages: [{ stageId: shift, name: 'load at Etl.scala:10', rddInfo: lineage('FileScanRDD', 'load at Etl.scala:10'), tasks: repeatTask(8, { durationMs: 1_500, inputBytes: 64 * MB }) }] },
      {
        jobId: 1 + shift,
        stages: [
          { stageId: 1 + shift, name: 'map at Etl.scala:40', rddInfo: lineage('MapPartitionsRDD', 'map at Etl.scala:40'), tasks: repeatTask(20, { durationMs: slower ? 3_500 : 3_000, shuffleWriteBytes: 100 * MB }) },
          {
            stageId: 2 + shift,
            parentIds: [1 + shift],
            name: 'join at Etl.scala:88',
            rddInfo: lineage('ShuffledRDD', 'join at Etl.scala:88'),
            tasks: slower
              ? [...repeatTask(19, { durationMs: 2_500, shuffleReadBytes: 250 * MB }), { durationMs: 20_000, shuffleReadBytes: 1_250 * MB }]
              : repeatTask(20, { durationMs: 2_000, shuffleReadBytes: 100 * MB }),
          },
        ],
      },
      { jobId: 2 + shift, stages: [{ stageId: 3 + shift, name: 'save at Etl.scala:120', rddInfo: lineage('MapPartitionsRDD', 'save at Etl.scala:120'), tasks: repeatTask(8, { durationMs: slower ? 3_000 : 4_000, outputBytes: 32 * MB }) }] },
    );
    return {
      appId,
      name: 'nightly-etl',
      sparkVersion: '3.5.1',
      sparkProperties: { 'spark.sql.shuffle.partitions': slower ? '20' : '200', 'spark.executor.memory': '4g' },
      executors: [{ id: '1', cores: 4 }, { id: '2', cores: 4 }],
      jobs,
    };
  };
  return { base: run('app-etl-monday', false), candidate: run('app-etl-tuesday', true) };
}
