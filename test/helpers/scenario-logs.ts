import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventLog, type SyntheticApp, type SyntheticTask } from './synthetic-log.js';

const ok = (count: number, durationMs: number, extra: Partial<SyntheticTask> = {}): SyntheticTask[] =>
  Array.from({ length: count }, () => ({ durationMs, ...extra }));

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/**
 * A nightly aggregation on preemptible nodes with the external shuffle service on (port 7337): executor 3's node
 * is preempted while the reduce stage (1) reads the map output, taking the executor and the node's shuffle service
 * with it, so its running tasks fail with ExecutorLostFailure and the others cannot fetch the blocks from 7337.
 * Spark reruns the lost map tasks (stage 0, attempt 1) and then stage 1 (attempt 1). The shuffle service cannot help
 * when its node goes; decommissioning with shuffle-block migration moves the blocks before the node leaves.
 */
const retriedStagesLostExecutor: SyntheticApp = {
  appId: 'app-scenario-lost-executor',
  name: 'nightly sales rollup',
  startTime: 1_700_000_000_000,
  sparkProperties: {
    'spark.dynamicAllocation.enabled': 'false',
    'spark.shuffle.service.enabled': 'true',
    'spark.shuffle.service.port': '7337',
    'spark.sql.shuffle.partitions': '8',
    'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  },
  executors: [
    { id: '1', host: 'node-a', cores: 4 },
    { id: '2', host: 'node-b', cores: 4 },
    { id: '3', host: 'node-c', cores: 4, removedAfterMs: 24_000, removeReason: 'Node node-c was preempted by the cluster manager' },
  ],
  jobs: [{
    jobId: 0,
    description: 'rollup: groupBy(store, day).agg(sum(amount)) then write',
    stages: [
      {
        stageId: 0,
        name: 'scan sales',
        tasks: ok(12, 6_000, { inputBytes: 128 * MiB, shuffleWriteBytes: 40 * MiB }),
      },
      {
        stageId: 1,
        attemptId: 0,
        name: 'aggregate and write',
        parentIds: [0],
        failureReason:
          'org.apache.spark.shuffle.FetchFailedException: Failed to connect to node-c/10.0.0.3:7337 ' +
          '(map output of executor 3 is gone)',
        tasks: [
          ...ok(4, 5_000, { shuffleReadBytes: 60 * MiB }),
          { durationMs: 4_000, executorId: '3', failure: 'ExecutorLostFailure', failureDetail: 'Node node-c was preempted by the cluster manager' },
          { durationMs: 4_000, executorId: '3', failure: 'ExecutorLostFailure', failureDetail: 'Node node-c was preempted by the cluster manager' },
          { durationMs: 2_000, executorId: '1', failure: 'FetchFailed', failureDetail: 'Failed to connect to node-c/10.0.0.3:7337' },
          { durationMs: 2_000, executorId: '2', failure: 'FetchFailed', failureDetail: 'Failed to connect to node-c/10.0.0.3:7337' },
        ],
      },
      {
        stageId: 0,
        attemptId: 1,
        name: 'scan sales',
        tasks: ok(4, 6_000, { executorId: '1', inputBytes: 128 * MiB, shuffleWriteBytes: 40 * MiB }).map((task, i) => ({ ...task, index: 8 + i })),
      },
      {
        stageId: 1,
        attemptId: 1,
        name: 'aggregate and write',
        parentIds: [0],
        tasks: ok(8, 5_000, { shuffleReadBytes: 60 * MiB, outputBytes: GiB / 16 }).map((task, i) => ({ ...task, executorId: i % 2 === 0 ? '1' : '2' })),
      },
    ],
  }],
};

/** The event log every log-reading scenario ships, by file name under src/learning/scenarios/logs/. */
export const scenarioLogs: Readonly<Record<string, SyntheticApp>> = {
  'retried-stages-lost-executor.json': retriedStagesLostExecutor,
};

/** The text of a scenario's log, exactly as committed (the synthetic-log helper is deterministic for a spec). */
export function scenarioLogText(file: string): string {
  const spec = scenarioLogs[file];
  if (!spec) throw new Error(`no spec for scenario log ${file}`);
  return buildEventLog(spec);
}

/** Writes every scenario log into `dir` and returns their paths. */
export function writeScenarioLogs(dir: string): string[] {
  return Object.keys(scenarioLogs).map((file) => {
    const path = join(dir, file);
    writeFileSync(path, scenarioLogText(file));
    return path;
  });
}
