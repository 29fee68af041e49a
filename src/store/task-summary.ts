import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { ApplicationAnswers, applicationNumbers, cachedByApp } from './application-cache.js';
import { batchesUpTo } from './batch-keys.js';
import type { AnalysisDatabase } from './database.js';
import type { StageAttemptKey } from './tasks-store.js';

/**
 * Quantiles of one task metric, in the order of {@link TaskMetricDistributions.quantiles}. Only a duration can hold
 * unknown values (null, when no successful task of the attempt has known times): task metrics are never stored unknown.
 */
export type Distribution = number[];

/** History Server's `TaskMetricDistributions` (`/stages/{id}/{attempt}/taskSummary`). */
export interface TaskMetricDistributions {
  quantiles: number[];
  duration: Distribution;
  executorDeserializeTime: Distribution;
  executorDeserializeCpuTime: Distribution;
  executorRunTime: Distribution;
  executorCpuTime: Distribution;
  resultSize: Distribution;
  jvmGcTime: Distribution;
  resultSerializationTime: Distribution;
  gettingResultTime: Distribution;
  schedulerDelay: Distribution;
  peakExecutionMemory: Distribution;
  memoryBytesSpilled: Distribution;
  diskBytesSpilled: Distribution;
  inputMetrics: { bytesRead: Distribution; recordsRead: Distribution };
  outputMetrics: { bytesWritten: Distribution; recordsWritten: Distribution };
  shuffleReadMetrics: {
    readBytes: Distribution;
    readRecords: Distribution;
    remoteBlocksFetched: Distribution;
    localBlocksFetched: Distribution;
    fetchWaitTime: Distribution;
    remoteBytesRead: Distribution;
    remoteBytesReadToDisk: Distribution;
    totalBlocksFetched: Distribution;
    remoteReqsDuration: Distribution;
    shufflePushReadMetricsDist: {
      corruptMergedBlockChunks: Distribution;
      mergedFetchFallbackCount: Distribution;
      remoteMergedBlocksFetched: Distribution;
      localMergedBlocksFetched: Distribution;
      remoteMergedChunksFetched: Distribution;
      localMergedChunksFetched: Distribution;
      remoteMergedBytesRead: Distribution;
      localMergedBytesRead: Distribution;
      remoteMergedReqsDuration: Distribution;
    };
  };
  shuffleWriteMetrics: { writeBytes: Distribution; writeRecords: Distribution; writeTime: Distribution };
}

/** Output name → SQL over v_tasks, for every distribution (nested names joined with a dot). */
const metrics: ReadonlyArray<readonly [string, string]> = [
  ['duration', 'duration'],
  ['executorDeserializeTime', 'executorDeserializeTime'],
  ['executorDeserializeCpuTime', 'executorDeserializeCpuTime'],
  ['executorRunTime', 'executorRunTime'],
  ['executorCpuTime', 'executorCpuTime'],
  ['resultSize', 'resultSize'],
  ['jvmGcTime', 'jvmGcTime'],
  ['resultSerializationTime', 'resultSerializationTime'],
  ['gettingResultTime', 'gettingResultTime'],
  ['schedulerDelay', 'schedulerDelay'],
  ['peakExecutionMemory', 'peakExecutionMemory'],
  ['memoryBytesSpilled', 'memoryBytesSpilled'],
  ['diskBytesSpilled', 'diskBytesSpilled'],
  ['inputMetrics.bytesRead', 'inputBytes'],
  ['inputMetrics.recordsRead', 'inputRecords'],
  ['outputMetrics.bytesWritten', 'outputBytes'],
  ['outputMetrics.recordsWritten', 'outputRecords'],
  ['shuffleReadMetrics.readBytes', 'shuffleTotalBytesRead'],
  ['shuffleReadMetrics.readRecords', 'shuffleReadRecords'],
  ['shuffleReadMetrics.remoteBlocksFetched', 'shuffleRemoteBlocksFetched'],
  ['shuffleReadMetrics.localBlocksFetched', 'shuffleLocalBlocksFetched'],
  ['shuffleReadMetrics.fetchWaitTime', 'shuffleFetchWaitTime'],
  ['shuffleReadMetrics.remoteBytesRead', 'shuffleRemoteBytesRead'],
  ['shuffleReadMetrics.remoteBytesReadToDisk', 'shuffleRemoteBytesReadToDisk'],
  ['shuffleReadMetrics.totalBlocksFetched', 'shuffleTotalBlocksFetched'],
  ['shuffleReadMetrics.remoteReqsDuration', 'shuffleRemoteReqsDuration'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.corruptMergedBlockChunks', 'shuffleCorruptMergedBlockChunks'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.mergedFetchFallbackCount', 'shuffleMergedFetchFallbackCount'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.remoteMergedBlocksFetched', 'shuffleMergedRemoteBlocksFetched'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.localMergedBlocksFetched', 'shuffleMergedLocalBlocksFetched'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.remoteMergedChunksFetched', 'shuffleMergedRemoteChunksFetched'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.localMergedChunksFetched', 'shuffleMergedLocalChunksFetched'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.remoteMergedBytesRead', 'shuffleMergedRemoteBytesRead'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.localMergedBytesRead', 'shuffleMergedLocalBytesRead'],
  ['shuffleReadMetrics.shufflePushReadMetricsDist.remoteMergedReqsDuration', 'shuffleMergedRemoteReqsDuration'],
  ['shuffleWriteMetrics.writeBytes', 'shuffleWriteBytes'],
  ['shuffleWriteMetrics.writeRecords', 'shuffleWriteRecords'],
  ['shuffleWriteMetrics.writeTime', 'shuffleWriteTime'],
];

