import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEventLog, repeatTask, type SyntheticApp, type SyntheticPlanNode } from './synthetic-log.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
const KiB = 1024;

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
        tasks: repeatTask(12, { durationMs: 6_000, inputBytes: 128 * MiB, shuffleWriteBytes: 40 * MiB }),
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
          ...repeatTask(4, { durationMs: 5_000, shuffleReadBytes: 60 * MiB }),
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
        tasks: repeatTask(4, { durationMs: 6_000, executorId: '1', inputBytes: 128 * MiB, shuffleWriteBytes: 40 * MiB }).map((task, i) => ({ ...task, index: 8 + i })),
      },
      {
        stageId: 1,
        attemptId: 1,
        name: 'aggregate and write',
        parentIds: [0],
        tasks: repeatTask(8, { durationMs: 5_000, shuffleReadBytes: 60 * MiB, outputBytes: GiB / 16 }).map((task, i) => ({ ...task, executorId: i % 2 === 0 ? '1' : '2' })),
      },
    ],
  }],
};

/**
 * Generated from the shape of bench/nds_q72_dataproc_2_2 (TPC-DS q72 on Dataproc, Spark 3.5.3, 128 shuffle
 * partitions, 8 executors × 4 cores): a scan of 64 splits, then a 128-partition aggregation where one partition
 * holds a hot key (2 GiB against a 48 MiB median), so one task runs for two minutes while the others take seconds.
 */
const skewedAggregation: SyntheticApp = {
  appId: 'app-scenario-skewed-aggregation',
  name: 'weekly inventory rollup',
  sparkVersion: '3.5.3',
  startTime: 1_700_100_000_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.sql.shuffle.partitions': '128', 'spark.sql.adaptive.enabled': 'true', 'spark.executor.memory': '16g', 'spark.executor.cores': '4' },
  executors: Array.from({ length: 8 }, (_, i) => ({ id: String(i + 1), host: `worker-${i + 1}`, cores: 4 })),
  jobs: [{
    jobId: 0,
    description: 'rollup: groupBy(item, warehouse, week).agg(sum(quantity))',
    stages: [
      { stageId: 0, name: 'scan inventory', tasks: repeatTask(64, { durationMs: 8_000, inputBytes: 128 * MiB, shuffleWriteBytes: 100 * MiB }) },
      {
        stageId: 1,
        name: 'groupBy at rollup.scala:42',
        parentIds: [0],
        tasks: [...repeatTask(127, { durationMs: 3_000, shuffleReadBytes: 48 * MiB }), { durationMs: 125_000, shuffleReadBytes: 2 * GiB }],
      },
    ],
  }],
};

/**
 * Generated from the shape of the spilling sort in spark4/ (Spark 4.1): a global sort of 48 GiB into 16
 * partitions on executors of 4 cores and 4 GiB, so every sort task holds 3 GiB against about 0.9 GiB of execution
 * memory and spills.
 */
const spillingSort: SyntheticApp = {
  appId: 'app-scenario-spilling-sort',
  name: 'daily events export sorted by time',
  sparkVersion: '4.1.0',
  startTime: 1_700_200_000_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.sql.shuffle.partitions': '16', 'spark.sql.adaptive.enabled': 'false', 'spark.executor.memory': '4g', 'spark.executor.cores': '4' },
  executors: Array.from({ length: 4 }, (_, i) => ({ id: String(i + 1), host: `node-${i + 1}`, cores: 4 })),
  jobs: [{
    jobId: 0,
    description: 'events.orderBy(ts).write.parquet(...)',
    stages: [
      { stageId: 0, name: 'scan events', tasks: repeatTask(384, { durationMs: 4_000, inputBytes: 128 * MiB, shuffleWriteBytes: 128 * MiB }) },
      {
        stageId: 1,
        name: 'sort and write',
        parentIds: [0],
        tasks: repeatTask(16, { durationMs: 240_000, shuffleReadBytes: 3 * GiB, memoryBytesSpilled: 9 * GiB, diskBytesSpilled: 3 * GiB, outputBytes: 2 * GiB }),
      },
    ],
  }],
};

/**
 * Generated from the shape of apache-spark/application_1555004656427_0144 (YARN, tasks that failed and were
 * retried): a join whose reduce tasks build large per-key collections on 2 GiB executors; four attempts of one
 * partition die with java.lang.OutOfMemoryError and the job fails.
 */
