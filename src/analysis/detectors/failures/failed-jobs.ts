import { shareOfTaskTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { CANCELLED, GPU_DOCS, MEMORY_DOCS, SCHEDULING_DOCS, adviceFor, categoryOfText, errorSummary, firstLine, seconds, shorten } from './causes.js';

interface FailedJob {
  jobId: bigint;
  status: string;
  failureReason: string | null;
  durationMs: number | null;
  sqlExecutionId: bigint | null;
  failedStages: Array<{ stageId: bigint; attemptId: bigint; failureReason: string | null; failedTasks: bigint }>;
  lostTaskMs: number;
}

interface FailedStage {
  stageId: bigint;
  attemptId: bigint;
  name: string | null;
  failureReason: string | null;
  durationMs: number | null;
  failedTasks: bigint;
  jobIds: bigint[];
}

/**
 * Failed jobs (their result was lost), jobs that never finished in an application that did, and failed stages
 * outside any failed job: always reported unless cancelled, ranked on top as failures of the application.
 */
export async function failedJobInsights({ app, query }: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const jobs = await query<FailedJob>(`
    WITH failed AS (
      SELECT j.jobId, j.status, j.failureReason, j.sqlExecutionId, j.duration, j.stageIds FROM v_jobs j
      WHERE j.appKey = $appKey AND (j.status = 'FAILED'
        OR (j.status = 'RUNNING' AND (SELECT completed FROM applications WHERE appKey = $appKey)))
    )
    SELECT f.jobId, f.status, f.failureReason, f.sqlExecutionId,
      coalesce(f.duration, (SELECT max(coalesce(s.completionTime, a.endTime)) - min(s.submissionTime) FROM stages s, applications a
        WHERE s.appKey = $appKey AND a.appKey = $appKey AND list_contains(f.stageIds, s.stageId)))::DOUBLE AS durationMs,
      coalesce((SELECT list({'stageId': s.stageId, 'attemptId': s.attemptId, 'failureReason': s.failureReason,
          'failedTasks': s.numFailedTasks} ORDER BY s.stageId, s.attemptId)
        FROM v_stages s WHERE s.appKey = $appKey AND s.status = 'FAILED' AND list_contains(f.stageIds, s.stageId)), []) AS failedStages,
      coalesce((SELECT sum(t.duration) FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.outcome IN ('failed', 'killed')
        AND list_contains(f.stageIds, t.stageId)), 0)::DOUBLE AS lostTaskMs
    FROM failed f ORDER BY f.jobId`);
  const insights: InsightDraft[] = [];
  const covered = new Set<string>();
  for (const job of jobs) {
    if (job.failureReason !== null && CANCELLED.test(firstLine(job.failureReason) ?? '')) continue;
    const jobId = Number(job.jobId);
    const unfinished = job.status === 'RUNNING';
    for (const s of job.failedStages) covered.add(`${s.stageId}.${s.attemptId}`);
    const reasonText = [job.failureReason, ...job.failedStages.map((s) => s.failureReason)].filter(Boolean).join('\n');
    const cause = categoryOfText(reasonText);
    const memory = cause === 'oom' || cause === 'container-memory' || cause === 'gpu-oom';
    const byWallClock = job.durationMs !== null && app.durationMs !== null && app.durationMs > 0;
    const impactMs = byWallClock ? job.durationMs! : job.lostTaskMs;
    const impact = byWallClock ? Math.min(1, impactMs / app.durationMs!) : shareOfTaskTime(app, impactMs);
    const resultTooLarge = /spark\.driver\.maxResultSize/.test(job.failureReason ?? '');
    const firstStage = job.failedStages[0];
    const causeAdvice = cause ? adviceFor(app, { category: cause, detail: null, killReasons: [] }, false) : null;
    const causeTitle = cause === 'gpu-oom' ? ' running out of GPU memory' : memory ? ' running out of memory'
      : cause === 'fetch-failed' ? ' after shuffle fetch failures' : cause === 'executor-lost' ? ' after losing executors' : '';
    insights.push({
      id: `failures:job-${jobId}`,
      type: 'failures',
      title: unfinished
        ? `Job ${jobId} never finished`
        : `Job ${jobId} failed${resultTooLarge ? ': its results exceeded spark.driver.maxResultSize' : causeTitle}`,
      description:
        `Job ${jobId}${job.sqlExecutionId !== null ? ` (SQL execution ${job.sqlExecutionId})` : ''} ` +
        (unfinished ? 'has no end in the log although the application ended' : 'failed') +
        ` after ${job.durationMs !== null ? seconds(job.durationMs) : 'an unknown time'}` +
        (job.failedStages.length > 0 ? ` when stage ${job.failedStages.map((s) => `${s.stageId}.${s.attemptId}`).join(', ')} failed` : '') +
        `. Its result was not produced. ${errorSummary(job.failureReason ?? firstStage?.failureReason ?? null) ?? 'Spark logged no reason.'}`,
      evidence: {
        jobId,
        status: job.status,
        failureReason: shorten(job.failureReason),
        jobDurationMs: job.durationMs,
        failedStages: job.failedStages.map((s) => ({
          stageId: Number(s.stageId),
          stageAttemptId: Number(s.attemptId),
          failedTasks: Number(s.failedTasks),
          failureReason: shorten(errorSummary(s.failureReason)),
        })),
        lostTaskTimeMs: job.lostTaskMs,
        cause: cause ?? 'see failureReason',
        outOfMemory: memory,
        gpuOutOfMemory: cause === 'gpu-oom',
        impactBasis: byWallClock ? 'job wall-clock / application wall-clock' : 'failed task time / application task time',
        floor: 'none: a failed job lost its result (cancelled jobs are left out)',
      },
      confidence: 'HIGH',
      suggestion: resultTooLarge
        ? 'The driver refused results larger than spark.driver.maxResultSize: write the result to storage instead of ' +
          'collecting it, aggregate before collecting, or raise spark.driver.maxResultSize together with spark.driver.memory.'
        : causeAdvice
          ? `${causeAdvice.suggestion} The task failure insights of this application show where it happened.`
          : 'Read the failing task\'s error (failureReason) and fix its cause; the task failure insights of this application ' +
            'group the failed attempts by cause. Once fixed, the job\'s stages rerun from their last available shuffle output.',
      tradeoffs: resultTooLarge
        ? 'A larger maxResultSize moves the risk to the driver\'s memory; writing results out adds a read step for whoever consumes them.'
        : causeAdvice?.tradeoffs ??
          'More memory or partitions cost cluster capacity or scheduling overhead; retrying a failed job without a fix repeats the lost work.',
      sparkDocsRef: cause === 'gpu-oom' ? GPU_DOCS : memory ? MEMORY_DOCS : SCHEDULING_DOCS,
      jobId,
      stageId: firstStage ? Number(firstStage.stageId) : null,
      stageAttemptId: firstStage ? Number(firstStage.attemptId) : null,
      sqlExecutionId: job.sqlExecutionId === null ? null : Number(job.sqlExecutionId),
      impact,
      impactMs,
      role: 'failure',
    });
  }

  const stages = await query<FailedStage>(`
    SELECT s.stageId, s.attemptId, s.name, s.failureReason, s.duration::DOUBLE AS durationMs, s.numFailedTasks AS failedTasks, s.jobIds
    FROM v_stages s WHERE s.appKey = $appKey AND s.status = 'FAILED' ORDER BY s.stageId, s.attemptId`);
  for (const stage of stages) {
    if (covered.has(`${stage.stageId}.${stage.attemptId}`)) continue;
    const stageId = Number(stage.stageId);
    const attemptId = Number(stage.attemptId);
    const cause = categoryOfText(stage.failureReason);
    const advice = cause ? adviceFor(app, { category: cause, detail: null, killReasons: [] }, false) : null;
    const durationMs = stage.durationMs ?? 0;
    const byWallClock = app.durationMs !== null && app.durationMs > 0;
    // A stage failed by a fetch failure is usually resubmitted: the retried-stage insight carries its cost.
    insights.push({
      id: `failures:stage-${stageId}.${attemptId}-failed`,
      type: 'failures',
      title: `Stage ${stageId}${attemptId > 0 ? ` (attempt ${attemptId})` : ''} failed${cause === 'fetch-failed' ? ' on a shuffle fetch failure' : ''}`,
      description:
        `Stage ${stageId}${stage.name ? ` (${stage.name})` : ''} attempt ${attemptId} failed after ${seconds(durationMs)}` +
        ` with ${Number(stage.failedTasks)} failed task attempt(s). ${errorSummary(stage.failureReason) ?? 'Spark logged no reason.'}`,
      evidence: {
        stageId,
        stageAttemptId: attemptId,
        failureReason: shorten(stage.failureReason),
        stageDurationMs: durationMs,
        failedTasks: Number(stage.failedTasks),
        jobIds: stage.jobIds.map(Number),
        cause: cause ?? 'see failureReason',
        impactBasis: byWallClock ? 'failed attempt wall-clock / application wall-clock' : 'none (no application wall-clock)',
        floor: 'none: a failed stage is always reported',
      },
      confidence: 'HIGH',
      suggestion: advice?.suggestion ?? 'Read the stage\'s failure reason and the failing tasks\' errors, and fix their cause.',
      tradeoffs: advice?.tradeoffs ?? 'Retrying without a fix repeats the lost work.',
      sparkDocsRef: advice?.docs ?? SCHEDULING_DOCS,
      jobId: stage.jobIds.length > 0 ? Number(stage.jobIds[0]) : null,
      stageId,
      stageAttemptId: attemptId,
      sqlExecutionId: null,
      impact: byWallClock ? Math.min(1, durationMs / app.durationMs!) : 0,
      impactMs: durationMs,
      severityFloor: 'MEDIUM',
    });
  }
  return insights;
}
