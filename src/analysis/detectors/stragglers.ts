import { claimedWallMs, type WallClaim } from '../claims.js';
import { booleanProperty, type Detector, type InsightDraft } from '../detector.js';
import type { Confidence } from '../insight.js';
import { capitalize, counted, formatBytes, formatDuration, formatShare, nameSome, stageLabel } from '../format.js';
import { stageFacts, stageKey, taskTimePartsEvidence, taskTimePartsSql, type StageFacts, type TaskTimeParts } from '../stage-facts.js';

/** Spark speculation's test (spark.speculation.multiplier 1.5 once spark.speculation.quantile 0.75 of tasks are done). */
const SPECULATION_MULTIPLIER = 1.5;
const SPECULATION_QUANTILE = 0.75;
/** spark.speculation.minTaskRuntime: shorter tasks are never speculated. */
const SPECULATION_MIN_TASK_RUNTIME_MS = 100;
/**
 * A slow task with up to this many times the 75th-percentile task's data (or 1 MB more) read like its peers: it is
 * a straggler. One with more data is skew, which the data-skew detector reports.
 */
const SAME_DATA_FACTOR = 1.5;
const SAME_DATA_SLACK_BYTES = 1024 * 1024;

/** The most data a slow task may read and still count as reading the same as its stage's 75th-percentile task. */
export const sameDataLimitBytes = (p75Bytes: number): number => Math.max(SAME_DATA_FACTOR * p75Bytes, p75Bytes + SAME_DATA_SLACK_BYTES);
/** Fewer successful tasks than this make a percentile meaningless. */
const MIN_TASKS = 10;
/** The slowest straggler must hold the stage up at least this long (as the data-skew detector requires)... */
const MIN_EXTRA_MS = 10_000;
/** ...and at least 1% of the application's run time. */
const MIN_SHARE = 0.01;
/** Over this share of the tasks past the threshold, the stage has a long tail rather than a few stragglers. */
const LONG_TAIL_SHARE = 0.1;
/** Stragglers are concentrated on one executor or host when it holds at least this share of them (and 2). */
const CONCENTRATION_SHARE = 0.5;

/** A successful task slower than its stage's straggler threshold, with its stage's facts. */
interface TaskRow extends TaskTimeParts {
  stageId: number;
  stageAttemptId: number;
  taskId: bigint;
  index: number | null;
  executorId: string | null;
  host: string | null;
  launchTime: number;
  finishTime: number;
  duration: number;
  hasMetrics: boolean;
  /** Last finish of the stage's successful tasks at or under the threshold. */
  fastEnd: number | null;
}

/** The stage facts a straggler finding reads (stage-facts.ts), under the names this detector uses. */
interface Stage {
  stageId: number;
  stageAttemptId: number;
  name: string | null;
  tasks: number;
  p75: number;
  median: number;
  p75Bytes: number;
  medianGc: number;
  medianFetchWait: number;
  medianSchedulerDelay: number;
  medianDeserialize: number;
  executors: number;
  hosts: number;
  speculativeAttempts: number;
  lastSuccessFinish: number;
}

interface Concentration {
  kind: 'executor' | 'host';
  id: string;
  stragglers: number;
}

/**
 * Stragglers: tasks slower than Spark speculation's test (1.5× the stage's 75th-percentile duration) that read no
 * more data than their peers, so their slowness is the machine's or the moment's, not the data's. Grouped by
 * executor and host to show a slow node. The cost is wall-clock: how much later the stage's successful tasks
 * ended than they would have had each straggler taken the 75th-percentile time (a straggler in an early wave
 * whose slot's peers kept the stage busy cost little; one the stage waited for at its end cost its whole tail).
 * Quiet unless the slowest is ≥ 10 s past the 75th percentile and the stage was held up ≥ 10 s and ≥ 1% of the
 * application's run time.
 */
