import type { WallClaim } from './claims.js';
import { sharedByDetectors, type DetectorContext } from './detector.js';
import { VENDOR_TASK_METRICS } from '../model/vendor-metrics.js';
import { batchesUpTo } from '../store/batch-keys.js';

/**
 * The facts every detector needs about one stage attempt, computed once per application: its window, task
 * time and the kinds of time inside it, bytes, duration quantiles, first job and SQL execution.
 *
 * Per-task times (GC, deserialization, fetch wait, scheduler delay) are each capped at the task's own duration
 * before summing, so a sum is always comparable with `taskTimeMs`: a JVM pause that several concurrent tasks
 * all count is counted once per task, inside that task's time, never against a shorter window.
 */
export interface StageFacts {
  stageId: number;
  stageAttemptId: number;
  name: string | null;
  status: string;
  /** Tasks Spark planned for the attempt. */
  numTasks: number;
  /** Task attempts that finished (any outcome). */
  taskAttempts: number;
  successfulTasks: number;
  submissionTime: number | null;
  completionTime: number | null;
  firstLaunch: number | null;
  lastFinish: number | null;
  /** From first task launch to last task finish, ms (0 without tasks). */
  wallMs: number;
  /** Sum of finished task attempts' durations (launch to finish), ms. */
  taskTimeMs: number;
  runTimeMs: number;
  gcTimeMs: number;
  schedulerDelayMs: number;
  fetchWaitMs: number;
  /** Sum of task time minus executor run time, each task at least 0 (scheduling, deserialization, results). */
  overheadMs: number;
  inputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  memorySpilled: number;
  diskSpilled: number;
  medianDurationMs: number | null;
  p75DurationMs: number | null;
  maxDurationMs: number | null;
  medianInputBytes: number | null;
  medianShuffleReadBytes: number | null;
  jobId: number | null;
  jobDescription: string | null;
  sqlExecutionId: number | null;
  /** Last finish of a successful task attempt (null without one). */
  lastSuccessFinish: number | null;
  /** 75th percentile of bytes read (input + shuffle) by successful tasks. */
  p75ReadBytes: number | null;
  /** Medians over successful tasks with metrics, each capped at the task's duration. */
  medianGcMs: number | null;
  medianFetchWaitMs: number | null;
  medianSchedulerDelayMs: number | null;
  medianDeserializeMs: number | null;
  /** Distinct executors and hosts that ran successful tasks. */
  executors: number;
  hosts: number;
  /** Speculative task attempts launched. */
  speculativeAttempts: number;
  /** Shuffle bytes fetched from other executors. */
  remoteBytesRead: number;
  shuffleReadRecords: number;
  /** Serialized results completed result tasks sent the driver, in all and the largest one's. */
  resultBytes: number;
  maxTaskResultBytes: number;
  /** Time the driver spent fetching indirect results of completed result tasks, each capped at its task's duration. */
  gettingResultMs: number;
  /** Attempts that ended FetchFailed. */
  fetchFailedTasks: number;
  /** Duration of attempts that ended FetchFailed or Resubmitted (work lost with shuffle output). */
  lostShuffleTaskMs: number;
  /** Largest peakExecutionMemory of a task (Spark's task metric; null without metrics). */
  peakExecutionMemory: number | null;
  /** Largest task peak from vendor accumulators (Photon's "... peak memory usage"); null when none. */
  vendorPeakExecutionMemory: number | null;
  /** Sum of the tasks' shuffle write time (Spark's task metric, ns), in ms, each capped at its task's duration. */
  shuffleWriteTimeMs: number;
  /** The same from vendor accumulators (Photon's "... (part of shuffle file write)", ns), in ms. */
  vendorShuffleWriteTimeMs: number;
}

/**
 * SQL: one task's value of a vendor metric, combined over its accumulators as the metric says (max or sum). Only
 * SQL metrics count: a user accumulator that happens to share the name is not the engine's.
 */
function vendorTaskValue(metric: keyof typeof VENDOR_TASK_METRICS): string {
  const { namePart, combine } = VENDOR_TASK_METRICS[metric];
  return `list_${combine}(list_transform(list_filter(coalesce(accumulables, []), a -> a.metadata = 'sql' AND contains(a.name, '${namePart}')),
      a -> TRY_CAST(a."update" AS DOUBLE)))`;
}

/**
 * SQL for the facts of the stage attempts of some stages (`$stageIds`) of one application, filtered by `$appKey`
 * before it aggregates so a query touches only that application's rows.
 */
