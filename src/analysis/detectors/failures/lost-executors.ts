import { claimedWallMs } from '../../claims.js';
import { shareOfRunTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { stageFacts } from '../../stage-facts.js';
import { counted, formatDuration, someOf } from '../../format.js';
import { SCHEDULING_DOCS, adviceFor, categoryOfText, floorEvidence, shorten } from './causes.js';
import { lostTaskClaims, retryTailCtes, tailColumns, type StageLoss } from './wall-clock.js';
import { whatFailed } from './what-failed.js';

/** Removal reasons of executors the driver let go on purpose (dynamic allocation, decommissioning): not a loss. */
const RELEASED = /killed by driver|explicit termination request|decommission|Executor idle|idle timeout|requested by driver/i;

interface RemovedExecutor {
  executorId: string;
  host: string | null;
  removeReason: string | null;
  afterStartMs: number | null;
  failedAttempts: bigint;
  lostTaskMs: number;
}

/**
 * Executors lost while the application ran (removed for a reason other than the driver releasing them), with the
 * task attempts that failed with them. Always reported; the wall-clock of those attempts ranks it (each stage's
 * window at the share of its task time they took; recomputing their shuffle output is the resubmitted stages' and
 * tasks' finding). The `executor-lost` task group is folded in here rather than reported a second time.
 */
export async function lostExecutorInsights(context: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const { app, query } = context;
  const failed = await whatFailed(query);
  if (failed.removedExecutors === 0 && failed.executorLostTasks === 0) return [];
  const removed = await query<RemovedExecutor>(`
    WITH a AS (SELECT startTime, endTime FROM applications WHERE appKey = $appKey)
    SELECT e.executorId, e.host, e.removeReason, (e.removeTime - (SELECT startTime FROM a))::DOUBLE AS afterStartMs,
      (SELECT count(*) FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.executorId = e.executorId AND t.endReason = 'ExecutorLostFailure') AS failedAttempts,
      coalesce((SELECT sum(t.duration) FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.executorId = e.executorId
        AND t.endReason = 'ExecutorLostFailure'), 0)::DOUBLE AS lostTaskMs
    FROM executors e
    WHERE e.appKey = $appKey AND e.executorId <> 'driver' AND e.removeTime IS NOT NULL
      AND ((SELECT endTime FROM a) IS NULL OR e.removeTime < (SELECT endTime FROM a))
    ORDER BY e.removeTime, e.executorId`);
  const lostByTasks = await query<{ executorId: string; reason: string | null; attempts: bigint; lostTaskMs: number }>(`
    SELECT executorId, any_value(endReasonDetail->>'Loss Reason') AS reason, count(*) AS attempts,
      coalesce(sum(duration), 0)::DOUBLE AS lostTaskMs
    FROM app_tasks($appKey) WHERE appKey = $appKey AND endReason = 'ExecutorLostFailure' AND executorId IS NOT NULL GROUP BY ALL`);
  const lost = removed.filter((e) => !RELEASED.test(e.removeReason ?? '') || Number(e.failedAttempts) > 0);
  // Executors whose tasks failed with ExecutorLostFailure although the log has no removal for them.
  for (const t of lostByTasks) {
    if (!lost.some((e) => e.executorId === t.executorId)) {
      lost.push({ executorId: t.executorId, host: null, removeReason: t.reason, afterStartMs: null, failedAttempts: t.attempts, lostTaskMs: t.lostTaskMs });
    }
  }
  if (lost.length === 0) return [];
  const losses = await query<StageLoss>(`
    WITH failed AS (
      SELECT stageId, stageAttemptId, "index", launchTime, finishTime, coalesce(duration, 0) AS duration FROM app_tasks($appKey)
      WHERE appKey = $appKey AND endReason = 'ExecutorLostFailure' AND finishTime IS NOT NULL
    ), ${retryTailCtes([])}
    SELECT g.stageId::INTEGER AS stageId, g.stageAttemptId::INTEGER AS stageAttemptId, g.lostMs, ${tailColumns('tl')}
    FROM (SELECT stageId, stageAttemptId, sum(duration)::DOUBLE AS lostMs FROM failed GROUP BY ALL) g
    LEFT JOIN tails tl ON tl.stageId = g.stageId AND tl.stageAttemptId = g.stageAttemptId`);
  const claims = lostTaskClaims(await stageFacts(context), losses);
  const wallMs = claimedWallMs(claims);
  const reasons = [...lost.map((e) => e.removeReason ?? ''), ...lostByTasks.map((t) => t.reason ?? '')].join('\n');
  const cause = categoryOfText(reasons) ?? 'executor-lost';
  const advice = adviceFor(app, { category: cause, detail: null, killReasons: [] }, lost.length !== 1);
  const attempts = lost.reduce((sum, e) => sum + Number(e.failedAttempts), 0);
  const lostTaskMs = lost.reduce((sum, e) => sum + e.lostTaskMs, 0);
  // One executor is 'it', several 'they' and 'them'.
  const [they, them] = lost.length === 1 ? ['it', 'it'] : ['they', 'them'];
  return [{
    id: 'failures:executors-lost',
    type: 'failures',
    title: `${lost.length} executor${lost.length === 1 ? ' was' : 's were'} lost while the application ran` +
      (cause === 'container-memory' ? ' (killed for exceeding container memory)' : cause === 'gpu-oom' ? ' (GPU out of memory)' : ''),
    description:
      `Executor${lost.length === 1 ? '' : 's'} ${someOf(lost.map((e) => e.executorId), 5)} ` +
      `went away before the application ended${lost[0]!.removeReason ? ` ("${shorten(lost[0]!.removeReason.split('\n')[0] ?? '')}")` : ''}. ` +
      (attempts === 0
        ? `No task attempt failed with ${them} (ExecutorLostFailure), but `
        : `${counted(attempts, 'task attempt')} running on ${them} failed with ExecutorLostFailure ` +
          `(${formatDuration(lostTaskMs)} of task time, costing their stages about ${formatDuration(wallMs)} of wall-clock), and `) +
      `any shuffle output or cached blocks ${they} held had to be recomputed unless an external ` +
      'shuffle service kept them.',
    evidence: {
      executors: lost.map((e) => ({
        id: e.executorId,
        host: e.host,
        removeReason: shorten(e.removeReason),
        removedAfterStartMs: e.afterStartMs,
        failedAttempts: Number(e.failedAttempts),
        lostTaskTimeMs: e.lostTaskMs,
      })),
      cause,
      failedAttempts: attempts,
      lostTaskTimeMs: lostTaskMs,
      wallClockMs: Math.round(wallMs),
      impactBasis: 'wall-clock, per stage the larger of: the time retries pushed its end out, and its window at the share of its task time the ExecutorLostFailure attempts took',
      shuffleServiceEnabled: app.sparkProperties.get('spark.shuffle.service.enabled') ?? 'false (default)',
      ...floorEvidence(app, true),
    },
    confidence: 'HIGH',
    suggestion: advice.suggestion,
    tradeoffs: advice.tradeoffs,
    sparkDocsRef: advice.docs ?? SCHEDULING_DOCS,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: shareOfRunTime(app, wallMs),
    impactMs: wallMs,
    claims,
    severityFloor: 'LOW',
  }];
}
