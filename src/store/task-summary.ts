import type { AnalysisDatabase } from './database.js';

/** Quantiles of one task metric, in the order of {@link TaskMetricDistributions.quantiles}. */
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
 * Spark's AppStatusStore.taskSummary: only tasks that succeeded and reported metrics count; each metric is
 * sorted on its own and quantile q reads the value at index min(floor(q * n), n - 1). All metrics in one pass.
 */
const taskSummarySql = `
WITH successful AS (
  SELECT ${metrics.map(([, expression], i) => `${expression} AS ${column(i)}`).join(', ')}
  FROM v_tasks
  WHERE appKey = $appKey AND stageId = $stageId AND stageAttemptId = $stageAttemptId
    AND status = 'SUCCESS' AND hasMetrics
), sorted AS (
  SELECT count(*) AS n, ${metrics.map((_, i) => `list_sort(list(${column(i)})) AS ${column(i)}`).join(', ')}
  FROM successful
), positions AS (
  -- 1-based list positions of the requested quantiles.
  SELECT *, list_transform($quantiles::DOUBLE[], q -> least(floor(q * n)::BIGINT, n - 1) + 1) AS pos
  FROM sorted
)
SELECT n, ${metrics.map((_, i) => `list_transform(pos, p -> ${column(i)}[p]::DOUBLE) AS ${column(i)}`).join(', ')}
FROM positions`;

/** Quantiles of every task metric of one stage attempt over its successful tasks, or null when it has none. */
export async function taskSummary(
  database: AnalysisDatabase,
  appKey: string,
  stageId: number,
  stageAttemptId: number,
  quantiles: number[],
): Promise<TaskMetricDistributions | null> {
  const sortedQuantiles = [...quantiles].sort((a, b) => a - b);
  const [row] = await database.query(taskSummarySql, {
    appKey,
    stageId,
    stageAttemptId,
    // Bound as text and cast in SQL: a JS list binds with its first item's type, and 0 would make it INTEGER[].
    quantiles: JSON.stringify(sortedQuantiles),
  });
  if (!row || Number(row.n) === 0) return null;
  const summary: Record<string, unknown> = { quantiles: sortedQuantiles };
  metrics.forEach(([name], i) => {
    const path = name.split('.');
    let target = summary;
    for (const key of path.slice(0, -1)) target = (target[key] ??= {}) as Record<string, unknown>;
    target[path.at(-1)!] = row[column(i)] as number[];
  });
  return summary as unknown as TaskMetricDistributions;
}
