import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventLog, type SyntheticApp, type SyntheticPlanNode, type SyntheticTask } from './synthetic-log.js';

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** `count` tasks of `durationMs` with the same extra metrics; executors round-robin over `executors`. */
const tasks = (count: number, durationMs: number, extra: Partial<SyntheticTask> = {}, executors: string[] = ['1', '2', '3', '4']): SyntheticTask[] =>
  Array.from({ length: count }, (_, i) => ({ durationMs, executorId: executors[i % executors.length], ...extra }));

/** The daily sales report's physical plan: a sort-merge join of orders with a tiny stores table, then an aggregate. */
const salesReportPlan: SyntheticPlanNode = {
  name: 'HashAggregate',
  simpleString: 'HashAggregate(keys=[store_id#12, day#3], functions=[sum(amount#7)])',
  metrics: [
    { name: 'number of output rows', value: 36_500, stageId: 2 },
    { name: 'spill size', type: 'size', value: 3 * GiB, stageId: 2 },
    { name: 'time in aggregation build', type: 'timing', value: 140_000, stageId: 2 },
  ],
  children: [{
    name: 'SortMergeJoin',
    simpleString: 'SortMergeJoin [store_id#12], [id#20], Inner',
    metrics: [{ name: 'number of output rows', value: 48_000_000, stageId: 2 }],
    children: [
      {
        name: 'Sort',
        simpleString: 'Sort [store_id#12 ASC NULLS FIRST], false, 0',
        metrics: [{ name: 'sort time', type: 'timing', value: 38_000, stageId: 2 }],
        children: [{
          name: 'Exchange',
          simpleString: 'Exchange hashpartitioning(store_id#12, 16), ENSURE_REQUIREMENTS',
          metrics: [
            { name: 'data size', type: 'size', value: 6 * GiB, stageId: 0 },
            { name: 'shuffle write time', type: 'nsTiming', value: 24e9, stageId: 0 },
            { name: 'shuffle records written', value: 48_000_000, stageId: 0 },
          ],
          children: [{
            name: 'Scan parquet sales.orders',
            simpleString: 'FileScan parquet sales.orders[store_id#12,day#3,amount#7]',
            metrics: [
              { name: 'number of output rows', value: 48_000_000, stageId: 0 },
              { name: 'number of files read', value: 32 },
              { name: 'size of files read', type: 'size', value: 4 * GiB },
            ],
          }],
        }],
      },
      {
        name: 'Sort',
        simpleString: 'Sort [id#20 ASC NULLS FIRST], false, 0',
        metrics: [{ name: 'sort time', type: 'timing', value: 200, stageId: 2 }],
        children: [{
          name: 'Exchange',
          simpleString: 'Exchange hashpartitioning(id#20, 16), ENSURE_REQUIREMENTS',
          metrics: [
            { name: 'data size', type: 'size', value: 2 * MiB, stageId: 1 },
            { name: 'shuffle write time', type: 'nsTiming', value: 1e8, stageId: 1 },
          ],
          children: [{
            name: 'Scan parquet sales.stores',
            simpleString: 'FileScan parquet sales.stores[id#20,region#21]',
            metrics: [{ name: 'number of output rows', value: 1_200, stageId: 1 }],
          }],
        }],
      },
    ],
  }],
};

/**
 * A SQL report over a week of orders on 4 executors of 4 cores. The orders are joined with a 2 MiB stores table
 * by a sort-merge join (the planner had no size estimate); one store holds most orders, so one reduce task reads
 * 1.5 GiB and spills while its 15 siblings read 300 MiB; that stage's tasks also spend a quarter of their time in GC.
 */