const stageFactsSql = `
WITH t AS (
  SELECT * FROM app_tasks($appKey)
  WHERE appKey = $appKey AND finishTime IS NOT NULL AND list_contains($stageIds::INTEGER[], stageId)
), agg AS (
  SELECT stageId, stageAttemptId,
    count(*) AS taskAttempts,
    count(*) FILTER (WHERE endReason = 'Success') AS successfulTasks,
    min(launchTime)::DOUBLE AS firstLaunch, max(finishTime)::DOUBLE AS lastFinish,
    coalesce(sum(duration), 0)::DOUBLE AS taskTimeMs,
    coalesce(sum(least(executorRunTime, duration)) FILTER (WHERE hasMetrics), 0)::DOUBLE AS runTimeMs,
    coalesce(sum(least(jvmGcTime, duration)) FILTER (WHERE hasMetrics), 0)::DOUBLE AS gcTimeMs,
    coalesce(sum(least(schedulerDelay, duration)), 0)::DOUBLE AS schedulerDelayMs,
    coalesce(sum(least(shuffleFetchWaitTime, duration)) FILTER (WHERE hasMetrics), 0)::DOUBLE AS fetchWaitMs,
    coalesce(sum(greatest(duration - executorRunTime, 0)) FILTER (WHERE hasMetrics), 0)::DOUBLE AS overheadMs,
    coalesce(sum(inputBytes), 0)::DOUBLE AS inputBytes,
    coalesce(sum(shuffleRemoteBytesRead + shuffleLocalBytesRead), 0)::DOUBLE AS shuffleReadBytes,
    coalesce(sum(shuffleWriteBytes), 0)::DOUBLE AS shuffleWriteBytes,
    coalesce(sum(memoryBytesSpilled), 0)::DOUBLE AS memorySpilled,
    coalesce(sum(diskBytesSpilled), 0)::DOUBLE AS diskSpilled,
    quantile_cont(duration, 0.5) FILTER (WHERE endReason = 'Success')::DOUBLE AS medianDurationMs,
    quantile_cont(duration, 0.75) FILTER (WHERE endReason = 'Success')::DOUBLE AS p75DurationMs,
    max(duration) FILTER (WHERE endReason = 'Success')::DOUBLE AS maxDurationMs,
    quantile_cont(inputBytes, 0.5) FILTER (WHERE endReason = 'Success')::DOUBLE AS medianInputBytes,
    quantile_cont(shuffleRemoteBytesRead + shuffleLocalBytesRead, 0.5) FILTER (WHERE endReason = 'Success')::DOUBLE
      AS medianShuffleReadBytes,
    max(finishTime) FILTER (WHERE endReason = 'Success')::DOUBLE AS lastSuccessFinish,
    quantile_cont(inputBytes + shuffleRemoteBytesRead + shuffleLocalBytesRead, 0.75) FILTER (WHERE endReason = 'Success')::DOUBLE
      AS p75ReadBytes,
    quantile_cont(least(jvmGcTime, duration), 0.5) FILTER (WHERE endReason = 'Success' AND hasMetrics)::DOUBLE AS medianGcMs,
    quantile_cont(least(shuffleFetchWaitTime, duration), 0.5) FILTER (WHERE endReason = 'Success' AND hasMetrics)::DOUBLE
      AS medianFetchWaitMs,
    quantile_cont(least(schedulerDelay, duration), 0.5) FILTER (WHERE endReason = 'Success')::DOUBLE AS medianSchedulerDelayMs,
    quantile_cont(least(executorDeserializeTime, duration), 0.5) FILTER (WHERE endReason = 'Success' AND hasMetrics)::DOUBLE
      AS medianDeserializeMs,
    count(DISTINCT executorId) FILTER (WHERE endReason = 'Success') AS executors,
    count(DISTINCT host) FILTER (WHERE endReason = 'Success') AS hosts,
    count(*) FILTER (WHERE speculative) AS speculativeAttempts,
    coalesce(sum(shuffleRemoteBytesRead), 0)::DOUBLE AS remoteBytesRead,
    coalesce(sum(shuffleReadRecords), 0)::DOUBLE AS shuffleReadRecords,
    coalesce(sum(resultSize) FILTER (WHERE taskType = 'ResultTask' AND outcome = 'completed' AND hasMetrics), 0)::DOUBLE AS resultBytes,
    coalesce(max(resultSize) FILTER (WHERE taskType = 'ResultTask' AND outcome = 'completed' AND hasMetrics), 0)::DOUBLE AS maxTaskResultBytes,
    coalesce(sum(least(gettingResultTime, duration)) FILTER (WHERE taskType = 'ResultTask' AND outcome = 'completed'), 0)::DOUBLE
      AS gettingResultMs,
    count(*) FILTER (WHERE endReason = 'FetchFailed')::INTEGER AS fetchFailedTasks,
    coalesce(sum(duration) FILTER (WHERE endReason IN ('FetchFailed', 'Resubmitted')), 0)::DOUBLE AS lostShuffleTaskMs,
    max(peakExecutionMemory) FILTER (WHERE hasMetrics)::DOUBLE AS peakExecutionMemory,
    max(${vendorTaskValue('peakExecutionMemory')})::DOUBLE AS vendorPeakExecutionMemory,
    coalesce(sum(least(coalesce(shuffleWriteTime, 0) / 1e6, duration)) FILTER (WHERE hasMetrics), 0)::DOUBLE AS shuffleWriteTimeMs,
    -- least() skips NULLs, so a task without the metric counts 0, not its duration.
    coalesce(sum(least(coalesce(${vendorTaskValue('shuffleWriteTime')}, 0) / 1e6, duration)), 0)::DOUBLE AS vendorShuffleWriteTimeMs
  FROM t GROUP BY ALL
), stage_jobs AS (
  SELECT stageId, min(jobId) AS jobId FROM job_stages WHERE appKey = $appKey GROUP BY ALL
)
SELECT s.stageId::INTEGER AS stageId, s.attemptId::INTEGER AS stageAttemptId, s.name, s.status,
  coalesce(s.numTasks, 0)::INTEGER AS numTasks,
  coalesce(a.taskAttempts, 0)::INTEGER AS taskAttempts, coalesce(a.successfulTasks, 0)::INTEGER AS successfulTasks,
  s.submissionTime::DOUBLE AS submissionTime, s.completionTime::DOUBLE AS completionTime,
  a.firstLaunch, a.lastFinish, coalesce(a.lastFinish - a.firstLaunch, 0)::DOUBLE AS wallMs,
  coalesce(a.taskTimeMs, 0) AS taskTimeMs, coalesce(a.runTimeMs, 0) AS runTimeMs, coalesce(a.gcTimeMs, 0) AS gcTimeMs,
  coalesce(a.schedulerDelayMs, 0) AS schedulerDelayMs,
  coalesce(a.fetchWaitMs, 0) AS fetchWaitMs, coalesce(a.overheadMs, 0) AS overheadMs,
  coalesce(a.inputBytes, 0) AS inputBytes, coalesce(a.shuffleReadBytes, 0) AS shuffleReadBytes,
  coalesce(a.shuffleWriteBytes, 0) AS shuffleWriteBytes, coalesce(a.memorySpilled, 0) AS memorySpilled,
  coalesce(a.diskSpilled, 0) AS diskSpilled,
  a.medianDurationMs, a.p75DurationMs, a.maxDurationMs, a.medianInputBytes, a.medianShuffleReadBytes,
  j.jobId::INTEGER AS jobId, jobs.description AS jobDescription, jobs.sqlExecutionId::INTEGER AS sqlExecutionId,
  a.lastSuccessFinish, a.p75ReadBytes, a.medianGcMs, a.medianFetchWaitMs, a.medianSchedulerDelayMs, a.medianDeserializeMs,
  coalesce(a.executors, 0)::INTEGER AS executors, coalesce(a.hosts, 0)::INTEGER AS hosts,
  coalesce(a.speculativeAttempts, 0)::INTEGER AS speculativeAttempts,
  coalesce(a.remoteBytesRead, 0) AS remoteBytesRead, coalesce(a.shuffleReadRecords, 0) AS shuffleReadRecords,
  coalesce(a.resultBytes, 0) AS resultBytes, coalesce(a.maxTaskResultBytes, 0) AS maxTaskResultBytes,
  coalesce(a.gettingResultMs, 0) AS gettingResultMs, coalesce(a.fetchFailedTasks, 0)::INTEGER AS fetchFailedTasks,
  coalesce(a.lostShuffleTaskMs, 0) AS lostShuffleTaskMs,
  a.peakExecutionMemory, a.vendorPeakExecutionMemory,
  coalesce(a.shuffleWriteTimeMs, 0) AS shuffleWriteTimeMs, coalesce(a.vendorShuffleWriteTimeMs, 0) AS vendorShuffleWriteTimeMs
FROM stages s
LEFT JOIN agg a ON a.stageId = s.stageId AND a.stageAttemptId = s.attemptId
LEFT JOIN stage_jobs j ON j.stageId = s.stageId
LEFT JOIN jobs ON jobs.appKey = $appKey AND jobs.jobId = j.jobId
WHERE s.appKey = $appKey AND list_contains($stageIds::INTEGER[], s.stageId)
ORDER BY s.stageId, s.attemptId`;

