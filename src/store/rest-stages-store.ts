import { executorMetricNames } from '../parse/event-schema.js';
import { groupByPosition } from './batch-keys.js';
import type { AnalysisDatabase } from './database.js';
import { sparkQuantilePositionsSql } from './task-summary.js';
import { stageAttemptKeyTable, type StageAttemptKey } from './tasks-store.js';

/**
 * What History Server adds to a stage attempt beyond its StageData numbers (v_stages): its peak executor
 * metrics, what each executor did for it, the speculative copies of its tasks and quantiles over its
 * executors. Each function reads its view for a whole batch of stage attempts at once.
 */

/** Peak executor metrics by Spark's metric names (JVMHeapMemory, TotalGCTime...). */
export type ExecutorMetricsRecord = Record<string, bigint>;

/** History Server's ExecutorStageSummary: one executor's work for one stage attempt (v_stage_executors). */
export interface ExecutorStageSummaryRecord {
  executorId: string;
  taskTime: bigint;
  failedTasks: bigint;
  succeededTasks: bigint;
  killedTasks: bigint;
  inputBytes: bigint;
  inputRecords: bigint;
  outputBytes: bigint;
  outputRecords: bigint;
  shuffleRead: bigint;
  shuffleReadRecords: bigint;
  shuffleWrite: bigint;
  shuffleWriteRecords: bigint;
  memoryBytesSpilled: bigint;
  diskBytesSpilled: bigint;
  isExcludedForStage: boolean;
  peakMemoryMetrics: ExecutorMetricsRecord | null;
}

/** History Server's SpeculationStageSummary (v_stage_speculation). */
export interface SpeculationSummaryRecord {
  numTasks: bigint;
  numActiveTasks: bigint;
  numCompletedTasks: bigint;
  numFailedTasks: bigint;
  numKilledTasks: bigint;
}

/** Quantiles of the executor summaries of one stage attempt (History Server's ExecutorMetricsDistributions). */
export interface ExecutorMetricsDistributionsRecord {
  quantiles: number[];
  taskTime: number[];
  failedTasks: number[];
  succeededTasks: number[];
  killedTasks: number[];
  inputBytes: number[];
  inputRecords: number[];
  outputBytes: number[];
  outputRecords: number[];
  shuffleRead: number[];
  shuffleReadRecords: number[];
  shuffleWrite: number[];
  shuffleWriteRecords: number[];
  memoryBytesSpilled: number[];
  diskBytesSpilled: number[];
  /** Per executor metric, the quantiles over the executors that have peaks. */
  peakMemoryMetrics: Record<string, number[]>;
}

type Keyed<T> = T & { k: bigint };

/** The peak executor metrics of each stage attempt, in key order; null for an attempt without any. */
export async function stagePeakMetrics(
  db: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
): Promise<Array<ExecutorMetricsRecord | null>> {
  if (stages.length === 0) return [];
  const wanted = stageAttemptKeyTable(stages);
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, p.peakExecutorMetrics FROM wanted w
     JOIN v_stage_peaks p ON p.appKey = w.appKey AND p.stageId = w.stageId AND p.attemptId = w.attemptId`,
    wanted.params,
  );
  return groupByPosition(stages.length, rows as unknown as Array<Keyed<{ peakExecutorMetrics: ExecutorMetricsRecord }>>).map(
    (group) => group[0]?.peakExecutorMetrics ?? null,
  );
}

/** The executor summaries of each stage attempt by executor id, in key order. */
export async function stageExecutorSummaries(
  db: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
): Promise<ExecutorStageSummaryRecord[][]> {
  if (stages.length === 0) return [];
  const wanted = stageAttemptKeyTable(stages);
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, e.executorId, e.taskTime, e.failedTasks, e.succeededTasks, e.killedTasks, e.inputBytes,
       e.inputRecords, e.outputBytes, e.outputRecords, e.shuffleRead, e.shuffleReadRecords, e.shuffleWrite,
       e.shuffleWriteRecords, e.memoryBytesSpilled, e.diskBytesSpilled, e.isExcludedForStage, e.peakMemoryMetrics
     FROM wanted w JOIN v_stage_executors e
       ON e.appKey = w.appKey AND e.stageId = w.stageId AND e.stageAttemptId = w.attemptId
     ORDER BY w.k, e.executorId`,
    wanted.params,
  );
  return groupByPosition(stages.length, rows as unknown as Array<Keyed<ExecutorStageSummaryRecord>>);
}