const dailySalesReport: SyntheticApp = {
  appId: 'app-20261201-sales-report',
  name: 'daily sales report',
  sparkVersion: '3.5.1',
  startTime: 1_764_547_200_000,
  sparkProperties: {
    'spark.sql.adaptive.enabled': 'false',
    'spark.sql.shuffle.partitions': '16',
    'spark.executor.memory': '4g',
    'spark.executor.cores': '4',
    'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  },
  executors: [
    { id: '1', host: 'worker-1', cores: 4 },
    { id: '2', host: 'worker-2', cores: 4 },
    { id: '3', host: 'worker-3', cores: 4 },
    { id: '4', host: 'worker-4', cores: 4 },
  ],
  jobs: [{
    jobId: 0,
    description: 'SELECT s.region, o.day, sum(o.amount) FROM sales.orders o JOIN sales.stores s ON o.store_id = s.id GROUP BY s.region, o.day',
    stages: [
      { stageId: 0, name: 'scan sales.orders', tasks: tasks(32, 9_000, { inputBytes: 128 * MiB, shuffleWriteBytes: 192 * MiB, gcTimeMs: 400 }) },
      { stageId: 1, name: 'scan sales.stores', tasks: tasks(1, 800, { inputBytes: 2 * MiB, shuffleWriteBytes: 2 * MiB }) },
      {
        stageId: 2,
        name: 'join and aggregate',
        parentIds: [0, 1],
        tasks: [
          { durationMs: 150_000, executorId: '1', shuffleReadBytes: 1.5 * GiB, memoryBytesSpilled: 3 * GiB, diskBytesSpilled: 1 * GiB, gcTimeMs: 40_000 },
          ...tasks(15, 12_000, { shuffleReadBytes: 300 * MiB, gcTimeMs: 3_000 }),
        ],
      },
    ],
  }],
  sqlExecutions: [{
    executionId: 0,
    description: 'daily sales by region',
    jobIds: [0],
    plan: salesReportPlan,
  }],
};

/**
 * A nightly ETL that rewrites events into a table partitioned by day and hour: 96 write tasks each hold every
 * hour of 4 days, so they write 9,216 files of 120 KiB. It runs with the default 200 shuffle partitions on 40 KiB of shuffle
 * data per partition, Java serialization, and 8 executors kept for 20 minutes while one job of 2 minutes ran; its scan
 * reads 640 MiB per task in 12 tasks, leaving 20 of 32 cores idle.
 */
const nightlyEtl: SyntheticApp = {
  appId: 'app-20261201-nightly-etl',
  name: 'nightly events etl',
  sparkVersion: '3.5.1',
  startTime: 1_764_550_800_000,
  sparkProperties: {
    'spark.sql.adaptive.enabled': 'false',
    'spark.dynamicAllocation.enabled': 'false',
    'spark.executor.instances': '8',
  },
  executors: Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), host: `worker-${i + 1}`, cores: 4 })),
  jobs: [
    {
      jobId: 0,
      description: 'read raw events',
      idleBeforeMs: 300_000,
      stages: [
        { stageId: 0, name: 'scan raw events', tasks: tasks(12, 60_000, { inputBytes: 640 * MiB, shuffleWriteBytes: 480 * MiB }, ['1', '2', '3', '4', '5', '6', '7', '8']) },
        { stageId: 1, name: 'dedupe events', parentIds: [0], tasks: tasks(200, 150, { shuffleReadBytes: 40 * 1024 }, ['1', '2', '3', '4', '5', '6', '7', '8']) },
        { stageId: 2, name: 'write events by day and hour', parentIds: [1], tasks: tasks(96, 4_000, { outputBytes: 96 * 120 * 1024 }, ['1', '2', '3', '4', '5', '6', '7', '8']) },
      ],
    },
  ],
  sqlExecutions: [{
    executionId: 0,
    description: 'INSERT OVERWRITE events PARTITION (day, hour)',
    jobIds: [0],
    plan: {
      name: 'Execute InsertIntoHadoopFsRelationCommand',
      simpleString: 'Execute InsertIntoHadoopFsRelationCommand s3://lake/events, false, [day#3, hour#4], Parquet, Overwrite',
      metrics: [
        { name: 'number of written files', value: 9_216 },
        { name: 'written output', type: 'size', value: 9_216 * 120 * 1024 },
        { name: 'number of dynamic part', value: 96 },
        { name: 'task commit time', type: 'timing', value: 12_000, stageId: 2 },
      ],
      children: [{ name: 'WriteFiles', children: [{ name: 'Exchange', simpleString: 'Exchange hashpartitioning(event_id#1, 200), ENSURE_REQUIREMENTS' }] }],
    },
  }],
  durationMs: 20 * 60_000,
};

/**
 * A rollup on preemptible nodes: executor 3 is lost while the reduce stage reads its map output, so tasks fail
 * and the stages run again; one executor's host is slow, so its map tasks take 4 times as long on the same data.
 */
