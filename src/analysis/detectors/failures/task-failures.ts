import { claimedWallMs } from '../../claims.js';
import { shareOfRunTime, shareOfTaskTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import type { StageFacts } from '../../stage-facts.js';
import { counted, formatDuration, nameSome } from '../../format.js';
import {
  ALWAYS_REPORTED, MAX_MESSAGE_CHARS, MIN_LOST_SHARE, adviceFor, attemptsConfidence, categorySql, errorSummary,
  floorEvidence, percent, shorten, type Category,
} from './causes.js';
import { lostTaskClaims, retryTailCtes, tailColumns } from './wall-clock.js';
import { whatFailed } from './what-failed.js';
import { exceptionSummarySql, storedExceptionFields } from '../../../store/task-exceptions.js';

/** Failed or killed task attempts of one cause. */
export interface TaskFailureGroup {
  category: Category;
  /** Exception class (exception), or end reason (other). */
  detail: string | null;
  attempts: bigint;
  lostMs: number;
  stages: Array<{ stageId: bigint; attemptId: bigint; attempts: bigint; lostMs: number; tailFrom: number | null; tailTo: number | null }>;
  executors: string[];
  indices: bigint;
  sampleError: string | null;
  killReasons: Array<{ reason: string; attempts: bigint }>;
}

/** What the failure groups read of a failed task, besides its end reason's text or summary. */
const FAILED_TASK_COLUMNS = 'stageId, stageAttemptId, executorId, "index", launchTime, finishTime, duration, endReason, outcome';

/** Failed and killed task attempts grouped by cause, with their task time. */
export async function taskFailureGroups({ query }: Pick<DetectorContext, 'query'>): Promise<TaskFailureGroup[]> {
  if ((await whatFailed(query)).lostTasks === 0) return [];
  return query<TaskFailureGroup>(`
    -- An exception is read from the summary written with its task, never from its trace (often tens of KB: 9,500
    -- failed tasks with 20 KB traces took ~230 MB to read); other reasons are short. Each filter on endReason, and on
    -- whether the summary is there, is one DuckDB applies while it scans, so no branch reads another's text, nor
    -- successful tasks' details. Tasks stored before the summary existed (schema 6) are summarized here, as read.
    WITH exceptions AS (
      SELECT ${FAILED_TASK_COLUMNS}, exception FROM app_tasks($appKey)
      WHERE appKey = $appKey AND endReason = 'ExceptionFailure' AND exception IS NOT NULL AND outcome IN ('failed', 'killed')
      UNION ALL
      SELECT ${FAILED_TASK_COLUMNS}, ${exceptionSummarySql(storedExceptionFields)} FROM app_tasks($appKey)
      WHERE appKey = $appKey AND endReason = 'ExceptionFailure' AND exception IS NULL AND outcome IN ('failed', 'killed')
    ), raw AS (
      SELECT ${FAILED_TASK_COLUMNS}, exception.className AS className, endReason AS killReason, ${categorySql} AS category,
        left(exception.messageStart, ${MAX_MESSAGE_CHARS * 2}) AS errorSample
      FROM exceptions
      UNION ALL
      SELECT ${FAILED_TASK_COLUMNS}, NULL AS className, coalesce(endReasonDetail->>'Kill Reason', endReason) AS killReason,
        ${categorySql} AS category, left(errorMessage, ${MAX_MESSAGE_CHARS * 2}) AS errorSample
      FROM app_tasks($appKey)
      WHERE appKey = $appKey AND coalesce(endReason, '') NOT IN ('Success', 'ExceptionFailure') AND outcome IN ('failed', 'killed')
    ), t AS (
      SELECT * REPLACE (coalesce(duration, 0)::DOUBLE AS duration),
        CASE category WHEN 'exception' THEN className WHEN 'other' THEN endReason END AS detail
      FROM raw
    ), failed AS (
      SELECT category, detail, stageId, stageAttemptId, "index", launchTime, finishTime FROM t WHERE outcome = 'failed'
    ), ${retryTailCtes(['category', 'detail'])}, by_stage AS (
      SELECT s.category, s.detail,
        list({'stageId': s.stageId, 'attemptId': s.stageAttemptId, 'attempts': s.attempts, 'lostMs': s.lostMs,
          'tailFrom': s.tailFrom, 'tailTo': s.tailTo} ORDER BY s.stageId, s.stageAttemptId) AS stages
      FROM (
        SELECT g.*, ${tailColumns('tl')} FROM (SELECT category, detail, stageId, stageAttemptId, count(*) AS attempts, sum(duration) AS lostMs
          FROM t GROUP BY ALL) g
        LEFT JOIN tails tl ON tl.category = g.category AND tl.detail IS NOT DISTINCT FROM g.detail
          AND tl.stageId = g.stageId AND tl.stageAttemptId = g.stageAttemptId
      ) s GROUP BY ALL
    ), by_kill AS (
      SELECT category, detail, list({'reason': killReason, 'attempts': attempts} ORDER BY attempts DESC, killReason) AS killReasons
      FROM (SELECT category, detail, killReason, count(*) AS attempts FROM t WHERE category = 'killed' GROUP BY ALL) GROUP BY ALL
    ), g AS (
      SELECT category, detail, count(*) AS attempts, sum(duration) AS lostMs,
        coalesce(list(DISTINCT executorId ORDER BY executorId) FILTER (WHERE executorId IS NOT NULL), []) AS executors,
        count(DISTINCT (stageId, "index")) AS indices, min(errorSample) AS sampleError
      FROM t GROUP BY ALL
    )
    SELECT g.*, s.stages, coalesce(k.killReasons, []) AS killReasons
    FROM g JOIN by_stage s ON s.category = g.category AND s.detail IS NOT DISTINCT FROM g.detail
    LEFT JOIN by_kill k ON k.category = g.category AND k.detail IS NOT DISTINCT FROM g.detail
    ORDER BY g.lostMs DESC, g.category, g.detail`);
}

/**
 * One insight per cause of failed task attempts. Lost executors, memory, fetch failures and resubmissions are
 * always reported; exceptions too when the application had a failed stage or job; otherwise (retried exceptions,
 * speculation kills) a group stays quiet under 1% of the application's task time (the work thrown away). Its
 * impact is wall-clock (see lostTaskClaims); killed attempts claim none.
 */
export function taskFailureInsights(
  app: DetectorContext['app'],
  groups: readonly TaskFailureGroup[],
  applicationFailed: boolean,
  facts: readonly StageFacts[],
): InsightDraft[] {
  const insights: InsightDraft[] = [];
  for (const group of groups) {
    const share = shareOfTaskTime(app, group.lostMs);
    // A killed attempt ran beside the attempt that finished (a speculative race, or a stage cancelled when its job
    // failed) and was stopped when it did: it held a slot but added no run time, so it claims none.
    const claims = group.category === 'killed'
      ? []
      : lostTaskClaims(facts, group.stages.map((s) => ({ ...s, stageId: Number(s.stageId), stageAttemptId: Number(s.attemptId) })));
    const wallMs = claimedWallMs(claims);
    const always = ALWAYS_REPORTED.has(group.category) || (group.category === 'exception' && applicationFailed);
    if (!always && share < MIN_LOST_SHARE) continue;
    const attempts = Number(group.attempts);
    const stageList = group.stages.map((s) => `${s.stageId}.${s.attemptId}`);
    const single = group.stages.length === 1 ? group.stages[0]! : null;
    const advice = adviceFor(app, group, attempts !== 1);
    const key = group.category === 'exception' || group.category === 'other'
      ? `${group.category}-${(group.detail ?? 'unknown').replace(/[^A-Za-z0-9_.$-]/g, '_')}`
      : group.category;
    const killed = group.category === 'killed';
    const memory = group.category === 'oom' || group.category === 'container-memory' || group.category === 'gpu-oom';
    insights.push({
      id: `failures:tasks-${key}`,
      type: 'failures',
      title: `${counted(attempts, 'task attempt')} ${advice.title}, losing ${formatDuration(group.lostMs)} of task time`,
      description:
        `${counted(attempts, killed ? 'killed attempt' : 'failed attempt')} of ${counted(Number(group.indices), 'task')} ` +
        `in ${nameSome('stage', stageList)} ` +
        `on ${group.executors.length > 0 ? nameSome('executor', group.executors) : 'executors unknown'} ran for ` +
        `${formatDuration(group.lostMs)}, ${percent(share)} of the application's task time, and that work was thrown away` +
        (killed ? '; the attempts ran beside those that finished, adding no run time.' : `, costing its stages about ${formatDuration(wallMs)} of wall-clock.`) +
        (group.category === 'gpu-oom' ? ' The error text shows the GPU ran out of memory (RAPIDS Accelerator).' : '') +
        (group.category === 'container-memory' ? ' The error text shows the container was killed for exceeding its memory limit.' : '') +
        (group.category === 'oom' ? ' The error text shows the task ran out of memory.' : '') +
        (group.sampleError && !killed ? ` First error: ${errorSummary(group.sampleError)}` : ''),
      evidence: {
        category: group.category,
        ...(group.detail ? { detail: group.detail } : {}),
        attempts,
        distinctTasks: Number(group.indices),
        lostTaskTimeMs: group.lostMs,
        shareOfTaskTime: Number(share.toFixed(4)),
        outOfMemory: memory,
        stages: group.stages.map((s) => ({
          stageId: Number(s.stageId), stageAttemptId: Number(s.attemptId), attempts: Number(s.attempts), lostTaskTimeMs: s.lostMs,
        })),
        wallClockMs: Math.round(wallMs),
        impactBasis: group.category === 'killed'
          ? 'none in wall-clock: killed attempts ran beside the attempt that finished and stopped when it did'
          : 'wall-clock, per stage the larger of: the time retries pushed its end out, and its window at the share of its task time the failed attempts took',
        executors: group.executors,
        ...(killed
          ? { killReasons: group.killReasons.map((k) => ({ reason: shorten(k.reason) ?? '', attempts: Number(k.attempts) })) }
          : { sampleError: shorten(group.sampleError) }),
        ...floorEvidence(app, always),
      },
      confidence: attemptsConfidence(attempts),
      suggestion: advice.suggestion,
      tradeoffs: advice.tradeoffs,
      sparkDocsRef: advice.docs,
      jobId: null,
      stageId: single ? Number(single.stageId) : null,
      stageAttemptId: single ? Number(single.attemptId) : null,
      sqlExecutionId: null,
      impact: shareOfRunTime(app, wallMs),
      impactMs: wallMs,
      claims,
      ...(always ? { severityFloor: 'LOW' as const } : {}),
    });
  }
  return insights;
}
