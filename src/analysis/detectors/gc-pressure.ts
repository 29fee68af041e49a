import type { Confidence } from '../insight.js';
import type { Detector, InsightDraft } from '../detector.js';
import { capitalize, counted, formatDuration, formatShare, round, someOf, stageLabel } from '../format.js';
import { stageFacts, stageKey, stageWindowClaims, type StageFacts } from '../stage-facts.js';

/**
 * GC time / executor run time tiers of Dr. Elephant's Spark executor-GC heuristic (low 8%, moderate 10%, severe
 * 15%, critical 20%); Spark's own executors page marks GC time red above 10% of task time.
 */
const GC_TIERS = [
  { tier: 'critical', ratio: 0.2 },
  { tier: 'severe', ratio: 0.15 },
  { tier: 'moderate', ratio: 0.1 },
  { tier: 'low', ratio: 0.08 },
] as const;
type GcTier = (typeof GC_TIERS)[number]['tier'];
const MIN_RATIO = 0.08;
/** Less GC than this (summed over tasks) is noise: a few young collections or JIT warm-up. */
const MIN_GC_TIME_MS = 5_000;
/** GC under 1% of the application's task time does not matter (its insight would be INFO). */
const MIN_SHARE_OF_APP_TASK_TIME = 0.01;
/** An executor with less task time than this has too few tasks behind its ratio to be listed. */
const MIN_EXECUTOR_RUN_TIME_MS = 10_000;

interface ExecutorGcRow {
  key: string;
  host: string | null;
  tasks: number;
  gcTime: number;
  taskTime: number;
}

interface ExecutorStageGcRow {
  executorId: string;
  host: string | null;
  tasks: number;
  taskTime: number;
  stageId: number;
  stageAttemptId: number;
  gcTime: number;
}

/** The tier a GC / run time ratio falls in, if any. */
export function gcTier(ratio: number): GcTier | null {
  return GC_TIERS.find((t) => ratio >= t.ratio)?.tier ?? null;
}

function confidenceFor(tasks: number, runTime: number): Confidence {
  if (tasks >= 50 && runTime >= 300_000) return 'HIGH';
  if (tasks >= 10 && runTime >= 60_000) return 'MEDIUM';
  return 'LOW';
}

const thresholds = {
  tiers: Object.fromEntries(GC_TIERS.map((t) => [t.tier, t.ratio])),
  tiersFrom: "Dr. Elephant's Spark executor GC heuristic; Spark's executors page marks GC above 10% of task time",
  minRatio: MIN_RATIO,
  minGcTimeMs: MIN_GC_TIME_MS,
  minShareOfAppTaskTime: MIN_SHARE_OF_APP_TASK_TIME,
};

/**
 * GC pressure: JVM garbage collection time against task time (the same kind of time: each task's GC, at most
 * its own duration, over the sum of task durations), per stage and for the executors outside the reported
 * stages, in the 8% / 10% / 15% / 20% tiers. Quiet below 8%, under 5 s of GC, or under 1% of the application's
 * task time. It claims its stages' wall-clock windows at the GC share of their task time.
 */
export const gcPressureDetector: Detector = {
  type: 'gc-pressure',
  description: 'Stages and executors whose tasks spent ≥ 8% of their task time in JVM garbage collection (tiers 8/10/15/20%).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html#garbage-collection-tuning',
  async detect(context) {
    const { app, query } = context;
    if (app.totalTaskTimeMs <= 0) return [];
    const facts = await stageFacts(context);
    const over = (gc: number, time: number): boolean =>
      gc >= MIN_RATIO * time && gc >= MIN_GC_TIME_MS && gc >= MIN_SHARE_OF_APP_TASK_TIME * app.totalTaskTimeMs;
    const flagged = facts.filter((f) => f.taskTimeMs > 0 && over(f.gcTimeMs, f.taskTimeMs));
    const perExecutorStage = await query<ExecutorStageGcRow>(`
      SELECT executorId, any_value(host) AS host, stageId::INTEGER AS stageId, stageAttemptId::INTEGER AS stageAttemptId,
        count(*)::INTEGER AS tasks, coalesce(sum(least(jvmGcTime, duration)), 0)::DOUBLE AS gcTime,
        coalesce(sum(duration), 0)::DOUBLE AS taskTime
      FROM app_tasks($appKey) WHERE appKey = $appKey AND hasMetrics AND finishTime IS NOT NULL AND executorId IS NOT NULL
      GROUP BY ALL`);
    const flaggedKeys = new Set(flagged.map((f) => stageKey(f.stageId, f.stageAttemptId)));
    const byExecutor = new Map<string, ExecutorGcRow>();
    for (const r of perExecutorStage) {
      if (flaggedKeys.has(stageKey(r.stageId, r.stageAttemptId))) continue;
      const row = byExecutor.get(r.executorId) ?? { key: r.executorId, host: r.host, tasks: 0, gcTime: 0, taskTime: 0 };
      row.tasks += r.tasks;
      row.gcTime += r.gcTime;
      row.taskTime += r.taskTime;
      byExecutor.set(r.executorId, row);
    }
    const executors = [...byExecutor.values()]
      .filter((row) => row.taskTime >= MIN_EXECUTOR_RUN_TIME_MS)
      .sort((a, b) => b.gcTime - a.gcTime || a.key.localeCompare(b.key));
    const insights = flagged.map((f) => stageInsight(f, perExecutorStage, app.totalTaskTimeMs, app.sparkProperties));
    const executorInsight = executorsInsight(executors, perExecutorStage, facts, flaggedKeys, app.totalTaskTimeMs, app.sparkProperties);
    return executorInsight ? [...insights, executorInsight] : insights;
  },
};