/**
 * Finished task attempts aggregated per query. The quantiles hold every value of their stage attempts, so a large
 * application's stages are read a few at a time (365k tasks in one query held ~175 MB more).
 */
const FACTS_TASKS_PER_QUERY = 100_000;

/** The facts of every stage attempt of the context's application, `maxTasks` finished tasks' worth of stages a query. */
export async function readStageFacts(query: DetectorContext['query'], maxTasks = FACTS_TASKS_PER_QUERY): Promise<StageFacts[]> {
  // Sized by the precomputed task counts (a read of a few rows a stage, not of the tasks).
  const stages = await query<{ stageId: number; tasks: number }>(`
    SELECT stageId::INTEGER AS stageId, sum(numCompleteTasks + numFailedTasks + numKilledTasks)::DOUBLE AS tasks
    FROM app_stages WHERE appKey = $appKey GROUP BY ALL ORDER BY stageId`);
  const facts: StageFacts[] = [];
  for (const batch of batchesUpTo(stages, (stage) => stage.tasks, maxTasks)) {
    facts.push(...(await query<StageFacts>(stageFactsSql, { stageIds: `[${batch.map((stage) => stage.stageId).join(',')}]` })));
  }
  return facts;
}

const factsOf = sharedByDetectors((query) => readStageFacts(query));

