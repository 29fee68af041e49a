import type { Detector, InsightDraft } from '../detector.js';
import type { WallClaim } from '../claims.js';
import { counted, formatDuration, formatShare, round, someOf } from '../format.js';
import { stageFacts, stageWindowClaims, type StageFacts } from '../stage-facts.js';

/** A stage counts when its tasks' scheduler delay is at least this share of their time... */
const MIN_DELAY_SHARE = 0.25;
/** ...or its first task launched at least this long after the stage was submitted. */
const MIN_QUEUE_MS = 5_000;
/** Quiet unless the waiting adds up to this much wall-clock... */
const MIN_TOTAL_MS = 5_000;
/** ...and this share of the application's run time. */
const MIN_SHARE = 0.01;
/** Stages listed in the evidence, most delayed first. */
const MAX_LISTED = 10;

interface Delayed {
  facts: StageFacts;
  queueMs: number;
  delayShare: number;
}

/**
 * Scheduling and launch delay: time between a stage's submission and its first task's launch (no free slot, no
 * executor yet, locality wait) and, inside tasks, scheduler delay (launch to start of work on the executor, plus
 * result fetching). One insight per application listing the stages, claiming the waiting windows once even when
 * concurrent stages waited together. Quiet under 5 s or 1% of the run.
 */
export const launchDelayDetector: Detector = {
  type: 'launch-delay',
  description:
    'Stages whose tasks waited to launch (≥ 5 s from submission to first launch) or to start work (scheduler delay ≥ 25% of task time).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/configuration.html#scheduling',
  async detect(context) {
    const { app } = context;
    const wallClock = app.durationMs ?? 0;
    if (wallClock <= 0) return [];
    const delayed: Delayed[] = [];
    for (const f of await stageFacts(context)) {
      if (f.firstLaunch === null || f.lastFinish === null) continue;
      const queueMs = f.submissionTime !== null ? Math.max(0, f.firstLaunch - f.submissionTime) : 0;
      const delayShare = f.taskTimeMs > 0 ? Math.min(1, f.schedulerDelayMs / f.taskTimeMs) : 0;
      if (queueMs >= MIN_QUEUE_MS || delayShare >= MIN_DELAY_SHARE) delayed.push({ facts: f, queueMs, delayShare });
    }
    const claims: WallClaim[] = delayed.flatMap(({ facts: f, queueMs, delayShare }) => [
      ...(queueMs >= MIN_QUEUE_MS ? [{ from: f.submissionTime!, to: f.firstLaunch!, share: 1 }] : []),
      ...(delayShare >= MIN_DELAY_SHARE ? stageWindowClaims(f, delayShare) : []),
    ]);
    const claimedMs = unionMs(claims);
    if (delayed.length === 0 || claimedMs < MIN_TOTAL_MS || claimedMs < MIN_SHARE * wallClock) return [];
    return [insight(delayed, claims, claimedMs, wallClock, app.sparkProperties)];
  },
};

/** Wall-clock covered by the claims, each moment once, weighted by the largest share claiming it. */
function unionMs(claims: readonly WallClaim[]): number {
  const points = [...new Set(claims.flatMap((c) => [c.from, c.to]))].sort((a, b) => a - b);
  let total = 0;
  for (let i = 0; i + 1 < points.length; i += 1) {
    const share = Math.max(0, ...claims.filter((c) => c.from <= points[i]! && c.to >= points[i + 1]!).map((c) => c.share));
    total += (points[i + 1]! - points[i]!) * Math.min(1, share);
  }
  return total;
}