const column = (index: number): string => `m${index}`;

/**
 * Quantile positions (1-based) over a sorted list of `n` values, as AppStatusStore.getQuantilesValue reads them:
 * index min(floor(q * n), n - 1). `$quantiles` is bound as JSON text (see taskSummaryParams).
 */
export const sparkQuantilePositionsSql = (n: string): string =>
  `list_transform($quantiles::DOUBLE[], q -> least(floor(q * ${n})::BIGINT, ${n} - 1) + 1)`;

/**
 * The quantiles whose answers are precomputed for every stage attempt at ingest: History Server's REST default
 * (0.05, 0.25, 0.5, 0.75, 0.95) and its stage page's (min, quartiles, max). Any subset is answered from them.
 */
const PRECOMPUTED_QUANTILES: readonly number[] = [0, 0.05, 0.25, 0.5, 0.75, 0.95, 1];

/** The successful tasks with metrics of some stage attempts of one application, each metric as m0, m1, ... */
const successfulTasksSql = `
  SELECT stageId, stageAttemptId, ${metrics.map(([, expression], i) => `${expression} AS ${column(i)}`).join(', ')}
  FROM v_tasks
  WHERE appNo = $appNo AND appKey = $appKey AND list_contains($stages::VARCHAR[], stageId || ':' || stageAttemptId)
    AND status = 'SUCCESS' AND hasMetrics`;

/**
 * Spark's AppStatusStore.taskSummary for several stage attempts of one application, at any quantiles: only tasks
 * that succeeded and reported metrics count; each metric is sorted on its own and quantile q reads the value at
 * index min(floor(q * n), n - 1). A value stored as unknown (outside what a field holds, see the application
 * writer) is left out of its metric. All metrics in one pass; tasks are reached by application number (see
 * schema.ts). `$stages` lists the attempts as 'stageId:attemptId'; `$quantiles` is JSON text.
 */
const taskSummarySql = `
WITH sorted AS (
  SELECT stageId, stageAttemptId,
    ${metrics.map((_, i) => `list_sort(list(${column(i)}) FILTER (WHERE ${column(i)} IS NOT NULL)) AS ${column(i)}`).join(', ')}
  FROM (${successfulTasksSql}) GROUP BY ALL
)
SELECT stageId, stageAttemptId,
  [${metrics
    .map((_, i) => `list_transform(${sparkQuantilePositionsSql(`len(${column(i)})`)}, p -> ${column(i)}[p]::DOUBLE)`)
    .join(', ')}] AS metricValues
FROM sorted`;

/**
 * The same at {@link PRECOMPUTED_QUANTILES}, twice as fast on the bench log: DuckDB's quantile_disc selects rather than sorts.
 * It reads index ceil(q * n) - 1 where Spark reads floor(q * n); the two differ only where q * n is a whole
 * number, so each quantile strictly between 0 and 1 is asked for a hair above itself. For these quantiles q * n
 * is a multiple of 1/20, so a nudge of 1e-11 moves no other index below 5e9 tasks (Spark caps a stage at 2^31).
 */
