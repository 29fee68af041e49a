import { claimedWallMs, type WallClaim } from '../../claims.js';
import { shareOfRunTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { stageFacts, type StageFacts } from '../../stage-facts.js';
import { SCHEDULING_DOCS, SHUFFLE_DOCS, adviceFor, firstLine, floorEvidence, shorten } from './causes.js';
import { attemptWindow } from './wall-clock.js';
import { formatDuration } from '../../format.js';

/**
 * Stages that ran more than one attempt. Always reported (Spark resubmitted work), ranked by the wall-clock of the
 * attempts a single successful run would not have needed: every attempt but the first that completed (the failed
 * attempts before it, and re-runs after it that recomputed lost output), each from its submission to its
 * completion. When no attempt completed, all of them count.
 */
export async function retriedStageInsights(context: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const { app } = context;
  const byStage = new Map<number, StageFacts[]>();
  for (const f of await stageFacts(context)) {
    if (f.status === 'SKIPPED') continue;
    byStage.set(f.stageId, [...(byStage.get(f.stageId) ?? []), f]);
  }
  const reasons = await failureReasons(context);
  const failureReason = (a: StageFacts): string | null => reasons.get(`${a.stageId}.${a.stageAttemptId}`) ?? null;
  const insights: InsightDraft[] = [];
  for (const [stageId, attempts] of byStage) {
    if (attempts.length < 2) continue;
    attempts.sort((a, b) => a.stageAttemptId - b.stageAttemptId);
    const kept = attempts.find((a) => a.status === 'COMPLETE') ?? null;
    const extra = attempts.filter((a) => a !== kept);
    const last = attempts[attempts.length - 1]!;
    const claims: WallClaim[] = extra.flatMap((a) => {
      const window = attemptWindow(a);
      return window ? [{ ...window, share: 1 }] : [];
    });
    const lostWallMs = claimedWallMs(claims);
    const lostTaskMs = extra.reduce((sum, a) => sum + a.taskTimeMs, 0);
    const earlierReasons = attempts.filter((a) => a !== last).map((a) => firstLine(failureReason(a))).filter((r): r is string => Boolean(r));
    const fetchFailed = earlierReasons.some((r) => /FetchFailed|MetadataFetchFailed/i.test(r));
    const name = last.name ?? attempts.find((a) => a.name)?.name ?? null;
    const extraIds = extra.map((a) => a.stageAttemptId).join(', ');
    insights.push({
      id: `failures:stage-${stageId}-retried`,
      type: 'failures',
      title: `Stage ${stageId} ran ${attempts.length} attempts${fetchFailed ? ' after shuffle fetch failures' : ''}`,
      description:
        `Stage ${stageId}${name ? ` (${name})` : ''} was attempted ${attempts.length} times. ` +
        (kept
          ? `Besides attempt ${kept.stageAttemptId}, which completed, attempt${extra.length === 1 ? '' : 's'} ${extraIds} `
          : `No attempt completed; attempts ${extraIds} `) +
        `took ${formatDuration(lostWallMs)} of wall-clock (${formatDuration(lostTaskMs)} of task time). The last attempt ended ${last.status}.` +
        (earlierReasons[0] ? ` ${earlierReasons[0]}` : ''),
      evidence: {
        stageId,
        attempts: attempts.map((a) => ({
          stageAttemptId: a.stageAttemptId,
          status: a.status,
          durationMs: a.submissionTime !== null && a.completionTime !== null ? a.completionTime - a.submissionTime : null,
          taskTimeMs: a.taskTimeMs,
          failureReason: shorten(firstLine(failureReason(a))),
        })),
        completedAttempt: kept?.stageAttemptId ?? null,
        lostWallClockMs: lostWallMs,
        lostTaskTimeMs: lostTaskMs,
        impactBasis: 'wall-clock: submission to completion of every attempt but the first that completed',
        ...floorEvidence(app, true),
      },
      confidence: earlierReasons.length > 0 ? 'HIGH' : 'MEDIUM',
      suggestion: fetchFailed
        ? adviceFor(app, { category: 'fetch-failed', detail: null, killReasons: [] }, false).suggestion
        : 'Read the failure reason of the earlier attempts and fix its cause; a stage is resubmitted when its tasks\' ' +
          'inputs were lost or an attempt was aborted.',
      tradeoffs:
        'The external shuffle service is a node daemon to run and upgrade; decommissioning adds block migration ' +
        'traffic when executors leave.',
      sparkDocsRef: fetchFailed ? SHUFFLE_DOCS : SCHEDULING_DOCS,
      jobId: last.jobId,
      stageId,
      stageAttemptId: last.stageAttemptId,
      sqlExecutionId: last.sqlExecutionId,
      impact: shareOfRunTime(app, lostWallMs),
      impactMs: lostWallMs,
      claims,
      severityFloor: 'LOW',
    });
  }
  return insights;
}

/** Failure reasons of the application's stage attempts ("3.0" → reason). */
async function failureReasons({ query }: Pick<DetectorContext, 'query'>): Promise<Map<string, string>> {
  const rows = await query<{ stageId: number; attemptId: number; failureReason: string }>(`
    SELECT stageId::INTEGER AS stageId, attemptId::INTEGER AS attemptId, failureReason FROM stages
    WHERE appKey = $appKey AND failureReason IS NOT NULL`);
  return new Map(rows.map((r) => [`${r.stageId}.${r.attemptId}`, r.failureReason]));
}
