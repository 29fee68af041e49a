import { booleanProperty, type ApplicationFacts, type Detector, type InsightDraft } from '../detector.js';
import type { Confidence, EvidenceValue } from '../insight.js';
import { propertyOrDefault, sparkAtLeast } from '../properties.js';
import { stageFacts, type StageFacts } from '../stage-facts.js';
import { counted, formatDuration } from '../format.js';

/** More than half of the executors' task slots' time ran no task. */
const IDLE_SHARE_THRESHOLD = 0.5;
/** Above this share the signal is unmistakable. */
const HIGH_IDLE_SHARE = 0.75;
/**
 * Two default executor idle timeouts (spark.dynamicAllocation.executorIdleTimeout 60 s): a shorter application
 * could not give executors back even with dynamic allocation, so its idle time is start-up and shutdown.
 */
const MIN_APP_DURATION_MS = 2 * 60_000;
/** With a single executor there is nothing to remove; sizing it is a different question. */
const MIN_EXECUTORS = 2;
/** When at least this share of the run had no stage running, the idle time is mostly driver-side. */
const DRIVER_SIDE_SHARE = 0.5;

const DOCS = 'https://spark.apache.org/docs/latest/job-scheduling.html#dynamic-resource-allocation';

interface Capacity {
  executors: bigint;
  slots: bigint;
  capacityMs: number;
  busyMs: number;
  tasks: bigint;
  maxSlotsPerExecutor: bigint;
  removedExecutors: bigint;
}

/** Dynamic allocation settings as logged, with Spark's defaults named where unset. */
function allocationSettings(app: ApplicationFacts): { [key: string]: EvidenceValue } {
  const get = (key: string, fallback: string): string => propertyOrDefault(app, key, fallback);
  // Spark 3.4 turned shuffle tracking on by default.
  const trackingDefault = sparkAtLeast(app, 3, 4);
  return {
    'spark.dynamicAllocation.enabled': get('spark.dynamicAllocation.enabled', 'false'),
    'spark.dynamicAllocation.minExecutors': get('spark.dynamicAllocation.minExecutors', '0'),
    'spark.dynamicAllocation.initialExecutors': get('spark.dynamicAllocation.initialExecutors', 'minExecutors'),
    'spark.dynamicAllocation.maxExecutors': get('spark.dynamicAllocation.maxExecutors', 'infinity'),
    'spark.dynamicAllocation.executorIdleTimeout': get('spark.dynamicAllocation.executorIdleTimeout', '60s'),
    'spark.dynamicAllocation.cachedExecutorIdleTimeout': get('spark.dynamicAllocation.cachedExecutorIdleTimeout', 'infinity'),
    'spark.dynamicAllocation.shuffleTracking.enabled': get('spark.dynamicAllocation.shuffleTracking.enabled', String(trackingDefault)),
    'spark.dynamicAllocation.shuffleTracking.timeout': get('spark.dynamicAllocation.shuffleTracking.timeout', 'infinity'),
    'spark.shuffle.service.enabled': get('spark.shuffle.service.enabled', 'false'),
    'spark.executor.instances': app.sparkProperties.get('spark.executor.instances') ?? null,
    'spark.executor.cores': app.sparkProperties.get('spark.executor.cores') ?? null,
  };
}

/** Wall-clock with at least one stage attempt between its submission and completion (stage facts), each moment once. */
function stageRunningMs(facts: readonly StageFacts[]): number | null {
  const spans = facts
    .filter((f) => f.submissionTime !== null && f.completionTime !== null && f.completionTime >= f.submissionTime)
    .map((f) => [f.submissionTime!, f.completionTime!] as const)
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (spans.length === 0) return null;
  let total = 0;
  let [from, to] = spans[0]!;
  for (const [b, f] of spans.slice(1)) {
    if (b > to) {
      total += to - from;
      [from, to] = [b, f];
    } else to = Math.max(to, f);
  }
  return total + (to - from);
}