const preemptedRollup: SyntheticApp = {
  appId: 'app-20261201-preempted-rollup',
  name: 'hourly clicks rollup',
  sparkVersion: '3.4.2',
  startTime: 1_764_554_400_000,
  sparkProperties: {
    'spark.dynamicAllocation.enabled': 'false',
    'spark.sql.shuffle.partitions': '8',
    'spark.serializer': 'org.apache.spark.serializer.KryoSerializer',
  },
  executors: [
    { id: '1', host: 'node-a', cores: 4 },
    { id: '2', host: 'node-b', cores: 4 },
    { id: '3', host: 'node-c', cores: 4, removedAfterMs: 70_000, removeReason: 'Node node-c was preempted by the cluster manager' },
    { id: '4', host: 'node-d', cores: 4 },
  ],
  jobs: [{
    jobId: 0,
    description: 'clicks rollup',
    stages: [
      {
        stageId: 0,
        name: 'scan clicks',
        tasks: [
          ...tasks(20, 8_000, { inputBytes: 64 * MiB, shuffleWriteBytes: 20 * MiB }, ['1', '2', '3']),
          ...tasks(4, 32_000, { inputBytes: 64 * MiB, shuffleWriteBytes: 20 * MiB }, ['4']),
        ],
      },
      {
        stageId: 1,
        attemptId: 0,
        name: 'rollup',
        parentIds: [0],
        failureReason: 'org.apache.spark.shuffle.FetchFailedException: Failed to connect to node-c/10.0.0.3:7337',
        tasks: [
          ...tasks(4, 6_000, { shuffleReadBytes: 60 * MiB }, ['1', '2']),
          { durationMs: 9_000, executorId: '3', failure: 'ExecutorLostFailure', failureDetail: 'Node node-c was preempted by the cluster manager' },
          { durationMs: 9_000, executorId: '3', failure: 'ExecutorLostFailure', failureDetail: 'Node node-c was preempted by the cluster manager' },
          { durationMs: 3_000, executorId: '1', failure: 'FetchFailed', failureDetail: 'Failed to connect to node-c/10.0.0.3:7337' },
          { durationMs: 3_000, executorId: '2', failure: 'FetchFailed', failureDetail: 'Failed to connect to node-c/10.0.0.3:7337' },
        ],
      },
      { stageId: 0, attemptId: 1, name: 'scan clicks', tasks: tasks(8, 8_000, { inputBytes: 64 * MiB, shuffleWriteBytes: 20 * MiB }, ['1', '2']).map((task, i) => ({ ...task, index: 16 + i })) },
      { stageId: 1, attemptId: 1, name: 'rollup', parentIds: [0], tasks: tasks(8, 6_000, { shuffleReadBytes: 60 * MiB, outputBytes: 8 * MiB }, ['1', '2', '4']) },
    ],
  }],
};

/**
 * The same report the next day, to compare with: the hot store's orders doubled, so its reduce task reads 3 GiB
 * and runs 5 minutes, and someone raised executor memory to 8g.
 */
const dailySalesReportNextDay: SyntheticApp = {
  ...dailySalesReport,
  appId: 'app-20261202-sales-report',
  startTime: dailySalesReport.startTime! + 86_400_000,
  sparkProperties: { ...dailySalesReport.sparkProperties, 'spark.executor.memory': '8g' },
  jobs: dailySalesReport.jobs.map((job) => ({
    ...job,
    stages: job.stages.map((stage) =>
      stage.stageId !== 2
        ? stage
        : {
            ...stage,
            tasks: [
              { durationMs: 300_000, executorId: '1', shuffleReadBytes: 3 * GiB, memoryBytesSpilled: 6 * GiB, diskBytesSpilled: 2 * GiB, gcTimeMs: 70_000 },
              ...tasks(15, 12_000, { shuffleReadBytes: 300 * MiB, gcTimeMs: 3_000 }),
            ],
          },
    ),
  })),
};

/** The sample logs shipped in examples/logs/, by file name: small, made by this project, one story each. */
export const sampleLogs: Readonly<Record<string, SyntheticApp>> = {
  'daily-sales-report.json': dailySalesReport,
  'daily-sales-report-next-day.json': dailySalesReportNextDay,
  'nightly-events-etl.json': nightlyEtl,
  'preempted-clicks-rollup.json': preemptedRollup,
};

/** The text of a sample log, exactly as committed (the generator is deterministic for a spec). */
export function sampleLogText(file: string): string {
  const spec = sampleLogs[file];
  if (!spec) throw new Error(`no spec for sample log ${file}`);
  return buildEventLog(spec);
}

/** Writes every sample log into `dir` and returns their paths. */
export function writeSampleLogs(dir: string): string[] {
  return Object.keys(sampleLogs).map((file) => {
    const path = join(dir, file);
    writeFileSync(path, sampleLogText(file));
    return path;
  });
}