export const stragglersDetector: Detector = {
  type: 'stragglers',
  description:
    'Tasks far slower than their stage\'s 75th percentile (> 1.5×, as speculation tests) while reading the same ' +
    'data as their peers, grouped by executor and host, with the wall-clock they held their stage up.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/configuration.html#scheduling',
  async detect(context) {
    const { app, query } = context;
    const wallClock = app.durationMs ?? app.totalTaskTimeMs;
    if (wallClock <= 0) return [];
    const facts = await stageFacts(context);
    const stages = new Map<string, { stage: Stage; facts: StageFacts }>();
    for (const f of facts) {
      if (f.successfulTasks < MIN_TASKS || f.p75DurationMs === null || f.maxDurationMs === null || f.lastSuccessFinish === null) continue;
      // The slowest straggler can be no further past the 75th percentile than the stage's slowest task.
      if (f.maxDurationMs - f.p75DurationMs < MIN_EXTRA_MS) continue;
      stages.set(stageKey(f.stageId, f.stageAttemptId), { facts: f, stage: stageOf(f) });
    }
    if (stages.size === 0) return [];
    const thresholds = [...stages.values()].map(({ stage }) => ({
      stageId: stage.stageId,
      stageAttemptId: stage.stageAttemptId,
      limitMs: Math.max(SPECULATION_MULTIPLIER * stage.p75, SPECULATION_MIN_TASK_RUNTIME_MS),
    }));
    const rows = await query<TaskRow>(`
      WITH th AS (
        SELECT unnest(from_json($thresholds, '[{"stageId":"INTEGER","stageAttemptId":"INTEGER","limitMs":"DOUBLE"}]'), recursive := true)
      ), t AS (
        SELECT t.stageId::INTEGER AS stageId, t.stageAttemptId::INTEGER AS stageAttemptId, t.taskId, t."index"::INTEGER AS "index",
          t.executorId, t.host, t.launchTime::DOUBLE AS launchTime, t.finishTime::DOUBLE AS finishTime, t.duration::DOUBLE AS duration,
          ${taskTimePartsSql}, t.hasMetrics, th.limitMs
        FROM app_tasks($appKey) t JOIN th ON th.stageId = t.stageId AND th.stageAttemptId = t.stageAttemptId
        WHERE t.appKey = $appKey AND t.endReason = 'Success' AND t.duration IS NOT NULL AND t.finishTime IS NOT NULL
      )
      SELECT * EXCLUDE (limitMs),
        max(CASE WHEN duration <= limitMs THEN finishTime END) OVER (PARTITION BY stageId, stageAttemptId)::DOUBLE AS fastEnd
      FROM t
      QUALIFY duration > limitMs
      ORDER BY stageId, stageAttemptId, duration DESC, taskId`, { thresholds: JSON.stringify(thresholds) });
    const byStage = new Map<string, TaskRow[]>();
    for (const row of rows) {
      const key = stageKey(row.stageId, row.stageAttemptId);
      byStage.set(key, [...(byStage.get(key) ?? []), row]);
    }
    const speculation = booleanProperty(app, 'spark.speculation', false);
    const insights: InsightDraft[] = [];
    const concentrations: Array<{ concentration: Concentration; stageId: number; claim: WallClaim }> = [];
    for (const [key, slow] of byStage) {
      const { stage, facts: f } = stages.get(key)!;
      const dataLimit = sameDataLimitBytes(stage.p75Bytes);
      // A task without metrics cannot be judged by its data: it counts as one of the stage's ordinary tasks.
      const stragglers = slow.filter((task) => task.hasMetrics && task.bytes <= dataLimit);
      const dataHeavy = slow.filter((task) => task.hasMetrics).length - stragglers.length;
      if (stragglers.length === 0) continue;
      const slowest = stragglers[0]!;
      if (slowest.duration - stage.p75 < MIN_EXTRA_MS) continue;
      // Where the successful tasks would have ended had every straggler taken the 75th-percentile time.
      const others = slow.filter((task) => !stragglers.includes(task)).map((task) => task.finishTime);
      const typicalEnd = Math.max(slowest.fastEnd ?? -Infinity, ...others, ...stragglers.map((task) => task.launchTime + stage.p75));
      const holdUpMs = Math.max(0, stage.lastSuccessFinish - typicalEnd);
      if (holdUpMs < MIN_EXTRA_MS || holdUpMs < MIN_SHARE * wallClock) continue;
      const claim: WallClaim = { from: typicalEnd, to: stage.lastSuccessFinish, share: 1 };
      const concentration = concentrationOf(stragglers, stage);
      if (concentration) concentrations.push({ concentration, stageId: stage.stageId, claim });
      insights.push({
        ...stageInsight(stage, stragglers, dataHeavy, dataLimit, concentration, speculation, holdUpMs, wallClock),
        jobId: f.jobId,
        sqlExecutionId: f.sqlExecutionId,
        claims: [claim],
      });
    }
    insights.push(...slowNodeInsights(concentrations, wallClock, speculation));
    return insights;
  },
};

