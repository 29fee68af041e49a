/**
 * Executor what-if: how long would this application have taken with N executors of C cores?
 *
 * The model (deterministic, pure; every number it returns is an estimate, never a promise):
 *
 * 1. Driver time is fixed. The application's run is split into job groups: jobs whose
 *    [submission, completion] intervals overlap form one group (concurrent jobs stay concurrent). The time
 *    when no job ran (application start to first job, gaps between groups, last job to application end) is
 *    driver time and is added unchanged to every estimate.
 * 2. Work is the measured task time. Every task keeps its measured duration (finish − launch, which includes
 *    scheduler delay, deserialization and result fetching as they were). Every attempt replays, the run as it
 *    happened; failed attempts are also reported as lost time (failedTaskTimeMs), and killed or duplicate
 *    attempts (speculation losers, tasks killed when a job ended) as speculativeTaskTimeMs. Stage retries are
 *    replayed: a retry waits for the stage's previous attempt.
 * 3. Replay. Within a group, stage attempts run in dependency order: an attempt becomes ready when every
 *    attempt of its parent stages submitted before it (in the log) has finished in the replay, its own
 *    previous attempt has finished, and its job has been submitted (at the job's measured offset from the
 *    group's start); it then waits its measured driver delay (from that moment to its first task launch in
 *    the log, or to its submission when another stage was running, since its first launch may then have
 *    waited for a slot). Ready stages share N×C task slots, taken FIFO by (job id, stage id, attempt) like
 *    Spark's FIFO scheduler; tasks go in their logged launch order. A min-heap of the running tasks' finish
 *    times says when the next slot frees. The group's estimate is the time its last stage attempt ends plus
 *    the measured time from its last stage's completion to its last job's end. Other driver work inside a
 *    job (a stage's end after its last task) is not modelled.
 * 4. Bounds. criticalPath replays with unlimited slots: each stage attempt lasts as long as its longest task,
 *    so it is the longest chain of stage spans along the dependencies, plus driver time. idealTime spreads
 *    the total replayed task time perfectly over the actual cores, plus driver time.
 * 5. The actual configuration is read from the executors' add/remove times: the time-weighted mean of the
 *    executors (and of their cores) alive while jobs ran. The curve's estimate at that executor count (rounded),
 *    with every attempt replayed in both, against the real duration is the model's error on this application:
 *    |estimate − real| / real, as Sparklens states it.
 */

import { counted } from '../analysis/format.js';
import type { SimExecutor, SimStageAttempt, SimTask, SimulationInput } from '../model/simulation-input.js';

export type { SimExecutor, SimJob, SimStageAttempt, SimTask, SimulationInput } from '../model/simulation-input.js';

/** One what-if configuration's estimate. */
export interface SimulationPoint {
  executors: number;
  estimatedWallTimeMs: number;
  estimatedUtilization: number;
}

/** The whole what-if answer for one application. */
export interface SimulationResult {
  actualExecutors: number;
  maxConcurrentExecutors: number;
  coresPerExecutor: number;
  actualDurationMs: number;
  estimateAtActualMs: number;
  replayAtActualMs: number;
  modelErrorPercent: number;
  /** The executor count taken as actual for the model error (a point of the curve) and why. */
  actualExecutorsUsed: number;
  actualExecutorsBasis: string;
  criticalPathMs: number;
  idealTimeMs: number;
  driverOnlyMs: number;
  totalTaskTimeMs: number;
  failedTaskTimeMs: number;
  speculativeTaskTimeMs: number;
  replayedTasks: number;
  assumptions: string[];
  points: SimulationPoint[];
}

/** A stage attempt ready to replay: its tasks' durations and what it waits for. */
interface ReplayStage {
  key: string;
  jobId: number;
  stageId: number;
  attemptId: number;
  /** Offset from the group's start before which it cannot start (its job's submission). */
  releaseMs: number;
  /** Measured driver delay from the moment it could start (job submitted, parents done) to its first task. */
  delayMs: number;
  durations: number[];
  dependsOn: string[];
}

/** A job group: concurrent jobs and the stage attempts they ran. */
interface JobGroup {
  start: number;
  end: number;
  /** Measured driver time from the group's last stage completion to its last job's end. */
  tailMs: number;
  stages: ReplayStage[];
}