const outOfMemoryTasks: SyntheticApp = {
  appId: 'app-scenario-oom-tasks',
  name: 'customer 360 builder',
  sparkVersion: '3.3.2',
  startTime: 1_700_300_000_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.sql.shuffle.partitions': '40', 'spark.executor.memory': '2g', 'spark.executor.cores': '4', 'spark.task.maxFailures': '4' },
  executors: Array.from({ length: 5 }, (_, i) => ({ id: String(i + 1), host: `yarn-${i + 1}`, cores: 4 })),
  jobs: [{
    jobId: 0,
    failed: true,
    failureReason: 'Job aborted due to stage failure: Task 7 in stage 1.0 failed 4 times, most recent failure: java.lang.OutOfMemoryError: Java heap space',
    description: 'groupBy(customer_id).agg(collect_list(event))',
    stages: [
      { stageId: 0, name: 'scan events', tasks: repeatTask(40, { durationMs: 6_000, inputBytes: 128 * MiB, shuffleWriteBytes: 120 * MiB }) },
      {
        stageId: 1,
        name: 'collect_list per customer',
        parentIds: [0],
        failureReason: 'Task 7 in stage 1.0 failed 4 times: java.lang.OutOfMemoryError: Java heap space',
        tasks: [
          ...repeatTask(39, { durationMs: 9_000, shuffleReadBytes: 120 * MiB }),
          ...[0, 1, 2, 3].map((attempt) => ({ durationMs: 30_000, index: 7, attempt, executorId: String((attempt % 5) + 1), failure: 'java.lang.OutOfMemoryError', failureDetail: 'Java heap space' })),
        ],
      },
    ],
  }],
};

/**
 * Generated from the shape of vendors-and-workloads/workloads/writeformat_eventlog (a Spark 3 job reading and
 * writing Parquet), scaled to a partitioned table written an hour at a time for a year: 20,000 files of about
 * 256 KB, so the scan opens more files than it reads megabytes.
 */
const smallFilesScan: SyntheticApp = {
  appId: 'app-scenario-small-files',
  name: 'clickstream daily report',
  sparkVersion: '3.5.1',
  startTime: 1_700_400_000_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.executor.memory': '8g', 'spark.executor.cores': '4' },
  executors: Array.from({ length: 4 }, (_, i) => ({ id: String(i + 1), host: `node-${i + 1}`, cores: 4 })),
  jobs: [{
    jobId: 0,
    stages: [
      { stageId: 0, name: 'scan clicks', tasks: repeatTask(40, { durationMs: 20_000, inputBytes: (20_000 * 256 * KiB) / 40 }) },
      { stageId: 1, name: 'count per page', parentIds: [0], tasks: repeatTask(8, { durationMs: 1_000 }) },
    ],
  }],
  sqlExecutions: [{
    executionId: 0,
    description: 'clicks.groupBy(page).count()',
    jobIds: [0],
    plan: {
      name: 'HashAggregate',
      simpleString: 'HashAggregate(keys=[page#3], functions=[count(1)])',
      children: [{
        name: 'Scan parquet ',
        simpleString: 'FileScan parquet [page#3,ts#2] Batched: true, Format: Parquet, Location: InMemoryFileIndex(1 paths)[s3://bucket/clicks], ReadSchema: struct<page:string>',
        metrics: [
          { name: 'number of files read', value: 20_000 },
          { name: 'size of files read', type: 'size', value: 20_000 * 256 * KiB },
          { name: 'number of output rows', value: 50_000_000, stageId: 0 },
        ],
      }],
    },
  }],
};

/**
 * Generated from the shape of vendors-and-workloads/clusters/eventlog_3nodes_12cores_multiple_executors
 * (standalone, several executors per node), held for an afternoon: 12 executors of 4 cores requested up front with
 * dynamic allocation off, while the notebook ran a few short jobs between long pauses.
 */