function stageOf(f: StageFacts): Stage {
  return {
    stageId: f.stageId,
    stageAttemptId: f.stageAttemptId,
    name: f.name,
    tasks: f.successfulTasks,
    p75: f.p75DurationMs!,
    median: f.medianDurationMs ?? 0,
    p75Bytes: f.p75ReadBytes ?? 0,
    medianGc: f.medianGcMs ?? 0,
    medianFetchWait: f.medianFetchWaitMs ?? 0,
    medianSchedulerDelay: f.medianSchedulerDelayMs ?? 0,
    medianDeserialize: f.medianDeserializeMs ?? 0,
    executors: f.executors,
    hosts: f.hosts,
    speculativeAttempts: f.speculativeAttempts,
    lastSuccessFinish: f.lastSuccessFinish!,
  };
}

function concentrationOf(stragglers: TaskRow[], stage: Stage): Concentration | null {
  const top = (key: (task: TaskRow) => string | null): [string, number] | null => {
    const counts = new Map<string, number>();
    for (const task of stragglers) {
      const id = key(task);
      if (id !== null) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0] ?? null;
  };
  const concentrated = (entry: [string, number] | null): boolean =>
    entry !== null && entry[1] >= 2 && entry[1] >= CONCENTRATION_SHARE * stragglers.length;
  const executor = top((task) => task.executorId);
  const host = top((task) => task.host);
  // A host is the better answer when its stragglers came from more than one of its executors.
  if (stage.hosts > 1 && concentrated(host) && (!concentrated(executor) || host![1] > executor![1])) {
    return { kind: 'host', id: host![0], stragglers: host![1] };
  }
  if (stage.executors > 1 && concentrated(executor)) return { kind: 'executor', id: executor![0], stragglers: executor![1] };
  return null;
}

/** What the slowest straggler spent its extra time on, against the stage's median task. */
function breakdown(task: TaskRow, stage: Stage): Array<{ part: string; extraMs: number }> {
  return [
    { part: 'JVM garbage collection', extraMs: task.gcTime - stage.medianGc },
    { part: 'waiting for shuffle fetches', extraMs: task.fetchWait - stage.medianFetchWait },
    { part: 'scheduler delay', extraMs: task.schedulerDelay - stage.medianSchedulerDelay },
    { part: 'deserializing the task', extraMs: task.deserialize - stage.medianDeserialize },
  ].filter((p) => p.extraMs > 0);
}

