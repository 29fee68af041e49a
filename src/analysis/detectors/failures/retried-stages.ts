import { shareOfTaskTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { SCHEDULING_DOCS, SHUFFLE_DOCS, adviceFor, firstLine, floorEvidence, seconds, shorten } from './causes.js';

interface RetriedStage {
  stageId: bigint;
  name: string | null;
  attempts: Array<{ attemptId: bigint; status: string; failureReason: string | null; durationMs: number | null; taskMs: number }>;
}

/**
 * Stages that ran more than one attempt: the earlier attempts' wall-clock was spent again. Always reported
 * (Spark resubmitted work), ranked by that wall-clock.
 */
export async function retriedStageInsights({ app, query }: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const insights: InsightDraft[] = [];
  // 3. Stages that ran more than one attempt: the earlier attempts' wall-clock was spent again.
  const retried = await query<RetriedStage>(`
    SELECT s.stageId, arg_max(s.name, s.attemptId) AS name,
      list({'attemptId': s.attemptId, 'status': s.status, 'failureReason': s.failureReason, 'durationMs': s.duration::DOUBLE,
        'taskMs': coalesce((SELECT sum(t.duration) FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.stageId = s.stageId
          AND t.stageAttemptId = s.attemptId), 0)::DOUBLE} ORDER BY s.attemptId) AS attempts
    FROM v_stages s WHERE s.appKey = $appKey AND s.status <> 'SKIPPED'
    GROUP BY s.stageId HAVING count(*) > 1 ORDER BY s.stageId`);
  for (const stage of retried) {
    const earlier = stage.attempts.slice(0, -1);
    const last = stage.attempts[stage.attempts.length - 1]!;
    const lostWallMs = earlier.reduce((sum, a) => sum + (a.durationMs ?? 0), 0);
    const lostTaskMs = earlier.reduce((sum, a) => sum + a.taskMs, 0);
    const byWallClock = app.durationMs !== null && app.durationMs > 0;
    const impact = byWallClock ? Math.min(1, lostWallMs / app.durationMs!) : shareOfTaskTime(app, lostTaskMs);
    const stageId = Number(stage.stageId);
    const reasons = earlier.map((a) => firstLine(a.failureReason)).filter((r): r is string => Boolean(r));
    const fetchFailed = reasons.some((r) => /FetchFailed|MetadataFetchFailed/i.test(r));
    insights.push({
      id: `failures:stage-${stageId}-retried`,
      type: 'failures',
      title: `Stage ${stageId} ran ${stage.attempts.length} attempts${fetchFailed ? ' after shuffle fetch failures' : ''}`,
      description:
        `Stage ${stageId}${stage.name ? ` (${stage.name})` : ''} was attempted ${stage.attempts.length} times; the ` +
        `${earlier.length === 1 ? 'first attempt' : `first ${earlier.length} attempts`} took ${seconds(lostWallMs)} ` +
        `(${seconds(lostTaskMs)} of task time) before Spark resubmitted it. The last attempt ended ${last.status}.` +
        (reasons[0] ? ` ${reasons[0]}` : ''),
      evidence: {
        stageId,
        attempts: stage.attempts.map((a) => ({
          stageAttemptId: Number(a.attemptId),
          status: a.status,
          durationMs: a.durationMs,
          taskTimeMs: a.taskMs,
          failureReason: shorten(firstLine(a.failureReason)),
        })),
        lostWallClockMs: lostWallMs,
        lostTaskTimeMs: lostTaskMs,
        impactBasis: byWallClock ? 'earlier attempts\' wall-clock / application wall-clock' : 'earlier attempts\' task time / application task time',
        ...floorEvidence(app, true),
      },
      confidence: reasons.length > 0 ? 'HIGH' : 'MEDIUM',
      suggestion: fetchFailed
        ? adviceFor(app, { category: 'fetch-failed', detail: null, killReasons: [] }, false).suggestion
        : 'Read the failure reason of the earlier attempts and fix its cause; a stage is resubmitted when its tasks\' ' +
          'inputs were lost or an attempt was aborted.',
      tradeoffs:
        'The external shuffle service is a node daemon to run and upgrade; decommissioning adds block migration ' +
        'traffic when executors leave.',
      sparkDocsRef: fetchFailed ? SHUFFLE_DOCS : SCHEDULING_DOCS,
      jobId: null,
      stageId,
      stageAttemptId: Number(last.attemptId),
      sqlExecutionId: null,
      impact,
      impactMs: byWallClock ? lostWallMs : lostTaskMs,
      severityFloor: 'LOW',
    });
  }

  return insights;
}