/** The speculation summary of each stage attempt, in key order; null for an attempt that speculated no task. */
export async function stageSpeculationSummaries(
  db: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
): Promise<Array<SpeculationSummaryRecord | null>> {
  if (stages.length === 0) return [];
  const wanted = stageAttemptKeyTable(stages);
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, s.numTasks, s.numActiveTasks, s.numCompletedTasks, s.numFailedTasks, s.numKilledTasks
     FROM wanted w JOIN v_stage_speculation s
       ON s.appKey = w.appKey AND s.stageId = w.stageId AND s.attemptId = w.attemptId`,
    wanted.params,
  );
  return groupByPosition(stages.length, rows as unknown as Array<Keyed<SpeculationSummaryRecord>>).map(
    (group) => group[0] ?? null,
  );
}

const summaryMetrics = [
  'taskTime',
  'failedTasks',
  'succeededTasks',
  'killedTasks',
  'inputBytes',
  'inputRecords',
  'outputBytes',
  'outputRecords',
  'shuffleRead',
  'shuffleReadRecords',
  'shuffleWrite',
  'shuffleWriteRecords',
  'memoryBytesSpilled',
  'diskBytesSpilled',
] as const;

/**
 * History Server's ExecutorMetricsDistributions of one stage attempt: each executor summary metric sorted over
 * the attempt's executors and read at the quantiles (sorted); the peak metrics only over the executors that
 * have peaks. Null when the attempt has no executor summary.
 */
export async function executorMetricsDistributions(
  db: AnalysisDatabase,
  stage: StageAttemptKey,
  quantiles: readonly number[],
): Promise<ExecutorMetricsDistributionsRecord | null> {
  const sorted = [...quantiles].sort((a, b) => a - b);
  const [row] = await db.query(
    `WITH sorted AS (
       SELECT count(*) AS n, count(peakMemoryMetrics) AS peaks,
         ${summaryMetrics.map((name) => `list_sort(list(${name}::DOUBLE)) AS ${name}`).join(', ')},
         ${executorMetricNames
           .map((name, i) => `list_sort(list(peakMemoryMetrics."${name}"::DOUBLE) FILTER (WHERE peakMemoryMetrics IS NOT NULL)) AS p${i}`)
           .join(', ')}
       FROM v_stage_executors
       WHERE appKey = $appKey AND stageId = $stageId AND stageAttemptId = $attemptId
     )
     SELECT n, peaks,
       ${summaryMetrics.map((name) => `list_transform(${sparkQuantilePositionsSql('n')}, p -> ${name}[p]) AS ${name}`).join(', ')},
       ${executorMetricNames.map((_, i) => `list_transform(${sparkQuantilePositionsSql('peaks')}, p -> p${i}[p]) AS p${i}`).join(', ')}
     FROM sorted`,
    { appKey: stage.appKey, stageId: stage.stageId, attemptId: stage.attemptId, quantiles: JSON.stringify(sorted) },
  );
  if (!row || Number(row.n) === 0) return null;
  const distributions: Record<string, unknown> = { quantiles: sorted };
  for (const name of summaryMetrics) distributions[name] = row[name];
  // With no peaks at all there is nothing to read at any quantile.
  const hasPeaks = Number(row.peaks) > 0;
  distributions.peakMemoryMetrics = Object.fromEntries(
    executorMetricNames.map((name, i) => [name, hasPeaks ? (row[`p${i}`] as number[]) : []]),
  );
  return distributions as unknown as ExecutorMetricsDistributionsRecord;
}