function stageInsight(
  stage: Stage,
  stragglers: TaskRow[],
  dataHeavy: number,
  dataLimit: number,
  concentration: Concentration | null,
  speculation: boolean,
  holdUpMs: number,
  wallClock: number,
): InsightDraft {
  const stageId = stage.stageId;
  const attemptId = stage.stageAttemptId;
  const tasks = stage.tasks;
  const slowest = stragglers[0]!;
  const label = stageLabel(stageId, attemptId);
  const threshold = SPECULATION_MULTIPLIER * stage.p75;
  const parts = breakdown(slowest, stage);
  const main = [...parts].sort((a, b) => b.extraMs - a.extraMs)[0];
  const mainText =
    main && main.extraMs >= 0.25 * (slowest.duration - stage.median)
      ? ` ${formatDuration(main.extraMs)} more than the median task went to ${main.part}.`
      : ' Its extra time was not GC, shuffle fetch waits or scheduling: the executor ran the same work slower.';
  const oneExecutor = stage.executors === 1;
  const where = concentration
    ? ` ${concentration.stragglers} of the ${stragglers.length} stragglers ran on ${concentration.kind} ${concentration.id}, which points at that ${concentration.kind === 'host' ? 'machine' : 'executor'}.`
    : oneExecutor
      ? ' The stage ran in a single executor, so this is contention or transient slowness inside it.'
      : stragglers.length > 1
        ? ' They are spread over executors, which points at contention or transient slowness rather than one bad node.'
        : '';
  const tail = stragglers.length > LONG_TAIL_SHARE * tasks;
  const tailText = tail
    ? ` With ${formatShare(stragglers.length / tasks)} of the tasks over the threshold this is a long tail more than a few stragglers.`
    : '';
  const speculationText = speculation
    ? ` Speculation was on (${counted(stage.speculativeAttempts, 'speculative attempt')} in this stage).`
    : ' Speculation (spark.speculation) was off.';
  const confidence: Confidence = tail
    ? 'LOW'
    : tasks >= 50 && (concentration !== null || slowest.duration >= 3 * stage.p75)
      ? 'HIGH'
      : tasks >= 20
        ? 'MEDIUM'
        : 'LOW';
  return {
    id: `stragglers:stage-${stageId}.${attemptId}`,
    type: 'stragglers',
    title:
      `${capitalize(label)} waited ${formatDuration(holdUpMs)} on ${counted(stragglers.length, 'straggler')}` +
      (concentration ? ` (${concentration.kind} ${concentration.id})` : ''),
    description:
      `In ${label}${stage.name ? ` (${stage.name})` : ''}, ${stragglers.length} of ${tasks} tasks ran longer than ` +
      `${formatDuration(threshold)} (1.5× the 75th percentile, ${formatDuration(stage.p75)}) while reading no more data ` +
      `than their peers. The slowest, task ${slowest.taskId} on executor ${slowest.executorId ?? '?'} ` +
      `(${slowest.host ?? 'unknown host'}), ran ${formatDuration(slowest.duration)} for ${formatBytes(slowest.bytes)} ` +
      `against ${formatBytes(stage.p75Bytes)} for the 75th-percentile task.${mainText}${where}${tailText}` +
      `${dataHeavy > 0 ? ` ${counted(dataHeavy, 'other slow task')} read more data and ${dataHeavy === 1 ? 'is' : 'are'} skew, not stragglers.` : ''}` +
      `${speculationText} The stage's tasks ended ${formatDuration(holdUpMs)} later than they would have had each ` +
      `straggler taken the 75th-percentile time, ${formatShare(holdUpMs / wallClock)} of the application's run time.`,
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      successfulTasks: tasks,
      stragglers: stragglers.length,
      dataHeavySlowTasks: dataHeavy,
      p75DurationMs: stage.p75,
      medianDurationMs: stage.median,
      stragglerThresholdMs: threshold,
      p75BytesRead: stage.p75Bytes,
      sameDataLimitBytes: dataLimit,
      slowestTask: {
        taskId: Number(slowest.taskId),
        index: slowest.index,
        executorId: slowest.executorId,
        host: slowest.host,
        durationMs: slowest.duration,
        ...taskTimePartsEvidence(slowest),
      },
      stragglersByExecutor: tally(stragglers, (task) => task.executorId),
      stragglersByHost: tally(stragglers, (task) => task.host),
      stageExecutors: stage.executors,
      stageHosts: stage.hosts,
      concentratedOn: concentration ? { kind: concentration.kind, id: concentration.id, stragglers: concentration.stragglers } : null,
      speculationEnabled: speculation,
      speculativeAttempts: stage.speculativeAttempts,
      stageWaitMs: holdUpMs,
      slowestBeyondP75Ms: slowest.duration - stage.p75,
      impactBasis: 'wall-clock: how much later the stage\'s successful tasks ended than with every straggler at the 75th-percentile time',
      appRunTimeMs: wallClock,
      thresholds: {
        'spark.speculation.multiplier': SPECULATION_MULTIPLIER,
        'spark.speculation.quantile': SPECULATION_QUANTILE,
        'spark.speculation.minTaskRuntime': SPECULATION_MIN_TASK_RUNTIME_MS,
        baseline: '75th-percentile duration of the successful tasks (stricter than speculation\'s median)',
        sameDataFactor: SAME_DATA_FACTOR,
        minSuccessfulTasks: MIN_TASKS,
        longTailShare: LONG_TAIL_SHARE,
        minStageWaitMs: MIN_EXTRA_MS,
        minShareOfAppRunTime: MIN_SHARE,
      },
    },
    confidence,
    suggestion: suggestionFor(concentration, speculation, oneExecutor),
    tradeoffs: TRADEOFFS,
    sparkDocsRef: stragglersDetector.sparkDocsRef,
    jobId: null, // detect() fills it (and the SQL execution) from the stage facts
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: null,
    impact: Math.min(1, holdUpMs / wallClock),
    impactMs: holdUpMs,
  };
}