const nudgedQuantiles = `[${PRECOMPUTED_QUANTILES.map((q) => (q > 0 && q < 1 ? q + 1e-11 : q)).join(', ')}]`;
/** A metric no task knows: as many unknown values as quantiles, as the sorting path gives. */
const unknownQuantiles = `[${PRECOMPUTED_QUANTILES.map(() => 'NULL').join(', ')}]::DOUBLE[]`;
const precomputedSummarySql = `
SELECT stageId, stageAttemptId,
  [${metrics
    .map((_, i) => `coalesce(quantile_disc(${column(i)}, ${nudgedQuantiles})::DOUBLE[], ${unknownQuantiles})`)
    .join(', ')}] AS metricValues
FROM (${successfulTasksSql}) GROUP BY ALL`;

/** One stage attempt's quantiles of every metric, in the order of `metrics`. */
interface QuantileRow {
  stageId: bigint;
  stageAttemptId: bigint;
  metricValues: number[][];
}

/**
 * Tasks per query when precomputing: bounds the values quantile_disc holds at once (~30 MB: 38 metrics of 8 bytes).
 * Each query costs ~30 ms whatever its size, so the bench log's 94k tasks go in one.
 */
const PRECOMPUTE_TASKS_PER_QUERY = 100_000;

/** The parameters of {@link taskSummarySql} and {@link precomputedSummarySql} for some stage attempts of one application. */
function taskSummaryParams(
  appKey: string,
  appNo: number,
  stages: ReadonlyArray<{ stageId: number | bigint; attemptId: number | bigint }>,
  quantiles: readonly number[],
): Record<string, string | number> {
  return {
    appKey,
    appNo,
    stages: JSON.stringify(stages.map((stage) => `${stage.stageId}:${stage.attemptId}`)),
    // Bound as text and cast in SQL: a JS list binds with its first item's type, and 0 would make it INTEGER[].
    quantiles: JSON.stringify(quantiles),
  };
}

/**
 * Computes and stores the task quantiles of every stage attempt of one application at
 * {@link PRECOMPUTED_QUANTILES} (part of precomputeFromRows, committed with a new application's rows before its application row).
 */
export async function precomputeTaskQuantiles(connection: DuckDBConnection, appKey: string, appNo: number): Promise<void> {
  const counts = (
    await connection.runAndReadAll(
      `SELECT stageId, stageAttemptId AS attemptId, count(*) AS n FROM tasks
       WHERE appNo = $appNo AND appKey = $appKey AND status = 'SUCCESS' AND hasMetrics GROUP BY ALL ORDER BY ALL`,
      { appNo, appKey },
    )
  ).getRowObjectsJS() as Array<{ stageId: bigint; attemptId: bigint; n: bigint }>;
  // A large application's stages are read a few at a time, so the values held stay within memory.
  for (const batch of batchesUpTo(counts, (stage) => Number(stage.n), PRECOMPUTE_TASKS_PER_QUERY)) {
    await connection.run(
      `INSERT INTO app_task_quantiles
       SELECT $appKey, stageId, stageAttemptId, $quantiles::DOUBLE[], metricValues FROM (${precomputedSummarySql})`,
      taskSummaryParams(appKey, appNo, batch, PRECOMPUTED_QUANTILES),
    );
  }
}

/** The History Server shape of one stage attempt's quantiles (metricValues in the order of `metrics`). */
function toDistributions(quantiles: readonly number[], metricValues: readonly number[][]): TaskMetricDistributions {
  const summary: Record<string, unknown> = { quantiles: [...quantiles] };
  metrics.forEach(([name], i) => {
    const path = name.split('.');
    let target = summary;
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[path.at(-1)!] = metricValues[i]!;
  });
  return summary as unknown as TaskMetricDistributions;
}

/**
 * Quantiles of every task metric of each stage attempt over its successful tasks, in key order; null for an
 * attempt without any. Quantiles among {@link PRECOMPUTED_QUANTILES} are read from what the ingest stored
 * (one query for the whole batch); others are computed from the application's own tasks.
 */
