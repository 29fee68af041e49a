import type { Detector, InsightDraft } from '../detector.js';
import { capitalize, formatBytes, formatDuration, formatShare, round, stageLabel } from '../format.js';
import { stageFacts, taskTimePartsEvidence, taskTimePartsSql, type StageFacts, type TaskTimeParts } from '../stage-facts.js';
import { sameDataLimitBytes } from './stragglers.js';

/** The slowest task must take at least this many times the stage's median task... */
const SKEW_FACTOR = 5;
/** ...and hold the stage up at least this long (slowest - median)... */
const MIN_EXTRA_MS = 10_000;
/** ...and that long must be at least this share of the application's run time. */
const MIN_SHARE = 0.01;
/** A median needs this many successful tasks behind it. */
const MIN_TASKS = 5;
/** Byte skew (data-skew's finding): the slowest task read ≥ 256 MB and ≥ 5× the median (AQE's skew test). */
const BYTE_SKEW_BYTES = 256 * 1024 * 1024;
/** From this many tasks, a slow task that read the same data as its peers is the stragglers detector's finding. */
const STRAGGLER_MIN_TASKS = 10;
/** A part of the slowest task's time this share or more names the likely cause. */
const CAUSE_SHARE = 0.3;

interface SlowestTask extends TaskTimeParts {
  stageId: number;
  stageAttemptId: number;
  taskId: number;
  index: number | null;
  executorId: string | null;
  host: string | null;
  launchTime: number;
  duration: number;
  inputBytes: number;
  medianBytes: number;
  p75Bytes: number;
  tasks: number;
  medianInputBytes: number;
}

/**
 * Duration skew: a stage whose slowest task took ≥ 5× its median task and held the stage up ≥ 10 s and ≥ 1% of
 * the run, whatever the bytes (cache misses, file listing, a slow external call). Left to other detectors: a
 * slowest task that read ≥ 256 MB and ≥ 5× the median bytes (data-skew), or the same data as its peers in a stage
 * of 10+ tasks (stragglers). It claims the slowest task's time beyond the median.
 */
export const durationSkewDetector: Detector = {
  type: 'duration-skew',
  description: 'Stages whose slowest task took ≥ 5× the median task and held the stage up ≥ 10 s, whatever the bytes it read.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html#level-of-parallelism',
  async detect(context) {
    const { app, query } = context;
    const wallClock = app.durationMs ?? 0;
    if (wallClock <= 0) return [];
    const candidates = (await stageFacts(context)).filter(
      (f) =>
        f.successfulTasks >= MIN_TASKS && f.medianDurationMs !== null && f.maxDurationMs !== null &&
        f.maxDurationMs >= SKEW_FACTOR * Math.max(f.medianDurationMs, 1) &&
        f.maxDurationMs - f.medianDurationMs >= Math.max(MIN_EXTRA_MS, MIN_SHARE * wallClock),
    );
    if (candidates.length === 0) return [];
    const slowest = await query<SlowestTask>(`
      WITH t AS (
        SELECT stageId::INTEGER AS stageId, stageAttemptId::INTEGER AS stageAttemptId, taskId::DOUBLE AS taskId,
          "index"::INTEGER AS "index", executorId, host, launchTime::DOUBLE AS launchTime, duration::DOUBLE AS duration,
          ${taskTimePartsSql}, inputBytes::DOUBLE AS inputBytes
        FROM app_tasks($appKey) WHERE appKey = $appKey AND endReason = 'Success' AND hasMetrics AND duration IS NOT NULL
      ), m AS (
        SELECT stageId, stageAttemptId, quantile_cont(bytes, 0.5) AS medianBytes, quantile_cont(bytes, 0.75) AS p75Bytes,
          count(*) AS tasks, quantile_cont(inputBytes, 0.5) AS medianInputBytes
        FROM t GROUP BY ALL
      )
      SELECT t.*, m.medianBytes, m.p75Bytes, m.tasks::INTEGER AS tasks, m.medianInputBytes FROM t JOIN m USING (stageId, stageAttemptId)
      QUALIFY row_number() OVER (PARTITION BY t.stageId, t.stageAttemptId ORDER BY t.duration DESC, t.taskId) = 1`);
    const insights: InsightDraft[] = [];
    for (const f of candidates) {
      const task = slowest.find((s) => s.stageId === f.stageId && s.stageAttemptId === f.stageAttemptId);
      if (!task) continue;
      if (task.bytes >= BYTE_SKEW_BYTES && task.bytes >= SKEW_FACTOR * Math.max(task.medianBytes, 1)) continue;
      // Same data as its peers in a stage of 10+ tasks: the stragglers detector reports it (slow node or moment).
      const sameData = task.bytes <= sameDataLimitBytes(task.p75Bytes);
      if (sameData && task.tasks >= STRAGGLER_MIN_TASKS && f.p75DurationMs !== null && task.duration - f.p75DurationMs >= MIN_EXTRA_MS) continue;
      insights.push(insight(f, task, wallClock));
    }
    return insights;
  },
};