const TRADEOFFS =
  'Speculation runs duplicate attempts that use slots and I/O, and is unsafe for tasks with side effects outside ' +
  'Spark\'s output commit protocol (e.g. writes to external systems); excluding a node lowers capacity.';

function suggestionFor(concentration: Concentration | null, speculation: boolean, oneExecutor = false): string {
  if (oneExecutor) {
    return (
      'With one executor, a speculative copy would run in the same JVM, so look inside it: GC and memory (see the ' +
      'gc-pressure insight), other work sharing the machine, and disk or network stalls. More, smaller executors ' +
      'let speculation (spark.speculation=true) move a slow task elsewhere.'
    );
  }
  const node = concentration
    ? `Look at ${concentration.kind} ${concentration.id}: its executor logs and GC, and the machine's disk, network ` +
      'and CPU (other tenants). If it is consistently slow, take it out of the pool; Spark\'s exclusion ' +
      '(spark.excludeOnFailure.enabled) reacts to failures, not to slowness. '
    : '';
  return speculation
    ? `${node}Speculation was on; if stragglers still set the stage's length, a lower spark.speculation.multiplier or ` +
        'spark.speculation.quantile launches copies sooner.'
    : `${node}Turn on speculative execution (spark.speculation=true; it relaunches tasks slower than 1.5× the median ` +
        'once 75% are done) so a copy elsewhere can finish first.';
}

function tally(tasks: TaskRow[], key: (task: TaskRow) => string | null): { [id: string]: number } {
  const counts: { [id: string]: number } = {};
  for (const task of tasks) {
    const id = key(task) ?? 'unknown';
    counts[id] = (counts[id] ?? 0) + 1;
  }
  return counts;
}

/** An executor or host that concentrated the stragglers of two or more stages is a slow node of the application. */
function slowNodeInsights(
  found: Array<{ concentration: Concentration; stageId: number; claim: WallClaim }>,
  wallClock: number,
  speculation: boolean,
): InsightDraft[] {
  const groups = new Map<string, typeof found>();
  for (const entry of found) {
    const key = `${entry.concentration.kind}:${entry.concentration.id}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.entries()]
    .filter(([, entries]) => entries.length >= 2)
    .map(([, entries]): InsightDraft => {
      const { kind, id } = entries[0]!.concentration;
      const claims = entries.map((e) => e.claim);
      const extraMs = claimedWallMs(claims);
      const stageIds = entries.map((e) => e.stageId);
      return {
        id: `stragglers:${kind}-${id}`,
        type: 'stragglers',
        title: `${capitalize(kind)} ${id} held up ${entries.length} stages with stragglers`,
        description:
          `Stragglers concentrated on ${kind} ${id} in ${nameSome('stage', stageIds)}, holding them up ` +
          `${formatDuration(extraMs)} in total (${formatShare(extraMs / wallClock)} of the application's run time). ` +
          'Tasks there ran slower than their peers with the same data, stage after stage.',
        evidence: {
          kind,
          id,
          stageIds,
          stagesHeldUp: entries.length,
          totalStageWaitMs: extraMs,
          appRunTimeMs: wallClock,
          speculationEnabled: speculation,
          thresholds: { minStages: 2, concentrationShare: CONCENTRATION_SHARE },
        },
        confidence: entries.length >= 3 ? 'HIGH' : 'MEDIUM',
        suggestion: suggestionFor(entries[0]!.concentration, speculation),
        tradeoffs: TRADEOFFS,
        sparkDocsRef: stragglersDetector.sparkDocsRef,
        jobId: null,
        stageId: null,
        stageAttemptId: null,
        sqlExecutionId: null,
        impact: Math.min(1, extraMs / wallClock),
        impactMs: extraMs,
        claims,
      };
    });
}