function configured(properties: ReadonlyMap<string, string>): Record<string, string | null> {
  return Object.fromEntries(
    ['spark.executor.memory', 'spark.executor.cores', 'spark.memory.fraction', 'spark.executor.extraJavaOptions'].map((key) => [
      key,
      properties.get(key) ?? null,
    ]),
  );
}

const SUGGESTION =
  'Give each task more heap or make it allocate less: raise spark.executor.memory, or lower spark.executor.cores so ' +
  'fewer concurrent tasks share one heap; prefer DataFrame operations and built-in functions over RDD lambdas and ' +
  'UDFs that create objects per row; cache with a serialized storage level (MEMORY_ONLY_SER / MEMORY_AND_DISK_SER); ' +
  'more partitions lower what each task holds at once. On Java 8, G1 (-XX:+UseG1GC in ' +
  'spark.executor.extraJavaOptions) often pauses less than the parallel collector with large heaps.';
const TRADEOFFS =
  'More memory per executor fits fewer executors per node and costs more; fewer cores per executor lowers its ' +
  'parallelism; serialized caching costs CPU on every read; more partitions add scheduling overhead.';

function stageInsight(
  f: StageFacts,
  perExecutorStage: ExecutorStageGcRow[],
  appTaskTime: number,
  properties: ReadonlyMap<string, string>,
): InsightDraft {
  const { stageId, stageAttemptId: attemptId } = f;
  const tasks = f.taskAttempts;
  const ratio = f.gcTimeMs / f.taskTimeMs;
  const tier = gcTier(ratio)!;
  const label = stageLabel(stageId, attemptId);
  const byExecutor = perExecutorStage
    .filter((r) => r.stageId === stageId && r.stageAttemptId === attemptId && r.gcTime > 0)
    .sort((a, b) => b.gcTime - a.gcTime);
  const top = byExecutor[0];
  const concentrated = byExecutor.length > 1 && top !== undefined && top.gcTime >= 0.5 * f.gcTimeMs;
  return {
    id: `gc-pressure:stage-${stageId}.${attemptId}`,
    type: 'gc-pressure',
    title: `${capitalize(label)} spent ${formatShare(ratio)} of its task time in garbage collection (${tier} tier)`,
    description:
      `The ${counted(tasks, 'task')} of ${label}${f.name ? ` (${f.name})` : ''} ran ${formatDuration(f.taskTimeMs)} of task time on ` +
      `${counted(byExecutor.length || 1, 'executor')} and spent ${formatDuration(f.gcTimeMs)} of it in JVM garbage collection ` +
      `(${formatShare(ratio)}, the ${tier} tier: ≥ ${formatShare(GC_TIERS.find((t) => t.tier === tier)!.ratio)}; each task's GC ` +
      `counted within its own time). That is ${formatShare(f.gcTimeMs / appTaskTime)} of the application's task time.` +
      (concentrated ? ` Executor ${top.executorId} accounts for ${formatShare(top.gcTime / f.gcTimeMs)} of it.` : ''),
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      tasks,
      executors: byExecutor.length,
      gcTimeMs: f.gcTimeMs,
      taskTimeMs: f.taskTimeMs,
      gcRatio: round(ratio),
      gcRatioBasis: 'sum over tasks of min(JVM GC time, task duration) / sum of task durations',
      tier,
      stageWallMs: f.wallMs,
      gcByExecutor: byExecutor.slice(0, 10).map((r) => ({ id: r.executorId, gcTimeMs: r.gcTime })),
      appTaskTimeMs: appTaskTime,
      configured: configured(properties),
      thresholds,
    },
    confidence: confidenceFor(tasks, f.taskTimeMs),
    suggestion: concentrated
      ? `Most of this GC was on executor ${top.executorId}: compare its host and cached blocks with the others. ${SUGGESTION}`
      : SUGGESTION,
    tradeoffs: TRADEOFFS,
    sparkDocsRef: gcPressureDetector.sparkDocsRef,
    jobId: f.jobId,
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: f.sqlExecutionId,
    impact: Math.min(1, f.gcTimeMs / appTaskTime),
    impactMs: f.gcTimeMs,
    claims: stageWindowClaims(f, ratio),
  };
}