/** The stage-attempt facts of the context's application, read once per context and shared by its detectors. */
export function stageFacts(context: Pick<DetectorContext, 'query'>): Promise<StageFacts[]> {
  return factsOf(context.query);
}

/** One task's time parts, each capped at its duration as the stage medians above are, and the bytes it read, in ms and bytes. */
export interface TaskTimeParts {
  runTime: number;
  gcTime: number;
  fetchWait: number;
  schedulerDelay: number;
  deserialize: number;
  /** Input plus shuffle read. */
  bytes: number;
}

/** SQL select list of {@link TaskTimeParts} over a row of app_tasks. */
export const taskTimePartsSql = `least(executorRunTime, duration)::DOUBLE AS runTime, least(jvmGcTime, duration)::DOUBLE AS gcTime,
  least(shuffleFetchWaitTime, duration)::DOUBLE AS fetchWait, least(schedulerDelay, duration)::DOUBLE AS schedulerDelay,
  least(executorDeserializeTime, duration)::DOUBLE AS deserialize,
  (inputBytes + shuffleRemoteBytesRead + shuffleLocalBytesRead)::DOUBLE AS bytes`;

/** A task's time parts as evidence (`slowestTask`), under the names the stage evidence uses. */
export function taskTimePartsEvidence(task: TaskTimeParts): { [key: string]: number } {
  return {
    runTimeMs: task.runTime,
    gcTimeMs: task.gcTime,
    fetchWaitMs: task.fetchWait,
    schedulerDelayMs: task.schedulerDelay,
    deserializeMs: task.deserialize,
    bytesRead: task.bytes,
  };
}

/** A stage attempt's key as used in maps: "3.0". */
export const stageKey = (stageId: number, attemptId: number): string => `${stageId}.${attemptId}`;

/** A claim on a stage attempt's window (first launch to last finish) at `share` (0-1); none when it ran no task. */
export function stageWindowClaims(f: StageFacts | undefined, share: number): WallClaim[] {
  if (!f || f.firstLaunch === null || f.lastFinish === null || f.lastFinish <= f.firstLaunch) return [];
  return [{ from: f.firstLaunch, to: f.lastFinish, share: Math.min(1, Math.max(0, share)) }];
}

/** A claim on a stage attempt's window at the share of its task time `ms` took (share 0 when it has no task time). */
export function stageTaskTimeClaims(f: StageFacts | undefined, ms: number): WallClaim[] {
  return stageWindowClaims(f, f && f.taskTimeMs > 0 ? ms / f.taskTimeMs : 0);
}

/** A stage metric with where it was read from, for the evidence (`metricSource`). */
export interface SourcedValue {
  value: number | null;
  source: string;
}

/**
 * Spark's task metric, or a vendor's accumulator where the engine left the task metric at 0 (Photon): the largest
 * task peak of execution memory, and where it came from.
 */
export function stagePeakExecutionMemory(f: StageFacts): SourcedValue {
  if (!(f.peakExecutionMemory ?? 0) && (f.vendorPeakExecutionMemory ?? 0) > 0) {
    const { engine, namePart } = VENDOR_TASK_METRICS.peakExecutionMemory;
    return { value: f.vendorPeakExecutionMemory, source: `${engine} accumulators "${namePart}" (largest per task)` };
  }
  return { value: f.peakExecutionMemory, source: 'task metrics (peakExecutionMemory)' };
}

/** The stage's shuffle write time (ms) from Spark's task metric, or a vendor's accumulators where it read 0. */
export function stageShuffleWriteTime(f: StageFacts): SourcedValue {
  if (f.shuffleWriteTimeMs <= 0 && f.vendorShuffleWriteTimeMs > 0) {
    const { engine, namePart } = VENDOR_TASK_METRICS.shuffleWriteTime;
    return { value: f.vendorShuffleWriteTimeMs, source: `${engine} accumulators "${namePart}" (summed)` };
  }
  return { value: f.shuffleWriteTimeMs, source: 'task metrics (shuffleWriteTime)' };
}