const stageKey = (stageId: number, attemptId: number): string => `${stageId}.${attemptId}`;

/** A binary min-heap of numbers (running tasks' finish times). */
class MinHeap {
  private readonly items: number[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): number | undefined {
    return this.items[0];
  }

  push(value: number): void {
    const items = this.items;
    items.push(value);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= items[i]!) break;
      [items[parent], items[i]] = [items[i]!, items[parent]!];
      i = parent;
    }
  }

  pop(): number | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < items.length && items[left]! < items[smallest]!) smallest = left;
        if (right < items.length && items[right]! < items[smallest]!) smallest = right;
        if (smallest === i) break;
        [items[smallest], items[i]] = [items[i]!, items[smallest]!];
        i = smallest;
      }
    }
    return top;
  }
}

/**
 * Replays one group's stage attempts through `slots` task slots (Infinity: unlimited) and returns its
 * makespan from the group's start.
 */
export function replayGroup(stages: readonly ReplayStage[], slots: number): number {
  const byKey = new Map(stages.map((stage) => [stage.key, stage]));
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const stage of stages) {
    const deps = stage.dependsOn.filter((key) => byKey.has(key));
    waiting.set(stage.key, deps.length);
    for (const dep of deps) children.set(dep, [...(children.get(dep) ?? []), stage.key]);
  }
  const order = (a: ReplayStage, b: ReplayStage): number => a.jobId - b.jobId || a.stageId - b.stageId || a.attemptId - b.attemptId;
  /** Stages whose dependencies are done, in scheduling order, each with the next task to start. */
  const ready: Array<{ stage: ReplayStage; next: number; running: number }> = [];
  const running = new Map<number, Array<{ stage: ReplayStage }>>();
  const heap = new MinHeap();
  const progress = new Map<string, { stage: ReplayStage; next: number; running: number }>();
  let now = 0;
  let makespan = 0;
  let free = slots;
  let finished = 0;

  const finishStage = (stage: ReplayStage, at: number): void => {
    finished += 1;
    makespan = Math.max(makespan, at);
    for (const child of children.get(stage.key) ?? []) {
      const left = waiting.get(child)! - 1;
      waiting.set(child, left);
      if (left === 0) makeReady(byKey.get(child)!);
    }
  };
  const pendingRelease: ReplayStage[] = [];
  const releaseAt = new Map<string, number>();
  const makeReady = (stage: ReplayStage): void => {
    if (!releaseAt.has(stage.key)) releaseAt.set(stage.key, Math.max(stage.releaseMs, now + stage.delayMs));
    if (releaseAt.get(stage.key)! > now) {
      pendingRelease.push(stage);
      return;
    }
    const entry = { stage, next: 0, running: 0 };
    progress.set(stage.key, entry);
    ready.push(entry);
    ready.sort((a, b) => order(a.stage, b.stage));
  };
  for (const stage of [...stages].sort(order)) if (waiting.get(stage.key) === 0) makeReady(stage);

  while (finished < stages.length) {
    // Stages without tasks to replay end the moment they are ready.
    for (const entry of [...ready]) {
      if (entry.stage.durations.length === 0) {
        ready.splice(ready.indexOf(entry), 1);
        finishStage(entry.stage, now);
      }
    }
    // Fill free slots, earliest stage first.
    for (const entry of ready) {
      while (free > 0 && entry.next < entry.stage.durations.length) {
        const end = now + entry.stage.durations[entry.next]!;
        entry.next += 1;
        entry.running += 1;
        free -= 1;
        heap.push(end);
        const atEnd = running.get(end);
        if (atEnd) atEnd.push({ stage: entry.stage });
        else running.set(end, [{ stage: entry.stage }]);
      }
      if (free <= 0) break;
    }
    for (let i = ready.length - 1; i >= 0; i -= 1) {
      const entry = ready[i]!;
      if (entry.stage.durations.length > 0 && entry.next >= entry.stage.durations.length) ready.splice(i, 1);
    }
    const nextFinish = heap.peek();
    const nextRelease = pendingRelease.length > 0 ? Math.min(...pendingRelease.map((stage) => releaseAt.get(stage.key)!)) : undefined;
    if (nextFinish === undefined && nextRelease === undefined) {
      if (ready.some((entry) => entry.stage.durations.length === 0)) continue;
      break; // nothing left that can run (a dependency cycle would end here; the log never has one)
    }
    if (nextRelease !== undefined && (nextFinish === undefined || nextRelease < nextFinish)) {
      now = nextRelease;
      const released = pendingRelease.filter((stage) => releaseAt.get(stage.key)! <= now);
      for (const stage of released) pendingRelease.splice(pendingRelease.indexOf(stage), 1);
      for (const stage of released) makeReady(stage);
      continue;
    }
    now = nextFinish!;
    while (heap.peek() === now) {
      heap.pop();
      free += 1;
    }
    for (const { stage } of running.get(now) ?? []) {
      const entry = progress.get(stage.key)!;
      entry.running -= 1;
      if (entry.running === 0 && entry.next >= stage.durations.length) finishStage(stage, now);
    }
    running.delete(now);
  }
  return makespan;
}

