import DataLoader from 'dataloader';
import { taskSummaries, type TaskMetricDistributions } from '../../store/task-summary.js';
import { taskPages, taskWindows, type StageAttemptKey, type TaskOrder, type TaskRecord } from '../../store/tasks-store.js';
import { batchByArgs } from '../common/batch.js';
import type { ApiContext } from '../context.js';

/** A page of one stage attempt's tasks: the stage attempt and the page's arguments. */
export interface TaskPageKey {
  appKey: string;
  stageId: number;
  attemptId: number;
  status?: string;
  order: TaskOrder;
  offset: number;
  limit: number;
}

const argsOf = (key: TaskPageKey): string => JSON.stringify([key.status ?? null, key.order, key.offset, key.limit]);

/** A page of tasks, and how many match its filter when it has one (unfiltered, the stage's own counts say). */
export interface LoadedTaskPage {
  tasks: TaskRecord[];
  totalCount: number | null;
}

/**
 * This request's loader of task pages: the pages of every stage attempt asked for with the same arguments are
 * read together, however many stages the request walks: one query, and a count of the tasks matching a status filter.
 */
export function taskPageLoader({ db, loaders }: ApiContext): DataLoader<TaskPageKey, LoadedTaskPage, string> {
  return loaders.get(
    'tasks.page',
    () =>
      new DataLoader<TaskPageKey, LoadedTaskPage, string>(
        batchByArgs(argsOf, async (keys): Promise<LoadedTaskPage[]> => {
          const { status, order, offset, limit } = keys[0]!;
          if (status !== undefined) return taskPages(db, keys, { status, order, offset, limit });
          return (await taskWindows(db, keys, { order, offset, limit })).map((tasks) => ({ tasks, totalCount: null }));
        }),
        { cacheKeyFn: (key) => JSON.stringify([key.appKey, key.stageId, key.attemptId]) + argsOf(key) },
      ),
  );
}

let lastQuantiles: readonly number[] = [];
let lastQuantilesText = '[]';

/**
 * The quantiles, ascending, as the text the summary loader batches and caches by. The last ones are remembered: a
 * request asks every stage it walks with the same quantiles, twice each (batch and cache key).
 */
export function quantilesText(quantiles: readonly number[]): string {
  if (quantiles.length !== lastQuantiles.length || quantiles.some((quantile, i) => quantile !== lastQuantiles[i])) {
    lastQuantilesText = JSON.stringify([...quantiles].sort((a, b) => a - b));
    lastQuantiles = [...quantiles];
  }
  return lastQuantilesText;
}

/** The task summary of one stage attempt at some quantiles. */
export interface TaskSummaryKey extends StageAttemptKey {
  quantiles: readonly number[];
}

/**
 * This request's loader of task summaries: every stage attempt asked for at the same quantiles is read in one
 * query (the default quantiles come precomputed from the ingest), however many stages the request walks.
 */
export function taskSummaryLoader({ db, loaders }: ApiContext): DataLoader<TaskSummaryKey, TaskMetricDistributions | null, string> {
  const quantilesOf = (key: TaskSummaryKey): string => quantilesText(key.quantiles);
  return loaders.get(
    'tasks.summary',
    () =>
      new DataLoader<TaskSummaryKey, TaskMetricDistributions | null, string>(
        batchByArgs(quantilesOf, (keys) => taskSummaries(db, keys, keys[0]!.quantiles)),
        { cacheKeyFn: (key) => JSON.stringify([key.appKey, key.stageId, key.attemptId]) + quantilesOf(key) },
      ),
  );
}
