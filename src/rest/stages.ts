import { toTaskMetrics } from '../api/tasks/task.mapper.js';
import { executorLogsOf } from '../store/executors-store.js';
import {
  executorMetricsDistributions,
  stageExecutorSummaries,
  stagePeakMetrics,
  stageSpeculationSummaries,
  type ExecutorStageSummaryRecord,
} from '../store/rest-stages-store.js';
import { stageAttempts, stagesByApp, type StageRecord } from '../store/stages-store.js';
import { taskSummary } from '../store/task-summary.js';
import { taskWindows, type StageAttemptKey, type TaskOrder, type TaskRecord } from '../store/tasks-store.js';
import { taskMetricNames } from '../store/schema.js';
import type { AnalysisDatabase } from '../store/database.js';
import { appRoute, type AppScope } from './app-scope.js';
import { notFound, RestError } from './errors.js';
import { killedSummaryJson } from './jobs.js';
import { num, opt, shsDate } from './json.js';
import { booleanParam, enumList, enumValue, intParam, pathInt, quantilesParam } from './params.js';
import type { Router } from './router.js';
import { searchTaskTable, sortTaskTable } from './task-table.js';

const stageStatuses = ['ACTIVE', 'COMPLETE', 'FAILED', 'PENDING', 'SKIPPED'] as const;
const taskStatuses = ['RUNNING', 'KILLED', 'FAILED', 'SUCCESS', 'UNKNOWN'] as const;
type TaskStatus = (typeof taskStatuses)[number];

/** Spark's TaskSorting, with the short names it also accepts. */
const taskSortings = ['ID', 'INCREASING_RUNTIME', 'DECREASING_RUNTIME'] as const;
const taskSortingAliases = { runtime: 'INCREASING_RUNTIME', '-runtime': 'DECREASING_RUNTIME' } as const;

/** Quantiles of a stage's summaries when `withSummaries` asks for them and none are given. */
const STAGE_SUMMARY_QUANTILES = '0.0,0.25,0.5,0.75,1.0';
/** Quantiles of /taskSummary when none are given. */
const TASK_SUMMARY_QUANTILES = '0.05,0.25,0.5,0.75,0.95';
/** "All the tasks" for a stage's details. */
const ALL_TASKS = 2 ** 31 - 1;
/** Stages whose summaries are computed at once. */
const SUMMARY_CONCURRENCY = 4;

/** `work` over every item, at most `limit` at a time, answers in item order. */
async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** History Server's TaskData. */
function taskJson(task: TaskRecord, executorLogs: ReadonlyMap<string, Record<string, string>>): Record<string, unknown> {
  return {
    taskId: task.taskId,
    index: num(task.index),
    attempt: num(task.attempt),
    partitionId: num(task.partitionId),
    launchTime: shsDate(task.launchTime),
    resultFetchStart: shsDate(task.resultFetchStart),
    // TaskDataWrapper.toApi: a duration of 0 (or none yet) is left out.
    duration: task.duration !== null && task.duration > 0n ? task.duration : undefined,
    executorId: opt(task.executorId),
    host: opt(task.host),
    status: task.status,
    taskLocality: opt(task.taskLocality),
    speculative: task.speculative,
    accumulatorUpdates: task.accumulatorUpdates.map((acc) => ({
      id: acc.id,
      name: opt(acc.name),
      update: opt(acc.update),
      value: opt(acc.value),
    })),
    errorMessage: opt(task.errorMessage),
    taskMetrics: task.hasMetrics ? toTaskMetrics(task) : undefined,
    executorLogs: (task.executorId !== null && executorLogs.get(task.executorId)) || {},
    schedulerDelay: task.schedulerDelay,
    gettingResultTime: task.gettingResultTime,
  };
}