/** Intervals merged where they overlap (or touch), sorted. */
function mergeIntervals(intervals: ReadonlyArray<[number, number]>): Array<[number, number]> {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** What the replay needs, derived once: job groups, driver time, lost time. */
interface Prepared {
  groups: JobGroup[];
  driverOnlyMs: number;
  /** Task time of every replayed attempt. */
  totalTaskTimeMs: number;
  /** Of the replayed attempts, the successful ones (the first to finish per task index) and their time. */
  successfulTasks: number;
  successfulTaskTimeMs: number;
  failedTaskTimeMs: number;
  speculativeTaskTimeMs: number;
  jobIntervals: Array<[number, number]>;
}

/**
 * Groups, driver time and lost time of an application. Every attempt replays, failed, killed and duplicate ones
 * too (the run as it happened); the successful ones are counted apart for the assumptions.
 */
function prepare(input: SimulationInput): Prepared {
  const jobs = input.jobs.filter((job) => job.completionTime >= job.submissionTime);
  const jobIntervals = mergeIntervals(jobs.map((job) => [job.submissionTime, job.completionTime]));
  const busy = jobIntervals.reduce((sum, [start, end]) => sum + (end - start), 0);
  const driverOnlyMs = Math.max(0, input.appEndTime - input.appStartTime - busy);

  // Successful attempts per (stage attempt, index): the first to finish is the task's; the rest is lost time.
  let failedTaskTimeMs = 0;
  let speculativeTaskTimeMs = 0;
  const durations = new Map<string, Array<{ launch: number; duration: number; successful: boolean }>>();
  const firstLaunchOf = new Map<string, number>();
  for (const task of input.tasks) {
    const key = stageKey(task.stageId, task.stageAttemptId);
    firstLaunchOf.set(key, Math.min(firstLaunchOf.get(key) ?? Number.POSITIVE_INFINITY, task.launchTime));
  }
  const seen = new Set<string>();
  const tasks = [...input.tasks].sort((a, b) => a.launchTime + a.durationMs - (b.launchTime + b.durationMs) || a.launchTime - b.launchTime);
  for (const task of tasks) {
    const key = stageKey(task.stageId, task.stageAttemptId);
    const indexKey = `${key}#${task.index}`;
    const successful = task.outcome !== 'failed' && task.outcome !== 'killed' && !seen.has(indexKey);
    if (task.outcome === 'failed') failedTaskTimeMs += task.durationMs;
    else if (successful) seen.add(indexKey);
    else speculativeTaskTimeMs += task.durationMs;
    const attempt = { launch: task.launchTime, duration: task.durationMs, successful };
    const list = durations.get(key);
    if (list) list.push(attempt);
    else durations.set(key, [attempt]);
  }

  const jobById = new Map(jobs.map((job) => [job.jobId, job]));
  const groupOf = (time: number): number => jobIntervals.findIndex(([start, end]) => time >= start && time <= end);
  const groups: JobGroup[] = jobIntervals.map(([start, end]) => ({ start, end, tailMs: 0, stages: [] }));
  const lastCompletion = groups.map((group) => group.start);
  const attemptByKey = new Map(input.stages.map((stage) => [stageKey(stage.stageId, stage.attemptId), stage]));
  let totalTaskTimeMs = 0;
  let successfulTasks = 0;
  let successfulTaskTimeMs = 0;
  const attemptsOf = new Map<number, SimStageAttempt[]>();
  for (const stage of input.stages) attemptsOf.set(stage.stageId, [...(attemptsOf.get(stage.stageId) ?? []), stage]);
  for (const stage of input.stages) {
    const job = stage.jobId === null ? undefined : jobById.get(stage.jobId);
    const at = job?.submissionTime ?? stage.submissionTime;
    if (at === null || at === undefined) continue;
    const groupIndex = groupOf(at);
    if (groupIndex < 0) continue;
    const group = groups[groupIndex]!;
    const tasksOfStage = (durations.get(stageKey(stage.stageId, stage.attemptId)) ?? []).sort((a, b) => a.launch - b.launch);
    totalTaskTimeMs += tasksOfStage.reduce((sum, task) => sum + task.duration, 0);
    for (const task of tasksOfStage) {
      if (!task.successful) continue;
      successfulTasks += 1;
      successfulTaskTimeMs += task.duration;
    }
    const submitted = stage.submissionTime ?? Number.POSITIVE_INFINITY;
    const dependsOn = stage.parentIds.flatMap((parentId) =>
      (attemptsOf.get(parentId) ?? [])
        .filter((parent) => parent.submissionTime !== null && parent.submissionTime <= submitted)
        .map((parent) => stageKey(parent.stageId, parent.attemptId)),
    );
    const previous = (attemptsOf.get(stage.stageId) ?? []).filter((other) => other.attemptId < stage.attemptId);
    dependsOn.push(...previous.map((other) => stageKey(other.stageId, other.attemptId)));
    // Driver delay as measured: from the moment the stage could be submitted (its job submitted and every
    // attempt it waits for completed) to its first task launch, or to its submission when another stage was
    // running then (its first launch may have waited for a slot, which the replay models itself).
    const couldStart = Math.max(
      job?.submissionTime ?? group.start,
      ...dependsOn.map((key) => attemptByKey.get(key)?.completionTime ?? Number.NEGATIVE_INFINITY),
    );
    const firstLaunch = firstLaunchOf.get(stageKey(stage.stageId, stage.attemptId));
    const shared = input.stages.some(
      (other) =>
        other !== stage && other.submissionTime !== null && stage.submissionTime !== null &&
        other.submissionTime <= stage.submissionTime && (other.completionTime ?? Number.POSITIVE_INFINITY) > stage.submissionTime,
    );
    const startedAt = !shared && firstLaunch !== undefined ? firstLaunch : stage.submissionTime;
    const delayMs = startedAt === null ? 0 : Math.max(0, startedAt - couldStart);
    if (stage.completionTime !== null) lastCompletion[groupIndex] = Math.max(lastCompletion[groupIndex]!, stage.completionTime);
    group.stages.push({
      key: stageKey(stage.stageId, stage.attemptId),
      jobId: job?.jobId ?? Number.MAX_SAFE_INTEGER,
      stageId: stage.stageId,
      attemptId: stage.attemptId,
      releaseMs: job ? job.submissionTime - group.start : 0,
      delayMs,
      durations: tasksOfStage.map((task) => task.duration),
      dependsOn,
    });
  }
  groups.forEach((group, index) => {
    group.tailMs = Math.max(0, group.end - lastCompletion[index]!);
  });
  return { groups, driverOnlyMs, totalTaskTimeMs, successfulTasks, successfulTaskTimeMs, failedTaskTimeMs, speculativeTaskTimeMs, jobIntervals };
}

/** Estimated wall time with `slots` task slots: driver time plus every group's replay. */
function wallTime(prepared: Prepared, slots: number): number {
  return prepared.driverOnlyMs + prepared.groups.reduce((sum, group) => sum + replayGroup(group.stages, slots) + group.tailMs, 0);
}

/** The most common executor size (the largest on a tie); 1 without executors. */
function typicalCores(executors: readonly SimExecutor[]): number {
  const counts = new Map<number, number>();
  for (const executor of executors) counts.set(executor.totalCores, (counts.get(executor.totalCores) ?? 0) + 1);
  let best = 1;
  let bestCount = 0;
  for (const [cores, count] of counts) {
    if (count > bestCount || (count === bestCount && cores > best)) [best, bestCount] = [cores, count];
  }
  return Math.max(1, best);
}

/** The most task attempts that ran at the same moment (at least 1). */
function peakConcurrentTasks(tasks: readonly SimTask[]): number {
  const points = tasks.flatMap((task) => [
    { at: task.launchTime, delta: 1 },
    { at: task.launchTime + task.durationMs, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let running = 0;
  let peak = 1;
  for (const point of points) {
    running += point.delta;
    peak = Math.max(peak, running);
  }
  return peak;
}

/** Time-weighted mean of executors and of cores alive while jobs ran, and the most alive at once. */
function actualConfiguration(input: SimulationInput, jobIntervals: ReadonlyArray<[number, number]>): {
  executors: number;
  cores: number;
  maxConcurrent: number;
  fromTasks: boolean;
} {
  const lifetimes = input.executors.map((executor) => ({
    from: executor.addTime ?? input.appStartTime,
    to: executor.removeTime ?? input.appEndTime,
    cores: executor.totalCores,
  }));
  const busy = jobIntervals.reduce((sum, [start, end]) => sum + (end - start), 0);
  let executorMs = 0;
  let coreMs = 0;
  for (const [start, end] of jobIntervals) {
    for (const life of lifetimes) {
      const overlap = Math.max(0, Math.min(end, life.to) - Math.max(start, life.from));
      executorMs += overlap;
      coreMs += overlap * life.cores;
    }
  }
  const points = lifetimes.flatMap((life) => [
    { at: life.from, delta: 1 },
    { at: life.to, delta: -1 },
  ]);
  points.sort((a, b) => a.at - b.at || a.delta - b.delta);
  let alive = 0;
  let maxConcurrent = 0;
  for (const point of points) {
    alive += point.delta;
    maxConcurrent = Math.max(maxConcurrent, alive);
  }
  if (lifetimes.length === 0) {
    // No executor sizes in the log (old local-mode logs): one executor with as many slots as tasks ever ran at once.
    return { executors: 1, cores: peakConcurrentTasks(input.tasks), maxConcurrent: 1, fromTasks: true };
  }
  if (busy <= 0) {
    const cores = lifetimes.reduce((sum, life) => sum + life.cores, 0);
    return { executors: lifetimes.length, cores, maxConcurrent, fromTasks: false };
  }
  return { executors: executorMs / busy, cores: coreMs / busy, maxConcurrent, fromTasks: false };
}

/** Options of a what-if run. */
export interface SimulationOptions {
  /** Executor counts to estimate; default: powers of two up to twice the actual count, plus the actual. */
  executorCounts?: readonly number[];
  /** Cores per executor; default: the most common size among the application's executors. */
  coresPerExecutor?: number;
}

/** Default executor counts: powers of two up to twice the actual count, and the actual count itself. */
function defaultCounts(actual: number): number[] {
  const counts = new Set<number>([Math.max(1, Math.round(actual))]);
  const limit = Math.max(2, Math.ceil(actual * 2));
  for (let n = 1; n <= limit && counts.size < 12; n *= 2) counts.add(n);
  return [...counts].sort((a, b) => a - b);
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/** Runs the executor what-if model on one application (see the module comment for the model). */
export function simulateExecutors(input: SimulationInput, options: SimulationOptions = {}): SimulationResult {
  // The curve and its error read the same inputs: every attempt replays (failed and speculative ones too), the
  // run as it happened, so the error at the actual count measures the model and nothing else.
  const prepared = prepare(input);
  const actual = actualConfiguration(input, prepared.jobIntervals);
  const coresPerExecutor = options.coresPerExecutor ?? (actual.fromTasks ? actual.cores : typicalCores(input.executors));
  const actualSlots = Math.max(1, Math.round(actual.cores));
  const actualDurationMs = Math.max(0, input.appEndTime - input.appStartTime);
  const actualExecutorsUsed = Math.max(1, Math.round(actual.executors));
  const slotsAt = (executors: number): number => executors * coresPerExecutor;
  const estimateAtActualMs = wallTime(prepared, slotsAt(actualExecutorsUsed));
  const replayAtActualMs = wallTime(prepared, actualSlots);
  const counts = options.executorCounts && options.executorCounts.length > 0 ? [...options.executorCounts] : defaultCounts(actual.executors);
  const points = counts.map((executors) => {
    const slots = slotsAt(executors);
    const estimatedWallTimeMs = wallTime(prepared, slots);
    const estimatedUtilization = estimatedWallTimeMs > 0 ? prepared.totalTaskTimeMs / (slots * estimatedWallTimeMs) : 0;
    return { executors, estimatedWallTimeMs, estimatedUtilization: Math.round(estimatedUtilization * 10_000) / 10_000 };
  });
  const criticalPathMs = wallTime(prepared, Number.POSITIVE_INFINITY);
  const idealTimeMs = Math.round(prepared.driverOnlyMs + prepared.totalTaskTimeMs / actualSlots);
  // Sparklens' model error: |estimate at the actual executor count − real duration| / real duration.
  const modelErrorPercent = actualDurationMs > 0 ? round2((Math.abs(estimateAtActualMs - actualDurationMs) / actualDurationMs) * 100) : 0;
  const actualExecutorsBasis = actual.fromTasks
    ? `the log gives no executor sizes: 1 executor with ${actual.cores} slots, the most tasks that ran at once`
    : `the time-weighted mean of executors alive while jobs ran (${round2(actual.executors)}, rounded to ${actualExecutorsUsed}), ` +
      `not the peak (${actual.maxConcurrent}): the mean is what the jobs had on average, the peak only for a moment`;
  const assumptions = [
    `Driver time is fixed: ${prepared.driverOnlyMs} ms when no job ran is added unchanged to every estimate.`,
    `Tasks keep their measured durations (launch to finish); every attempt replays, as the run happened: ` +
      `${prepared.successfulTasks} successful ones (${prepared.successfulTaskTimeMs} ms), failed ones ` +
      `(${prepared.failedTaskTimeMs} ms) and killed or duplicate speculative ones (${prepared.speculativeTaskTimeMs} ms).`,
    'Stages replay in dependency order (parents first, a stage retry after its previous attempt); stages of ' +
      'concurrent jobs share the slots, each job starting at its measured offset; FIFO order by job, stage, attempt.',
    `Every executor has ${counted(coresPerExecutor, 'core')}, one task per core, all present ` +
      'for the whole run (no dynamic allocation, no executor loss, no locality waits).',
    "Driver delays inside a job stay as measured (a stage's wait from when it could start to its first task, a " +
      "job's end after its last stage); task durations do not change with the cluster size (no change in shuffle, " +
      'GC or I/O contention).',
    actual.fromTasks
      ? `The log gives no executor sizes; the actual configuration is taken as 1 executor with ${actual.cores} slots, ` +
        'the most tasks that ran at once.'
      : `The actual configuration is the time-weighted mean of executors alive while jobs ran: ` +
        `${round2(actual.executors)} executors, ${round2(actual.cores)} cores (at most ${actual.maxConcurrent} executors at once).`,
    `The model error is |estimate at ${counted(actualExecutorsUsed, 'executor')} − real duration| / ` +
      `real duration, with the same inputs as the curve; the actual count is ${actualExecutorsBasis}.`,
  ];
  return {
    actualExecutors: round2(actual.executors),
    maxConcurrentExecutors: actual.maxConcurrent,
    coresPerExecutor,
    actualDurationMs,
    estimateAtActualMs,
    replayAtActualMs,
    modelErrorPercent,
    actualExecutorsUsed,
    actualExecutorsBasis,
    criticalPathMs,
    idealTimeMs,
    driverOnlyMs: prepared.driverOnlyMs,
    totalTaskTimeMs: prepared.successfulTaskTimeMs,
    failedTaskTimeMs: prepared.failedTaskTimeMs,
    speculativeTaskTimeMs: prepared.speculativeTaskTimeMs,
    replayedTasks: prepared.successfulTasks,
    assumptions,
    points,
  };
}