function insight(delayed: Delayed[], claims: WallClaim[], claimedMs: number, wallClock: number, properties: ReadonlyMap<string, string>): InsightDraft {
  const sorted = [...delayed].sort((a, b) => b.queueMs + b.facts.schedulerDelayMs - (a.queueMs + a.facts.schedulerDelayMs));
  const queued = delayed.filter((d) => d.queueMs >= MIN_QUEUE_MS);
  const inTask = delayed.filter((d) => d.delayShare >= MIN_DELAY_SHARE);
  const share = Math.min(1, claimedMs / wallClock);
  const single = delayed.length === 1 ? delayed[0]!.facts : null;
  const stageNames = someOf(sorted.map((d) => d.facts.stageId), 5);
  return {
    id: 'launch-delay:application',
    type: 'launch-delay',
    title: `Tasks of ${counted(delayed.length, 'stage')} waited to launch or start, ${formatDuration(claimedMs)} of the run (${formatShare(share)})`,
    description:
      `In stage${delayed.length === 1 ? '' : 's'} ${stageNames}, tasks spent their time waiting rather than working: ` +
      (queued.length > 0 ? `${counted(queued.length, 'stage')} waited ≥ ${formatDuration(MIN_QUEUE_MS)} from submission to their first task's launch; ` : '') +
      (inTask.length > 0 ? `${counted(inTask.length, 'stage')} had scheduler delay (launch to start of work, and result fetching) of ≥ ${formatShare(MIN_DELAY_SHARE)} of their task time; ` : '') +
      `counted once where stages waited at the same time, that is ${formatDuration(claimedMs)}, ${formatShare(share)} of the application's run time.`,
    evidence: {
      stages: sorted.slice(0, MAX_LISTED).map(({ facts: f, queueMs, delayShare }) => ({
        stageId: f.stageId,
        stageAttemptId: f.stageAttemptId,
        tasks: f.taskAttempts,
        submittedToFirstLaunchMs: queueMs,
        schedulerDelayMs: f.schedulerDelayMs,
        taskTimeMs: f.taskTimeMs,
        schedulerDelayShareOfTaskTime: round(delayShare),
        executorRunTimeMs: f.runTimeMs,
      })),
      stagesDelayed: delayed.length,
      waitingWallClockMs: Math.round(claimedMs),
      impactBasis: 'union of submission-to-launch gaps and in-task scheduler delay windows (weighted by their share), each moment once',
      configured: {
        'spark.locality.wait': properties.get('spark.locality.wait') ?? '3s (default)',
        'spark.scheduler.mode': properties.get('spark.scheduler.mode') ?? 'FIFO (default)',
        'spark.dynamicAllocation.enabled': properties.get('spark.dynamicAllocation.enabled') ?? 'false (default)',
      },
      thresholds: { minQueueMs: MIN_QUEUE_MS, minSchedulerDelayShare: MIN_DELAY_SHARE, minTotalMs: MIN_TOTAL_MS, minShareOfRunTime: MIN_SHARE },
    },
    confidence: claimedMs >= 60_000 ? 'HIGH' : 'MEDIUM',
    suggestion:
      'Waiting before the first launch means no slot was free or no executor was there yet: other stages held the ' +
      'slots (FIFO scheduling; spark.scheduler.mode=FAIR shares them), dynamic allocation was still adding executors ' +
      '(spark.dynamicAllocation.initialExecutors / minExecutors), or tasks waited for a data-local slot ' +
      '(spark.locality.wait, 3 s per level by default). Scheduler delay inside tasks points at the driver or the ' +
      'executors being busy: large task closures sent to each task, a driver short of CPU or in GC, or many tiny ' +
      'concurrent stages; compare it with the tasks\' run time in the stage\'s task table.',
    tradeoffs:
      'FAIR scheduling slows the job that held the slots; more initial executors cost resources when idle; a lower ' +
      'locality wait reads more data over the network.',
    sparkDocsRef: launchDelayDetector.sparkDocsRef,
    jobId: single?.jobId ?? null,
    stageId: single?.stageId ?? null,
    stageAttemptId: single?.stageAttemptId ?? null,
    sqlExecutionId: single?.sqlExecutionId ?? null,
    impact: share,
    impactMs: Math.round(claimedMs),
    claims,
  };
}