/** History Server's ExecutorStageSummary (it still writes the pre-3.1 "blacklisted" name beside the new one). */
function executorSummaryJson(summary: ExecutorStageSummaryRecord): Record<string, unknown> {
  return {
    taskTime: summary.taskTime,
    failedTasks: num(summary.failedTasks),
    succeededTasks: num(summary.succeededTasks),
    killedTasks: num(summary.killedTasks),
    inputBytes: summary.inputBytes,
    inputRecords: summary.inputRecords,
    outputBytes: summary.outputBytes,
    outputRecords: summary.outputRecords,
    shuffleRead: summary.shuffleRead,
    shuffleReadRecords: summary.shuffleReadRecords,
    shuffleWrite: summary.shuffleWrite,
    shuffleWriteRecords: summary.shuffleWriteRecords,
    memoryBytesSpilled: summary.memoryBytesSpilled,
    diskBytesSpilled: summary.diskBytesSpilled,
    isBlacklistedForStage: summary.isExcludedForStage,
    peakMemoryMetrics: opt(summary.peakMemoryMetrics),
    isExcludedForStage: summary.isExcludedForStage,
  };
}

/** What to add to each stage beyond its numbers. */
interface StageOptions {
  details: boolean;
  taskStatuses: readonly TaskStatus[];
  withSummaries: boolean;
  quantiles: readonly number[];
}

/** History Server's StageData for each stage record (AppStatusStore.newStageData), in order. */
async function stagesJson(
  db: AnalysisDatabase,
  app: AppScope,
  stages: readonly StageRecord[],
  options: StageOptions,
): Promise<Array<Record<string, unknown>>> {
  // No stages (none ran, or none hold tasks in the statuses asked for): History Server answers [].
  if (stages.length === 0) return [];
  const keys: StageAttemptKey[] = stages.map((stage) => ({
    appKey: app.appKey,
    stageId: Number(stage.stageId),
    attemptId: Number(stage.attemptId),
  }));
  const [peaks, details] = await Promise.all([
    stagePeakMetrics(db, keys),
    options.details ? stageDetails(db, app, keys, options.taskStatuses) : undefined,
  ]);
  // Quantiles are one query per stage: a few stages at a time, so a long list does not open a connection each.
  const summaries = options.withSummaries
    ? await mapConcurrently(keys, SUMMARY_CONCURRENCY, async (key) => ({
        tasks: await taskSummary(db, key.appKey, key.stageId, key.attemptId, [...options.quantiles]),
        executors: await executorMetricsDistributions(db, key, options.quantiles),
      }))
    : undefined;
  return stages.map((stage, i) => ({
    status: stage.status,
    stageId: num(stage.stageId),
    attemptId: num(stage.attemptId),
    numTasks: num(stage.numTasks ?? 0n),
    numActiveTasks: num(stage.numActiveTasks),
    numCompleteTasks: num(stage.numCompleteTasks),
    numFailedTasks: num(stage.numFailedTasks),
    numKilledTasks: num(stage.numKilledTasks),
    numCompletedIndices: num(stage.numCompletedIndices),
    submissionTime: shsDate(stage.submissionTime),
    firstTaskLaunchedTime: shsDate(stage.firstTaskLaunchedTime),
    completionTime: shsDate(stage.completionTime),
    failureReason: opt(stage.failureReason),
    ...Object.fromEntries(taskMetricNames.map((name) => [name, stage[name as keyof StageRecord]])),
    shuffleReadBytes: stage.shuffleReadBytes,
    name: opt(stage.name),
    description: opt(stage.description),
    details: opt(stage.details),
    schedulingPool: opt(stage.schedulingPool),
    rddIds: stage.rddIds.map(Number),
    accumulatorUpdates: stage.accumulatorUpdates.map((acc) => ({ id: acc.id, name: opt(acc.name), value: opt(acc.value) })),
    tasks: details?.tasks[i],
    executorSummary: details?.executorSummaries[i],
    speculationSummary: opt(details?.speculation[i]),
    killedTasksSummary: killedSummaryJson(stage.killedTasksSummary),
    resourceProfileId: num(stage.resourceProfileId),
    peakExecutorMetrics: opt(peaks[i]),
    taskMetricsDistributions: opt(summaries?.[i]!.tasks),
    executorMetricsDistributions: opt(summaries?.[i]!.executors),
    isShufflePushEnabled: stage.isShufflePushEnabled,
    shuffleMergersCount: num(stage.shuffleMergersCount),
  }));
}