/**
 * Idle executors / over-provisioning: 1 − task time ÷ (executor lifetime × task slots), over the application's
 * executors (not the driver), each alive from its registration to its removal or the application's end.
 * It speaks when more than half of that capacity ran nothing, in applications of at least 2 minutes with at
 * least 2 executors. Its cost is capacity (idle slot time, in the evidence), not run time: giving idle executors
 * back would not make the application end sooner. So it claims no wall-clock (impact 0) and stays LOW: a
 * problem, shown above explanations, ranked after every finding that cost the run time.
 */
export const idleExecutorsDetector: Detector = {
  type: 'idle-executors',
  description:
    'Executors held but mostly idle: 1 − task time ÷ (executor lifetime × task slots) over 50%, for applications of ' +
    '2 minutes or more with 2 or more executors.',
  sparkDocsRef: DOCS,
  async detect(context) {
    const { app, query } = context;
    if (app.durationMs === null || app.durationMs < MIN_APP_DURATION_MS) return [];
    const [capacity] = await query<Capacity>(`
      WITH a AS (SELECT endTime FROM applications WHERE appKey = $appKey),
      e AS (
        SELECT x.id, greatest(1, coalesce(x.maxTasks, x.totalCores, 1)) AS slots,
          greatest(0, coalesce(x.removeTime, (SELECT endTime FROM a)) - x.addTime) AS lifetime, x.removeTime
        FROM v_executors x WHERE x.appKey = $appKey AND x.id <> 'driver' AND x.addTime IS NOT NULL
      ), t AS (
        SELECT executorId, sum(duration) AS busy, count(*) AS tasks FROM app_tasks($appKey)
        WHERE appKey = $appKey AND duration IS NOT NULL GROUP BY ALL
      )
      SELECT count(*) AS executors, sum(e.slots) AS slots, sum(e.lifetime * e.slots)::DOUBLE AS capacityMs,
        coalesce(sum(t.busy), 0)::DOUBLE AS busyMs, coalesce(sum(t.tasks), 0) AS tasks, max(e.slots) AS maxSlotsPerExecutor,
        count(e.removeTime) AS removedExecutors
      FROM e LEFT JOIN t ON t.executorId = e.id`);
    if (!capacity || Number(capacity.executors) < MIN_EXECUTORS || capacity.capacityMs <= 0) return [];
    const idleShare = Math.max(0, 1 - capacity.busyMs / capacity.capacityMs);
    if (idleShare <= IDLE_SHARE_THRESHOLD) return [];

    const [shape] = await query<{ peak: bigint | null }>(`
      WITH ev AS (
        SELECT launchTime AS t, 1 AS d FROM app_tasks($appKey)
        WHERE appKey = $appKey AND executorId <> 'driver' AND launchTime IS NOT NULL AND finishTime IS NOT NULL
        UNION ALL
        SELECT finishTime, -1 FROM app_tasks($appKey)
        WHERE appKey = $appKey AND executorId <> 'driver' AND launchTime IS NOT NULL AND finishTime IS NOT NULL
      ), running AS (
        SELECT sum(d) OVER (ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS n FROM ev
      )
      SELECT max(n) AS peak FROM running`);
    const runningMs = stageRunningMs(await stageFacts(context));

    const executors = Number(capacity.executors);
    const slots = Number(capacity.slots);
    const slotsPerExecutor = Number(capacity.maxSlotsPerExecutor);
    const idleMs = capacity.capacityMs - capacity.busyMs;
    // Launch and finish times are the driver's, so a slot's next task can appear to start a moment before its
    // previous one was recorded as finished: no more tasks can run at once than there are slots.
    const peak = shape?.peak === null || shape?.peak === undefined ? null : Math.min(slots, Number(shape.peak));
    const noStageMs = runningMs === null ? null : Math.max(0, app.durationMs - runningMs);
    const noStageShare = noStageMs === null ? null : noStageMs / app.durationMs;
    const dynamic = booleanProperty(app, 'spark.dynamicAllocation.enabled', false);
    const enoughAtPeak = peak === null ? null : Math.max(1, Math.ceil(peak / Math.max(1, slotsPerExecutor)));
    const driverSide = noStageShare !== null && noStageShare >= DRIVER_SIDE_SHARE;
    const confidence: Confidence = idleShare >= HIGH_IDLE_SHARE ? 'HIGH' : 'MEDIUM';
    const pct = (share: number): string => `${(share * 100).toFixed(share >= 0.995 && share < 1 ? 1 : 0)}%`;

    const suggestion = [
      dynamic
        ? 'Dynamic allocation was on but executors stayed idle: lower spark.dynamicAllocation.executorIdleTimeout, ' +
          'minExecutors or initialExecutors; executors holding cached blocks wait for cachedExecutorIdleTimeout, and ' +
          'with shuffle tracking (no shuffle service) executors holding shuffle data wait for shuffleTracking.timeout.'
        : 'Turn on dynamic allocation (spark.dynamicAllocation.enabled=true, with the external shuffle service or ' +
          'shuffle tracking) so idle executors are released' +
          (peak !== null && enoughAtPeak !== null && enoughAtPeak < executors
            ? `, or request fewer executors: at its busiest the application ran ${counted(peak, 'task')} at once, which ` +
              `${counted(enoughAtPeak, 'executor')} of ${slotsPerExecutor} slots would hold.`
            : '.'),
      driverSide
        ? `No stage was running for ${pct(noStageShare!)} of the run (driver-side work, waiting, or an interactive ` +
          'session left open): release executors during those gaps, or move that driver work out of the application.'
        : '',
    ].filter(Boolean).join(' ');

    return [{
      id: 'idle-executors:application',
      type: 'idle-executors',
      title: `Executors were idle ${pct(idleShare)} of the time they were held`,
      description:
        `${counted(executors, 'executor')} with ${counted(slots, 'task slot')} were held for ` +
        `${formatDuration(capacity.capacityMs)} of slot time, ` +
        `and tasks ran for ${formatDuration(capacity.busyMs)} of it: ${pct(idleShare)} of the capacity ran nothing.` +
        (peak !== null ? ` At most ${counted(peak, 'task')} ran at once.` : '') +
        (noStageShare === null ? ''
          : pct(noStageShare) === '0%'
            ? ` A stage was running for all of the ${formatDuration(app.durationMs)} run: the idle capacity was task slots left ` +
              'empty while stages ran.'
            : ` No stage was running for ${pct(noStageShare)} of the ${formatDuration(app.durationMs)} run.`) +
        ` Dynamic allocation was ${dynamic ? 'on' : 'off'}.`,
      evidence: {
        executors,
        taskSlots: slots,
        slotsPerExecutor,
        executorsRemovedDuringRun: Number(capacity.removedExecutors),
        capacitySlotMs: capacity.capacityMs,
        taskTimeMs: capacity.busyMs,
        tasks: Number(capacity.tasks),
        idleSlotMs: idleMs,
        idleShare: Number(idleShare.toFixed(4)),
        peakConcurrentTasks: peak,
        executorsEnoughAtPeak: enoughAtPeak,
        applicationDurationMs: app.durationMs,
        noStageRunningMs: noStageMs,
        dynamicAllocation: allocationSettings(app),
        impactBasis: 'none in wall-clock: idle executors cost capacity (idleSlotMs of capacitySlotMs), not run time',
        thresholds: {
          idleShare: IDLE_SHARE_THRESHOLD,
          minApplicationDurationMs: MIN_APP_DURATION_MS,
          minExecutors: MIN_EXECUTORS,
        },
      },
      confidence,
      suggestion,
      tradeoffs:
        'Fewer executors lengthen the stages that did use the parallelism; dynamic allocation adds executor start-up ' +
        'latency when work arrives, and without the shuffle service or shuffle tracking removed executors take their ' +
        'shuffle files with them.',
      sparkDocsRef: DOCS,
      jobId: null,
      stageId: null,
      stageAttemptId: null,
      sqlExecutionId: null,
      impact: 0,
      impactMs: 0,
      severity: 'LOW',
    } satisfies InsightDraft];
  },
};