const idleExecutors: SyntheticApp = {
  appId: 'app-scenario-idle-executors',
  name: 'analyst notebook',
  sparkVersion: '3.4.1',
  startTime: 1_700_500_000_000,
  durationMs: 3_600_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.executor.instances': '12', 'spark.executor.cores': '4', 'spark.executor.memory': '8g', 'spark.dynamicAllocation.enabled': 'false' },
  executors: Array.from({ length: 12 }, (_, i) => ({ id: String(i + 1), host: `node-${(i % 3) + 1}`, cores: 4 })),
  jobs: [0, 1, 2, 3].map((jobId) => ({
    jobId,
    idleBeforeMs: 600_000,
    stages: [{ stageId: jobId, name: `notebook cell ${jobId + 1}`, tasks: repeatTask(8, { durationMs: 20_000, inputBytes: 64 * MiB }) }],
  })),
};

/** One side of a shuffled join in a plan: Sort ← Exchange (its map stage measured the bytes) ← Scan. */
const joinSide = (key: string, bytes: number, rows: number, mapStage: number): SyntheticPlanNode => ({
  name: 'Sort',
  simpleString: `Sort [${key} ASC NULLS FIRST], false, 0`,
  metrics: [{ name: 'sort time', type: 'timing', value: 2_000, stageId: 2 }],
  children: [{
    name: 'Exchange',
    simpleString: `Exchange hashpartitioning(${key}, 200), ENSURE_REQUIREMENTS`,
    metrics: [
      { name: 'data size', type: 'size', value: bytes, stageId: mapStage },
      { name: 'shuffle write time', type: 'nsTiming', value: 2e9, stageId: mapStage },
    ],
    children: [{ name: 'Scan parquet ', simpleString: `FileScan parquet [${key}]`, metrics: [{ name: 'number of output rows', value: rows, stageId: mapStage }] }],
  }],
});

/**
 * Generated from the shape of apache-spark/app-20200706201101-0003 (Spark 3.0, a fact table joined with two
 * dimensions), with automatic broadcasts turned off by a copied setting: a 24 GiB fact side and a 6 MiB dimension
 * both shuffled into 200 partitions and sorted for a sort-merge join.
 */
const missedBroadcast: SyntheticApp = {
  appId: 'app-scenario-missed-broadcast',
  name: 'orders by country',
  sparkVersion: '3.1.2',
  startTime: 1_700_600_000_000,
  sparkProperties: { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer', 'spark.sql.autoBroadcastJoinThreshold': '-1', 'spark.sql.adaptive.enabled': 'true', 'spark.executor.memory': '8g', 'spark.executor.cores': '4' },
  executors: Array.from({ length: 6 }, (_, i) => ({ id: String(i + 1), host: `node-${i + 1}`, cores: 4 })),
  jobs: [{
    jobId: 0,
    stages: [
      { stageId: 0, name: 'scan orders', tasks: repeatTask(192, { durationMs: 9_000, inputBytes: 128 * MiB, shuffleWriteBytes: 128 * MiB }) },
      { stageId: 1, name: 'scan countries', tasks: repeatTask(1, { durationMs: 500, inputBytes: 6 * MiB, shuffleWriteBytes: 6 * MiB }) },
      { stageId: 2, name: 'sortMergeJoin at orders.scala:30', parentIds: [0, 1], tasks: repeatTask(200, { durationMs: 14_000, shuffleReadBytes: 123 * MiB }) },
    ],
  }],
  sqlExecutions: [{
    executionId: 0,
    description: 'orders.join(countries, "country_code")',
    jobIds: [0],
    plan: {
      name: 'SortMergeJoin',
      simpleString: 'SortMergeJoin [country_code#1], [country_code#2], Inner',
      metrics: [{ name: 'number of output rows', value: 240_000_000, stageId: 2 }],
      children: [joinSide('country_code#1', 24 * GiB, 240_000_000, 0), joinSide('country_code#2', 6 * MiB, 250, 1)],
    },
  }],
};

/** The event log every log-reading scenario ships, by file name under src/learning/scenarios/logs/. */
export const scenarioLogs: Readonly<Record<string, SyntheticApp>> = {
  'retried-stages-lost-executor.json': retriedStagesLostExecutor,
  'skewed-aggregation.json': skewedAggregation,
  'spilling-sort.json': spillingSort,
  'oom-tasks.json': outOfMemoryTasks,
  'small-files-scan.json': smallFilesScan,
  'idle-executors.json': idleExecutors,
  'missed-broadcast.json': missedBroadcast,
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