/** The log links of the executors the tasks ran on, which every task of History Server's answers carries. */
function executorLogsOfTasks(
  db: AnalysisDatabase,
  app: AppScope,
  tasks: readonly TaskRecord[],
): Promise<Map<string, Record<string, string>>> {
  return executorLogsOf(db, app.appKey, tasks.flatMap((task) => (task.executorId === null ? [] : [task.executorId])));
}

/** A stage's details: its tasks by id (in the statuses asked for), its executors' summaries, its speculation. */
async function stageDetails(
  db: AnalysisDatabase,
  app: AppScope,
  keys: readonly StageAttemptKey[],
  statuses: readonly TaskStatus[],
): Promise<{
  tasks: Array<Record<string, unknown>>;
  executorSummaries: Array<Record<string, unknown>>;
  speculation: Array<Record<string, unknown> | null>;
}> {
  const [windows, summaries, speculation] = await Promise.all([
    taskWindows(db, keys, { order: 'ID', offset: 0, limit: ALL_TASKS, statuses }),
    stageExecutorSummaries(db, keys),
    stageSpeculationSummaries(db, keys),
  ]);
  const logs = await executorLogsOfTasks(db, app, windows.flat());
  return {
    tasks: windows.map((tasks) => Object.fromEntries(tasks.map((task) => [String(task.taskId), taskJson(task, logs)]))),
    executorSummaries: summaries.map((list) =>
      Object.fromEntries(list.map((summary) => [summary.executorId, executorSummaryJson(summary)])),
    ),
    speculation: speculation.map((summary) =>
      summary === null
        ? null
        : Object.fromEntries(Object.entries(summary).map(([name, value]) => [name, Number(value)])),
    ),
  };
}

/** Whether a stage has tasks in any of the statuses (StagesResource's filter of a detailed list). */
function hasTasksIn(stage: StageRecord, statuses: readonly TaskStatus[]): boolean {
  return statuses.some((status) => {
    switch (status) {
      case 'FAILED':
        return stage.numFailedTasks > 0n;
      case 'KILLED':
        return stage.numKilledTasks > 0n;
      case 'RUNNING':
        return stage.numActiveTasks > 0n;
      case 'SUCCESS':
        return stage.numCompleteTasks > 0n;
      case 'UNKNOWN':
        return (stage.numTasks ?? 0n) - stage.numFailedTasks - stage.numKilledTasks - stage.numActiveTasks -
          stage.numCompleteTasks > 0n;
    }
  });
}

function stageOptions(query: URLSearchParams, detailsByDefault: boolean): StageOptions {
  return {
    details: booleanParam(query, 'details', detailsByDefault),
    taskStatuses: enumList(query, 'taskStatus', taskStatuses),
    withSummaries: booleanParam(query, 'withSummaries', false),
    quantiles: quantilesParam(query, STAGE_SUMMARY_QUANTILES),
  };
}