/**
 * One insight for the executors (driver too, in local mode) whose GC share of task time is in a tier, counting
 * only tasks of stages not reported on their own (their time is claimed there already).
 */
function executorsInsight(
  rows: ExecutorGcRow[],
  perExecutorStage: ExecutorStageGcRow[],
  facts: StageFacts[],
  flaggedKeys: ReadonlySet<string>,
  appTaskTime: number,
  properties: ReadonlyMap<string, string>,
): InsightDraft | null {
  const over = rows.filter((row) => row.gcTime >= MIN_RATIO * row.taskTime);
  const gcTime = over.reduce((sum, row) => sum + row.gcTime, 0);
  const taskTime = over.reduce((sum, row) => sum + row.taskTime, 0);
  const tasks = over.reduce((sum, row) => sum + Number(row.tasks), 0);
  if (over.length === 0 || gcTime < MIN_GC_TIME_MS || gcTime < MIN_SHARE_OF_APP_TASK_TIME * appTaskTime) return null;
  const ratio = gcTime / taskTime;
  const tier = gcTier(ratio)!;
  const few = over.length * 2 <= rows.length && rows.length > 1;
  const names = over.map((row) => (row.key === 'driver' ? 'the driver (local mode)' : `executor ${row.key}`));
  const listed = someOf(names, 5);
  const overIds = new Set(over.map((row) => row.key));
  const claims = facts.flatMap((f) => {
    if (flaggedKeys.has(stageKey(f.stageId, f.stageAttemptId)) || f.firstLaunch === null || f.lastFinish === null || f.taskTimeMs <= 0) return [];
    const gc = perExecutorStage
      .filter((r) => r.stageId === f.stageId && r.stageAttemptId === f.stageAttemptId && overIds.has(r.executorId))
      .reduce((sum, r) => sum + r.gcTime, 0);
    return gc > 0 ? stageWindowClaims(f, gc / f.taskTimeMs) : [];
  });
  return {
    id: 'gc-pressure:executors',
    type: 'gc-pressure',
    title:
      rows.length === 1
        ? `Garbage collection took ${formatShare(ratio)} of task time on ${names[0]} (${tier} tier)`
        : `Garbage collection took ${formatShare(ratio)} of task time on ${over.length} of ${rows.length} executors (${tier} tier)`,
    description: (
      `On ${listed}, tasks spent ${formatDuration(gcTime)} of their ${formatDuration(taskTime)} of task time in JVM garbage ` +
      `collection (${formatShare(ratio)}; each listed executor is at ≥ ${formatShare(MIN_RATIO)})` +
      (flaggedKeys.size > 0 ? `, outside the ${counted(flaggedKeys.size, 'stage')} reported on ${flaggedKeys.size === 1 ? 'its' : 'their'} own. ` : '. ') +
      (rows.length === 1
        ? ''
        : few
        ? 'The other executors stayed below that, so look at what these ones had in common: their hosts, cached blocks they held, or the tasks they ran.'
        : 'Most executors are affected, which points at how much heap each task gets rather than at particular hosts.')
    ).trimEnd(),
    evidence: {
      executorsOverThreshold: over.length,
      executorsConsidered: rows.length,
      gcTimeMs: gcTime,
      taskTimeMs: taskTime,
      gcRatio: round(ratio),
      gcRatioBasis: 'sum over tasks of min(JVM GC time, task duration) / sum of task durations, stages reported on their own left out',
      stagesLeftOut: [...flaggedKeys],
      tier,
      executors: over.slice(0, 10).map((row) => ({
        id: row.key,
        host: row.host,
        tasks: Number(row.tasks),
        gcTimeMs: row.gcTime,
        taskTimeMs: row.taskTime,
        gcRatio: round(row.gcTime / row.taskTime),
        tier: gcTier(row.gcTime / row.taskTime),
      })),
      appTaskTimeMs: appTaskTime,
      configured: configured(properties),
      thresholds: { ...thresholds, minExecutorTaskTimeMs: MIN_EXECUTOR_RUN_TIME_MS },
    },
    confidence: confidenceFor(tasks, taskTime),
    suggestion: few
      ? 'Compare these executors with the others (host, storage memory used, the stages whose tasks they ran); if ' +
        'they hold large cached blocks, cache less or serialized. If their hosts are busy with other work, exclude ' +
        `them or move the application. ${SUGGESTION}`
      : SUGGESTION,
    tradeoffs: TRADEOFFS,
    sparkDocsRef: gcPressureDetector.sparkDocsRef,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: Math.min(1, gcTime / appTaskTime),
    impactMs: gcTime,
    claims,
  };
}
