import type { Confidence } from '../insight.js';
import type { Detector, InsightDraft } from '../detector.js';
import { capitalize, formatDuration, formatShare, round, stageLabel } from '../format.js';

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
/** An executor with less run time than this has too few tasks behind its ratio to be listed. */
const MIN_EXECUTOR_RUN_TIME_MS = 10_000;

interface GcRow {
  key: string;
  host: string | null;
  stageId: bigint | null;
  stageAttemptId: bigint | null;
  name: string | null;
  tasks: bigint;
  executors: bigint;
  gcTime: number;
  runTime: number;
  jobId: bigint | null;
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
 * GC pressure: JVM garbage collection time against executor run time, per stage and per executor, in the
 * 8% / 10% / 15% / 20% tiers. Quiet below 8%, under 5 s of GC, or under 1% of the application's task time.
 * The cost is the GC time itself.
 */
export const gcPressureDetector: Detector = {
  type: 'gc-pressure',
  description: 'Stages and executors whose tasks spent ≥ 8% of their run time in JVM garbage collection (tiers 8/10/15/20%).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html#garbage-collection-tuning',
  async detect({ app, query }) {
    if (app.totalTaskTimeMs <= 0) return [];
    const floors = `gcTime >= ${MIN_RATIO} * runTime AND gcTime >= ${MIN_GC_TIME_MS}
      AND gcTime >= ${MIN_SHARE_OF_APP_TASK_TIME} * $appTaskTime`;
    const stages = await query<GcRow>(`
      WITH t AS (
        SELECT stageId, stageAttemptId, count(*) AS tasks, count(DISTINCT executorId) AS executors,
          coalesce(sum(jvmGcTime), 0)::DOUBLE AS gcTime, coalesce(sum(executorRunTime), 0)::DOUBLE AS runTime
        FROM v_tasks WHERE appKey = $appKey AND hasMetrics GROUP BY ALL
      ), stage_jobs AS (
        SELECT stageId, min(jobId) AS jobId FROM job_stages WHERE appKey = $appKey GROUP BY ALL
      )
      SELECT t.stageId || '.' || t.stageAttemptId AS key, NULL AS host, t.*, s.name, j.jobId
      FROM t JOIN stages s ON s.appKey = $appKey AND s.stageId = t.stageId AND s.attemptId = t.stageAttemptId
      LEFT JOIN stage_jobs j ON j.stageId = t.stageId
      WHERE ${floors}
      ORDER BY t.stageId, t.stageAttemptId`,
      { appTaskTime: app.totalTaskTimeMs },
    );
    const executors = await query<GcRow>(`
      SELECT t.executorId AS key, any_value(t.host) AS host, NULL AS stageId, NULL AS stageAttemptId, NULL AS name,
        count(*) AS tasks, 1 AS executors,
        coalesce(sum(jvmGcTime), 0)::DOUBLE AS gcTime, coalesce(sum(executorRunTime), 0)::DOUBLE AS runTime,
        NULL AS jobId
      FROM v_tasks t WHERE appKey = $appKey AND hasMetrics AND executorId IS NOT NULL
      GROUP BY t.executorId HAVING sum(executorRunTime) >= ${MIN_EXECUTOR_RUN_TIME_MS}
      ORDER BY gcTime DESC, key`);
    const insights = stages.map((row) => stageInsight(row, app.totalTaskTimeMs, app.sparkProperties));
    const executorInsight = executorsInsight(executors, app.totalTaskTimeMs, app.sparkProperties);
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

function stageInsight(row: GcRow, appTaskTime: number, properties: ReadonlyMap<string, string>): InsightDraft {
  const stageId = Number(row.stageId);
  const attemptId = Number(row.stageAttemptId);
  const tasks = Number(row.tasks);
  const ratio = row.gcTime / row.runTime;
  const tier = gcTier(ratio)!;
  const label = stageLabel(stageId, attemptId);
  return {
    id: `gc-pressure:stage-${stageId}.${attemptId}`,
    type: 'gc-pressure',
    title: `${capitalize(label)} spent ${formatShare(ratio)} of its run time in garbage collection (${tier} tier)`,
    description:
      `The ${tasks} tasks of ${label}${row.name ? ` (${row.name})` : ''} ran ${formatDuration(row.runTime)} on ` +
      `${Number(row.executors)} executor(s) and spent ${formatDuration(row.gcTime)} of it in JVM garbage collection ` +
      `(${formatShare(ratio)}, the ${tier} tier: ≥ ${formatShare(GC_TIERS.find((t) => t.tier === tier)!.ratio)}). ` +
      `That is ${formatShare(row.gcTime / appTaskTime)} of the application's task time.`,
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      tasks,
      executors: Number(row.executors),
      gcTimeMs: row.gcTime,
      runTimeMs: row.runTime,
      gcRatio: round(ratio),
      tier,
      appTaskTimeMs: appTaskTime,
      configured: configured(properties),
      thresholds,
    },
    confidence: confidenceFor(tasks, row.runTime),
    suggestion: SUGGESTION,
    tradeoffs: TRADEOFFS,
    sparkDocsRef: gcPressureDetector.sparkDocsRef,
    jobId: row.jobId === null ? null : Number(row.jobId),
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: null,
    impact: Math.min(1, row.gcTime / appTaskTime),
    impactMs: row.gcTime,
  };
}

/** One insight for the executors (driver too, in local mode) whose GC ratio is in a tier, when it adds up. */
function executorsInsight(rows: GcRow[], appTaskTime: number, properties: ReadonlyMap<string, string>): InsightDraft | null {
  const over = rows.filter((row) => row.gcTime >= MIN_RATIO * row.runTime);
  const gcTime = over.reduce((sum, row) => sum + row.gcTime, 0);
  const runTime = over.reduce((sum, row) => sum + row.runTime, 0);
  const tasks = over.reduce((sum, row) => sum + Number(row.tasks), 0);
  if (over.length === 0 || gcTime < MIN_GC_TIME_MS || gcTime < MIN_SHARE_OF_APP_TASK_TIME * appTaskTime) return null;
  const ratio = gcTime / runTime;
  const tier = gcTier(ratio)!;
  const few = over.length * 2 <= rows.length && rows.length > 1;
  const names = over.slice(0, 5).map((row) => (row.key === 'driver' ? 'the driver (local mode)' : `executor ${row.key}`));
  const listed = `${names.join(', ')}${over.length > names.length ? ` and ${over.length - names.length} more` : ''}`;
  return {
    id: 'gc-pressure:executors',
    type: 'gc-pressure',
    title:
      rows.length === 1
        ? `Garbage collection took ${formatShare(ratio)} of run time on ${names[0]} (${tier} tier)`
        : `Garbage collection took ${formatShare(ratio)} of run time on ${over.length} of ${rows.length} executors (${tier} tier)`,
    description: (
      `On ${listed}, tasks spent ${formatDuration(gcTime)} of their ${formatDuration(runTime)} run time in JVM garbage ` +
      `collection (${formatShare(ratio)}; each listed executor is at ≥ ${formatShare(MIN_RATIO)}). ` +
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
      runTimeMs: runTime,
      gcRatio: round(ratio),
      tier,
      executors: over.slice(0, 10).map((row) => ({
        id: row.key,
        host: row.host,
        tasks: Number(row.tasks),
        gcTimeMs: row.gcTime,
        runTimeMs: row.runTime,
        gcRatio: round(row.gcTime / row.runTime),
        tier: gcTier(row.gcTime / row.runTime),
      })),
      appTaskTimeMs: appTaskTime,
      configured: configured(properties),
      thresholds: { ...thresholds, minExecutorRunTimeMs: MIN_EXECUTOR_RUN_TIME_MS },
    },
    confidence: confidenceFor(tasks, runTime),
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
  };
}