function likelyCause(task: SlowestTask): { cause: string; hint: string } {
  const parts: Array<[string, number, string]> = [
    ['gc', task.gcTime, 'it spent much of its time in JVM garbage collection (see the GC findings)'],
    ['fetch-wait', task.fetchWait, 'it waited on fetching shuffle blocks (a busy or distant executor, or many small blocks)'],
    ['scheduler-delay', task.schedulerDelay, 'it waited to start on its executor (scheduler delay)'],
    ['deserialization', task.deserialize, 'it spent long deserializing its task (a large closure or broadcast)'],
  ];
  const top = parts.sort((a, b) => b[1] - a[1])[0]!;
  if (top[1] >= CAUSE_SHARE * task.duration) return { cause: top[0], hint: top[2] };
  if (task.inputBytes > 0 && task.inputBytes >= 2 * Math.max(task.medianInputBytes, 1)) {
    return { cause: 'more-input', hint: `it read ${formatBytes(task.inputBytes)} of input against a median of ${formatBytes(task.medianInputBytes)} (a cache miss, or a larger file or split)` };
  }
  return { cause: 'own-code', hint: 'its time went into its own computation on about the same data (a slow record, a per-row external call, or a listing of a large directory)' };
}

function insight(f: StageFacts, task: SlowestTask, wallClock: number): InsightDraft {
  const median = f.medianDurationMs!;
  const extraMs = task.duration - median;
  const ratio = task.duration / Math.max(median, 1);
  const label = stageLabel(f.stageId, f.stageAttemptId);
  const { cause, hint } = likelyCause(task);
  return {
    id: `duration-skew:stage-${f.stageId}.${f.stageAttemptId}`,
    type: 'duration-skew',
    title: `${capitalize(label)} waited on one task ${ratio >= 100 ? ratio.toFixed(0) : ratio.toFixed(1)}× its median (${formatDuration(task.duration)} vs ${formatDuration(median)})`,
    description:
      `In ${label}${f.name ? ` (${f.name})` : ''}, task ${task.index ?? task.taskId} on executor ${task.executorId ?? 'unknown'}` +
      `${task.host ? ` (${task.host})` : ''} ran ${formatDuration(task.duration)} while the median of ${f.successfulTasks} ` +
      `successful tasks ran ${formatDuration(median)}; the stage's last ${formatDuration(extraMs)} waited mostly on it ` +
      `(${formatShare(Math.min(1, extraMs / wallClock))} of the application's run time). It read ${formatBytes(task.bytes)} ` +
      `against a median of ${formatBytes(task.medianBytes)}, so bytes alone do not explain it: ${hint}.`,
    evidence: {
      stageId: f.stageId,
      stageAttemptId: f.stageAttemptId,
      successfulTasks: f.successfulTasks,
      medianTaskMs: median,
      slowestTaskMs: task.duration,
      slowestToMedian: round(ratio, 1),
      extraMs,
      slowestTask: {
        taskId: task.taskId,
        index: task.index,
        executorId: task.executorId,
        host: task.host,
        ...taskTimePartsEvidence(task),
        inputBytes: task.inputBytes,
      },
      medianBytesRead: task.medianBytes,
      likelyCause: cause,
      impactBasis: 'the slowest task\'s time beyond the median, as wall-clock at the end of the stage',
      thresholds: { slowestToMedian: SKEW_FACTOR, minExtraMs: MIN_EXTRA_MS, minShareOfRunTime: MIN_SHARE, minTasks: MIN_TASKS, byteSkewLeftToDataSkew: BYTE_SKEW_BYTES },
    },
    confidence: f.successfulTasks >= 20 && ratio >= 10 ? 'HIGH' : f.successfulTasks >= 10 ? 'MEDIUM' : 'LOW',
    suggestion:
      'Look at what the slowest task did that the others did not: ' +
      (cause === 'more-input'
        ? 'if it re-read data the others found cached, cache with a storage level that survives (MEMORY_AND_DISK) or check for evicted blocks; if one file or split is larger, split it or repartition after reading.'
        : cause === 'gc' ? 'give tasks more heap or make them hold less (see the GC findings).'
        : cause === 'fetch-wait' ? 'check the executor that served its shuffle blocks; the external shuffle service or more, smaller partitions spread the fetches.'
        : cause === 'scheduler-delay' ? 'check whether its executor was overloaded or far from the driver (see the launch-delay findings).'
        : cause === 'deserialization' ? 'keep large objects out of task closures; broadcast them once instead.'
        : 'find the record or call that takes long (key, file, external service) and split or handle it apart; spark.speculation can run a copy of a slow task elsewhere when the cause is the machine.'),
    tradeoffs:
      'Speculation spends extra slots on copies of slow tasks; repartitioning adds a shuffle; caching more holds memory other tasks could use.',
    sparkDocsRef: durationSkewDetector.sparkDocsRef,
    jobId: f.jobId,
    stageId: f.stageId,
    stageAttemptId: f.stageAttemptId,
    sqlExecutionId: f.sqlExecutionId,
    impact: Math.min(1, extraMs / wallClock),
    impactMs: extraMs,
    claims: [{ from: task.launchTime + median, to: task.launchTime + task.duration, share: 1 }],
  };
}