export async function taskSummaries(
  database: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
  quantiles: readonly number[],
): Promise<Array<TaskMetricDistributions | null>> {
  if (stages.length === 0) return [];
  const sortedQuantiles = [...quantiles].sort((a, b) => a - b);
  const stored = sortedQuantiles.map((q) => PRECOMPUTED_QUANTILES.indexOf(q));
  if (stored.every((index) => index >= 0)) {
    const appKeys = [...new Set(stages.map((stage) => stage.appKey))];
    const byApp = await cachedByApp(database, quantileCache, appKeys, (keys) => readStoredQuantiles(database, keys), new Map());
    const apps = new Map(appKeys.map((key, i) => [key, byApp[i]!]));
    // A dashboard asks every stage for the same quantiles, request after request: shaped once per row.
    const shapedKey = sortedQuantiles.join(',');
    return stages.map((stage) => {
      const row = apps.get(stage.appKey)?.get(`${stage.stageId}:${stage.attemptId}`);
      if (!row) return null;
      let shaped = row.shaped.get(shapedKey);
      if (!shaped) {
        // Rows stored by this build hold PRECOMPUTED_QUANTILES; positions are looked up in the row itself.
        const positions = sortedQuantiles.map((q) => row.quantiles.indexOf(q));
        shaped = toDistributions(sortedQuantiles, row.metricValues.map((values: number[]) => positions.map((p) => values[p]!)));
        if (row.shaped.size >= MAX_SHAPES_PER_ROW) row.shaped.clear();
        row.shaped.set(shapedKey, shaped);
      }
      return shaped;
    });
  }
  const numbers = await applicationNumbers(database, stages.map((stage) => stage.appKey));
  // Read through the pooled query, whose connections keep this statement prepared.
  const answers: Array<TaskMetricDistributions | null> = [];
  // One stage attempt per query: each sorts its tasks' metrics, so a large application's stages are not all held at once.
  for (const stage of stages) {
    const appNo = numbers.get(stage.appKey);
    const [row] = (
      appNo === undefined ? [] : await database.query(taskSummarySql, taskSummaryParams(stage.appKey, appNo, [stage], sortedQuantiles))
    ) as unknown as QuantileRow[];
    answers.push(row ? toDistributions(sortedQuantiles, row.metricValues) : null);
  }
  return answers;
}

/**
 * One stage attempt's stored quantiles (by 'stageId:attemptId'), and the answers already shaped from them
 * by the quantiles asked (shared between requests: callers never change an answer).
 */
type StoredQuantiles = Map<string, { quantiles: number[]; metricValues: number[][]; shaped: Map<string, TaskMetricDistributions> }>;

/** Distinct quantile lists whose answers a stage attempt keeps shaped. */
const MAX_SHAPES_PER_ROW = 8;

/** Stored quantiles of recently read applications, every stage attempt of each. */
const quantileCache = new ApplicationAnswers<StoredQuantiles>(128);

async function readStoredQuantiles(database: AnalysisDatabase, appKeys: readonly string[]): Promise<StoredQuantiles[]> {
  const rows = (await database.query(
    `SELECT appKey, stageId, stageAttemptId, quantiles, metricValues FROM app_task_quantiles
     WHERE appKey IN (SELECT unnest($appKeys))`,
    { appKeys: listValue([...appKeys]) },
  )) as unknown as Array<{ appKey: string; stageId: bigint; stageAttemptId: bigint; quantiles: number[]; metricValues: number[][] }>;
  const byApp = new Map<string, StoredQuantiles>(appKeys.map((key) => [key, new Map()]));
  for (const row of rows) {
    byApp.get(row.appKey)!.set(`${row.stageId}:${row.stageAttemptId}`, { quantiles: row.quantiles, metricValues: row.metricValues, shaped: new Map() });
  }
  return appKeys.map((key) => byApp.get(key)!);
}

/** Quantiles of every task metric of one stage attempt over its successful tasks, or null when it has none. */
export async function taskSummary(
  database: AnalysisDatabase,
  appKey: string,
  stageId: number,
  stageAttemptId: number,
  quantiles: number[],
): Promise<TaskMetricDistributions | null> {
  const [summary] = await taskSummaries(database, [{ appKey, stageId, attemptId: stageAttemptId }], quantiles);
  return summary ?? null;
}
