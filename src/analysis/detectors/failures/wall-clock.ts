import type { WallClaim } from '../../claims.js';
import { stageWindowClaims, type StageFacts } from '../../stage-facts.js';

/** Task time failed or killed attempts took in one stage attempt, and the end of the stage they pushed out. */
export interface StageLoss {
  stageId: number;
  stageAttemptId: number;
  lostMs: number;
  /**
   * Where the stage's successful tasks would have ended had each retried task succeeded at its first failed
   * attempt (that attempt's launch + the successful attempt's duration), and where they did end; null when no
   * task of the stage succeeded after one of these failures.
   */
  tailFrom?: number | null;
  tailTo?: number | null;
}

/**
 * Wall-clock claims of failed or killed task attempts, per stage attempt, the larger of two measures:
 * - the time the stage's end was pushed out: a task retried after a failure finishes that much later, and when it
 *   is the stage's last (an executor lost mid-stage, a retry at the end) the stage waits for it; claimed as that
 *   tail of the stage at share 1;
 * - the slots the failed attempts held: the stage's window (first launch to last finish) at the share of its task
 *   time they took, which is what they cost a stage whose slots were busy even when the retries fit in early.
 * Dividing by slots × window instead would call a retry on a wide stage's critical path nearly free.
 */
export function lostTaskClaims(facts: readonly StageFacts[], losses: readonly StageLoss[]): WallClaim[] {
  return losses.flatMap((loss) => {
    const f = facts.find((x) => x.stageId === loss.stageId && x.stageAttemptId === loss.stageAttemptId);
    if (!f || f.taskTimeMs <= 0) return [];
    const [window] = stageWindowClaims(f, loss.lostMs / f.taskTimeMs);
    if (!window) return [];
    const tailMs = loss.tailFrom != null && loss.tailTo != null ? loss.tailTo - loss.tailFrom : 0;
    if (tailMs > window.share * (window.to - window.from)) return [{ from: loss.tailFrom!, to: loss.tailTo!, share: 1 }];
    return [window];
  });
}

/**
 * SQL CTEs (to follow a CTE named `failed` with columns `keys`, stageId, stageAttemptId, "index", launchTime,
 * finishTime, one row per failed attempt) ending in `tails`: per key and stage attempt, `tailFrom` and `tailTo` of
 * {@link StageLoss}. Only failed attempts that finished before their task's successful attempt launched count:
 * a speculative copy running beside it did not delay it.
 */
export function retryTailCtes(keys: readonly string[]): string {
  const k = (alias: string): string => keys.map((key) => `${alias}.${key}, `).join('');
  const same = (a: string, b: string): string => keys.map((key) => `${a}.${key} IS NOT DISTINCT FROM ${b}.${key} AND `).join('');
  return `
  ok AS (
    SELECT stageId, stageAttemptId, "index", min(launchTime) AS okLaunch, min(finishTime) AS okFinish
    FROM app_tasks($appKey) WHERE appKey = $appKey AND endReason = 'Success' AND finishTime IS NOT NULL GROUP BY ALL
  ), retried AS (
    SELECT ${k('f')}f.stageId, f.stageAttemptId, f."index", min(f.launchTime) + any_value(ok.okFinish - ok.okLaunch) AS retriedEnd
    FROM failed f JOIN ok ON ok.stageId = f.stageId AND ok.stageAttemptId = f.stageAttemptId AND ok."index" = f."index"
    WHERE f.finishTime <= ok.okLaunch GROUP BY ALL
  ), retried_stages AS (
    SELECT ${k('r')}r.stageId, r.stageAttemptId, max(r.retriedEnd) AS retriedEnd FROM retried r GROUP BY ALL
  ), tails AS (
    SELECT ${k('r')}r.stageId, r.stageAttemptId, r.retriedEnd,
      (SELECT max(o.okFinish) FROM ok o WHERE o.stageId = r.stageId AND o.stageAttemptId = r.stageAttemptId) AS tailTo,
      (SELECT max(o.okFinish) FROM ok o WHERE o.stageId = r.stageId AND o.stageAttemptId = r.stageAttemptId
        AND NOT EXISTS (SELECT 1 FROM retried x WHERE ${same('x', 'r')}x.stageId = o.stageId
          AND x.stageAttemptId = o.stageAttemptId AND x."index" = o."index")) AS othersEnd
    FROM retried_stages r
  )`;
}

/** The tail columns of {@link StageLoss} from the `tails` CTE aliased `alias` (left-joined: null without a retry). */
export const tailColumns = (alias: string): string =>
  `least(greatest(${alias}.retriedEnd, coalesce(${alias}.othersEnd, ${alias}.retriedEnd)), ${alias}.tailTo)::DOUBLE AS tailFrom, ` +
  `${alias}.tailTo::DOUBLE AS tailTo`;

/**
 * A stage attempt's own window: from its submission to its completion (what the attempt cost the run, waiting
 * for slots included), else its tasks' window; null when neither is known.
 */
export function attemptWindow(f: StageFacts): { from: number; to: number } | null {
  const from = f.submissionTime ?? f.firstLaunch;
  const to = f.completionTime ?? f.lastFinish;
  return from !== null && to !== null && to > from ? { from, to } : null;
}
