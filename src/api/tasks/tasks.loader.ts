import DataLoader from 'dataloader';
import { taskPages, type TaskOrder, type TaskPage } from '../../store/tasks-store.js';
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

/**
 * This request's loader of task pages: the pages of every stage attempt asked for with the same arguments are
 * read together (two queries), however many stages the request walks.
 */
export function taskPageLoader({ db, loaders }: ApiContext): DataLoader<TaskPageKey, TaskPage, string> {
  return loaders.get(
    'tasks.page',
    () =>
      new DataLoader<TaskPageKey, TaskPage, string>(
        batchByArgs(argsOf, (keys) => {
          const { status, order, offset, limit } = keys[0]!;
          return taskPages(db, keys, { status, order, offset, limit });
        }),
        { cacheKeyFn: (key) => JSON.stringify([key.appKey, key.stageId, key.attemptId]) + argsOf(key) },
      ),
  );
}
