import { adaptiveExecutionEnabled, shareOfRunTime, type Detector, type InsightDraft } from '../detector.js';
import { stageFacts, stageWindowClaims } from '../stage-facts.js';
import { counted, formatBytes, formatDuration } from '../format.js';

/** Spark AQE's own skew test: a partition is skewed when it is this many times the median... */
const SKEW_FACTOR = 5; // spark.sql.adaptive.skewJoin.skewedPartitionFactor
/** ...and larger than this (spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes, 256 MB). */
const SKEW_THRESHOLD_BYTES = 256 * 1024 * 1024;
/** Fewer successful tasks than this make a median meaningless. */
const MIN_TASKS = 10;
/** The largest task must run at least this much longer than the median to be worth a finding. */
const MIN_EXTRA_RUNTIME_MS = 10_000;

interface StageDistribution {
  stageId: bigint;
  attemptId: bigint;
  name: string | null;
  tasks: bigint;
  medianRunTime: number;
  maxRunTime: number;
  medianBytes: number;
  maxBytes: number;
  bytesKind: 'shuffle read' | 'input';
  /** What the stage's name says it did (groupBy, join...), for the suggestion. */
  isJoin: boolean;
}

/**
 * Data skew: in a stage, the largest task's data is at least 5 times the median and over 256 MB (AQE's own
 * skew test), and it ran at least 10 s longer than the median task. The cost is the stage's wait for its
 * largest task: (max - median) run time.
 */