/** /stages and everything under it. */
export function stageRoutes(router: Router): void {
  appRoute(router, 'stages', async ({ db, query }, app) => {
    const statuses = enumList(query, 'status', stageStatuses);
    const options = stageOptions(query, false);
    let [stages] = await stagesByApp(db, [app.appKey], statuses);
    if (options.details && options.taskStatuses.length > 0) {
      stages = stages!.filter((stage) => hasTasksIn(stage, options.taskStatuses));
    }
    return stagesJson(db, app, stages!, options);
  });

  appRoute(router, 'stages/:stageId(\\d+)', async ({ db, params, query }, app) => {
    const stageId = pathInt(params.stageId);
    const options = stageOptions(query, true);
    const [attempts] = await stageAttempts(db, [{ appKey: app.appKey, stageId }]);
    if (attempts!.length === 0) throw notFound(`unknown stage: ${stageId}`);
    return stagesJson(db, app, attempts!, options);
  });

  appRoute(router, 'stages/:stageId(\\d+)/:stageAttemptId(\\d+)', async ({ db, params, query }, app) => {
    const stageId = pathInt(params.stageId);
    const attemptId = pathInt(params.stageAttemptId);
    const options = stageOptions(query, true);
    const [attempts] = await stageAttempts(db, [{ appKey: app.appKey, stageId }]);
    const stage = attempts!.find((attempt) => Number(attempt.attemptId) === attemptId);
    if (!stage) {
      throw notFound(
        attempts!.length > 0
          ? `unknown attempt for stage ${stageId}.  Found attempts: [${attempts!.map((a) => a.attemptId).join(',')}]`
          : `unknown stage: ${stageId}`,
      );
    }
    const [json] = await stagesJson(db, app, [stage], options);
    return json;
  });

  appRoute(router, 'stages/:stageId(\\d+)/:stageAttemptId(\\d+)/taskSummary', async ({ db, params, query }, app) => {
    const stageId = pathInt(params.stageId);
    const attemptId = pathInt(params.stageAttemptId);
    const quantiles = quantilesParam(query, TASK_SUMMARY_QUANTILES);
    const summary = await taskSummary(db, app.appKey, stageId, attemptId, quantiles);
    if (!summary) throw notFound(`No tasks reported metrics for ${stageId} / ${attemptId} yet.`);
    return summary;
  });

  // The stage page's DataTables endpoint: every answer is a page of TaskData with the counts as strings.
  appRoute(router, 'stages/:stageId(\\d+)/:stageAttemptId(\\d+)/taskTable', async ({ db, params, query }, app) => {
    const key = { appKey: app.appKey, stageId: pathInt(params.stageId), attemptId: pathInt(params.stageAttemptId) };
    const numTasks = query.get('numTasks');
    if (numTasks === null || !/^\d+$/.test(numTasks)) {
      throw new RestError(400, `Bad value for parameter "numTasks".  Expected a int, got "${numTasks ?? ''}"`);
    }
    const start = intParam(query, 'start', 0);
    const length = intParam(query, 'length', Number(numTasks));
    const ascending = (query.get('order[0][dir]') ?? 'asc').toLowerCase() === 'asc';
    const search = query.get('search[value]') ?? '';
    const [all] = await taskWindows(db, [key], { order: 'ID', offset: 0, limit: ALL_TASKS, statuses: [] });
    // Searching first sorts only the matches; task ids break ties, so the order is the same either way.
    const matching = search !== '' ? searchTaskTable(all!, search) : all!;
    const tasks = sortTaskTable(matching, query.get('columnNameToSort') ?? 'Index', ascending);
    const shown = tasks.slice(Math.max(0, start), Math.max(0, start) + Math.max(0, length));
    const logs = await executorLogsOfTasks(db, app, shown);
    return {
      aaData: shown.map((task) => taskJson(task, logs)),
      recordsTotal: numTasks,
      recordsFiltered: search !== '' ? String(tasks.length) : numTasks,
    };
  });

  appRoute(router, 'stages/:stageId(\\d+)/:stageAttemptId(\\d+)/taskList', async ({ db, params, query }, app) => {
    const key = { appKey: app.appKey, stageId: pathInt(params.stageId), attemptId: pathInt(params.stageAttemptId) };
    const offset = intParam(query, 'offset', 0);
    const length = intParam(query, 'length', 20);
    const sortBy = query.get('sortBy');
    const order: TaskOrder = sortBy === null ? 'ID' : enumValue(sortBy, taskSortings, taskSortingAliases);
    const statuses = enumList(query, 'status', taskStatuses);
    if (length <= 0) return [];
    const [tasks] = await taskWindows(db, [key], { order, offset: Math.max(0, offset), limit: length, statuses });
    const logs = await executorLogsOfTasks(db, app, tasks!);
    return tasks!.map((task) => taskJson(task, logs));
  });
}
