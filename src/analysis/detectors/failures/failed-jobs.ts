import { shareOfRunTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { counted, formatDuration } from '../../format.js';
import { stageFacts } from '../../stage-facts.js';
import { CANCELLED, GPU_DOCS, MEMORY_DOCS, SCHEDULING_DOCS, adviceFor, categoryOfText, errorSummary, firstLine, shorten } from './causes.js';
import { attemptWindow } from './wall-clock.js';
import { whatFailed } from './what-failed.js';

interface FailedJob {
  jobId: bigint;
  status: string;
  failureReason: string | null;
  durationMs: number | null;
  /** The job's window: submission to completion (or, unfinished, to its stages' last completion or the application's end). */
  fromMs: number | null;
  toMs: number | null;
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
 * A failed job claims its whole window in wall-clock (none of it produced the result); a failed stage outside a
 * failed job claims its attempt's window, unless Spark ran it again, when the retried-stage insight counts it.
 */
export async function failedJobInsights(context: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const { app, query } = context;
  const jobs = (await whatFailed(query)).unfinishedJobs === 0 ? [] : await query<FailedJob>(`
    WITH failed AS (
      SELECT j.jobId, j.status, j.failureReason, j.sqlExecutionId, j.duration, j.stageIds, j.submissionTime, j.completionTime FROM v_jobs j
      WHERE j.appKey = $appKey AND (j.status = 'FAILED'
        OR (j.status = 'RUNNING' AND (SELECT completed FROM applications WHERE appKey = $appKey)))
    ), windowed AS (
      SELECT f.*, coalesce(f.submissionTime, (SELECT min(s.submissionTime) FROM stages s
          WHERE s.appKey = $appKey AND list_contains(f.stageIds, s.stageId)))::DOUBLE AS fromMs,
        coalesce(f.completionTime, (SELECT max(coalesce(s.completionTime, a.endTime)) FROM stages s, applications a
          WHERE s.appKey = $appKey AND a.appKey = $appKey AND list_contains(f.stageIds, s.stageId)))::DOUBLE AS toMs
      FROM failed f
    )
    SELECT f.jobId, f.status, f.failureReason, f.sqlExecutionId, f.fromMs, f.toMs,
      coalesce(f.duration::DOUBLE, f.toMs - f.fromMs) AS durationMs,
      coalesce((SELECT list({'stageId': s.stageId, 'attemptId': s.attemptId, 'failureReason': s.failureReason,
          'failedTasks': s.numFailedTasks} ORDER BY s.stageId, s.attemptId)
        FROM v_stages s WHERE s.appKey = $appKey AND s.status = 'FAILED' AND list_contains(f.stageIds, s.stageId)), []) AS failedStages,
      coalesce((SELECT sum(t.duration) FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.outcome IN ('failed', 'killed')
        AND list_contains(f.stageIds, t.stageId)), 0)::DOUBLE AS lostTaskMs
    FROM windowed f ORDER BY f.jobId`);
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
    const claims = job.fromMs !== null && job.toMs !== null && job.toMs > job.fromMs ? [{ from: job.fromMs, to: job.toMs, share: 1 }] : [];
    const impactMs = claims.length > 0 ? job.toMs! - job.fromMs! : 0;
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
        ` after ${job.durationMs !== null ? formatDuration(job.durationMs) : 'an unknown time'}` +
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
        impactBasis: 'wall-clock: the job\'s window, submission to end',
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
      impact: shareOfRunTime(app, impactMs),
      impactMs,
      claims,
      role: 'failure',
    });
  }

  const stages = await query<FailedStage>(`
    SELECT s.stageId, s.attemptId, s.name, s.failureReason, s.duration::DOUBLE AS durationMs, s.numFailedTasks AS failedTasks, s.jobIds
    FROM v_stages s WHERE s.appKey = $appKey AND s.status = 'FAILED' ORDER BY s.stageId, s.attemptId`);
  const facts = await stageFacts(context);
  for (const stage of stages) {
    if (covered.has(`${stage.stageId}.${stage.attemptId}`)) continue;
    const stageId = Number(stage.stageId);
    const attemptId = Number(stage.attemptId);
    const attempt = facts.find((f) => f.stageId === stageId && f.stageAttemptId === attemptId);
    const rerun = facts.some((f) => f.stageId === stageId && f.stageAttemptId > attemptId && f.status !== 'SKIPPED');
    const window = attempt && !rerun ? attemptWindow(attempt) : null;
    const cause = categoryOfText(stage.failureReason);
    const advice = cause ? adviceFor(app, { category: cause, detail: null, killReasons: [] }, false) : null;
    const durationMs = stage.durationMs ?? 0;
    const wallMs = window ? window.to - window.from : 0;
    insights.push({
      id: `failures:stage-${stageId}.${attemptId}-failed`,
      type: 'failures',
      title: `Stage ${stageId}${attemptId > 0 ? ` (attempt ${attemptId})` : ''} failed${cause === 'fetch-failed' ? ' on a shuffle fetch failure' : ''}`,
      description:
        `Stage ${stageId}${stage.name ? ` (${stage.name})` : ''} attempt ${attemptId} failed after ${formatDuration(durationMs)}` +
        ` with ${counted(Number(stage.failedTasks), 'failed task attempt')}. ${errorSummary(stage.failureReason) ?? 'Spark logged no reason.'}`,
      evidence: {
        stageId,
        stageAttemptId: attemptId,
        failureReason: shorten(stage.failureReason),
        stageDurationMs: durationMs,
        failedTasks: Number(stage.failedTasks),
        jobIds: stage.jobIds.map(Number),
        cause: cause ?? 'see failureReason',
        impactBasis: rerun
          ? `none here: Spark ran the stage again, and failures:stage-${stageId}-retried counts this attempt's wall-clock`
          : 'wall-clock: the failed attempt\'s window, submission to completion',
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
      impact: shareOfRunTime(app, wallMs),
      impactMs: wallMs,
      claims: window ? [{ ...window, share: 1 }] : [],
      severityFloor: 'MEDIUM',
    });
  }
  return insights;
}