export const dataSkewDetector: Detector = {
  type: 'data-skew',
  description:
    'A few tasks of a stage read far more data than the others (max ≥ 5× median and ≥ 256 MB, as AQE tests), so ' +
    'the stage waits for them.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#optimizing-skew-join',
  async detect(context) {
    const { app, query } = context;
    const facts = await stageFacts(context);
    const rows = await query<StageDistribution>(`
      WITH t AS (
        SELECT stageId, stageAttemptId, executorRunTime::DOUBLE AS runTime,
          (shuffleRemoteBytesRead + shuffleLocalBytesRead)::DOUBLE AS shuffleBytes, inputBytes::DOUBLE AS inputBytes
        FROM app_tasks($appKey) WHERE appKey = $appKey AND status = 'SUCCESS' AND hasMetrics
      ), per_stage AS (
        SELECT stageId, stageAttemptId, count(*) AS tasks,
          quantile_cont(runTime, 0.5) AS medianRunTime, max(runTime) AS maxRunTime,
          quantile_cont(shuffleBytes, 0.5) AS medianShuffle, max(shuffleBytes) AS maxShuffle,
          quantile_cont(inputBytes, 0.5) AS medianInput, max(inputBytes) AS maxInput
        FROM t GROUP BY ALL
      )
      SELECT p.stageId, p.stageAttemptId AS attemptId, s.name, p.tasks, p.medianRunTime, p.maxRunTime,
        CASE WHEN p.maxShuffle >= p.maxInput THEN p.medianShuffle ELSE p.medianInput END AS medianBytes,
        greatest(p.maxShuffle, p.maxInput) AS maxBytes,
        CASE WHEN p.maxShuffle >= p.maxInput THEN 'shuffle read' ELSE 'input' END AS bytesKind,
        coalesce(regexp_matches(lower(s.name || ' ' || coalesce(s.details, '')), 'join'), false) AS isJoin
      FROM per_stage p JOIN v_stages s
        ON s.appKey = $appKey AND s.stageId = p.stageId AND s.attemptId = p.stageAttemptId
      WHERE p.tasks >= ${MIN_TASKS}
        AND greatest(p.maxShuffle, p.maxInput) >= ${SKEW_THRESHOLD_BYTES}
        AND greatest(p.maxShuffle, p.maxInput) >= ${SKEW_FACTOR} *
            greatest(CASE WHEN p.maxShuffle >= p.maxInput THEN p.medianShuffle ELSE p.medianInput END, 1)
        AND p.maxRunTime - p.medianRunTime >= ${MIN_EXTRA_RUNTIME_MS}
      ORDER BY p.stageId, p.stageAttemptId`);
    const aqe = adaptiveExecutionEnabled(app);
    const skewJoin = aqe && app.sparkProperties.get('spark.sql.adaptive.skewJoin.enabled') !== 'false';
    return rows.map((row): InsightDraft => {
      const stageId = Number(row.stageId);
      const attemptId = Number(row.attemptId);
      const tasks = Number(row.tasks);
      const extraMs = row.maxRunTime - row.medianRunTime;
      const byteRatio = row.maxBytes / Math.max(row.medianBytes, 1);
      const runtimeRatio = row.maxRunTime / Math.max(row.medianRunTime, 1);
      const suggestion = row.isJoin
        ? skewJoin
          ? 'AQE skew-join handling was on but did not split this stage (it only splits sort-merge join inputs). Salting the hot join keys, or broadcasting the smaller side, spreads the work.'
          : 'Turn on adaptive query execution with skew-join handling (spark.sql.adaptive.enabled=true, spark.sql.adaptive.skewJoin.enabled=true) so Spark splits oversized join partitions; or salt the hot join keys.'
        : 'Salt the hot keys of this aggregation (add a random suffix, aggregate partially, then aggregate again without it), or filter/handle the dominant key separately.';
      return {
        id: `data-skew:stage-${stageId}.${attemptId}`,
        type: 'data-skew',
        title: `Stage ${stageId} is skewed: its largest task read ${byteRatio.toFixed(1)}× the median`,
        description:
          `In stage ${stageId}${row.name ? ` (${row.name})` : ''} the largest task read ${formatBytes(row.maxBytes)} of ${row.bytesKind} ` +
          `data against a median of ${formatBytes(row.medianBytes)} over ${counted(tasks, 'task')}, and ran ${formatDuration(extraMs)} ` +
          `longer than the median task (${runtimeRatio.toFixed(1)}× its run time). The stage could not finish before it. ` +
          `Adaptive query execution was ${aqe ? 'on' : 'off'}.`,
        evidence: {
          stageId,
          stageAttemptId: attemptId,
          successfulTasks: tasks,
          bytesKind: row.bytesKind,
          maxBytes: row.maxBytes,
          medianBytes: row.medianBytes,
          byteRatio: Number(byteRatio.toFixed(2)),
          maxRunTimeMs: row.maxRunTime,
          medianRunTimeMs: row.medianRunTime,
          adaptiveExecutionEnabled: aqe,
          thresholds: {
            skewedPartitionFactor: SKEW_FACTOR,
            skewedPartitionThresholdInBytes: SKEW_THRESHOLD_BYTES,
            minSuccessfulTasks: MIN_TASKS,
            minExtraRunTimeMs: MIN_EXTRA_RUNTIME_MS,
          },
        },
        confidence: tasks >= 50 && runtimeRatio >= SKEW_FACTOR ? 'HIGH' : tasks >= 20 ? 'MEDIUM' : 'LOW',
        suggestion,
        tradeoffs: row.isJoin
          ? 'Skew-join splitting adds tasks and replicates the other side\'s matching rows; salting multiplies the other join side by the number of salt values.'
          : 'Salting adds a second aggregation step and a wider shuffle; handling a dominant key separately adds code paths to keep consistent.',
        sparkDocsRef: dataSkewDetector.sparkDocsRef,
        jobId: null,
        stageId,
        stageAttemptId: attemptId,
        sqlExecutionId: null,
        impact: shareOfRunTime(app, extraMs),
        impactMs: extraMs,
        // The stage's last extraMs waited on its largest task.
        claims: stageWindowClaims(facts.find((f) => f.stageId === stageId && f.stageAttemptId === attemptId), 1).map((c) => ({ ...c, from: Math.max(c.from, c.to - extraMs) })),
      };
    });
  },
};
