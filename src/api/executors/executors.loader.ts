import DataLoader from 'dataloader';
import { executorsByApp, type ExecutorRecord } from '../../store/executors-store.js';
import type { ApiContext } from '../context.js';

/** This request's loader of executors by appKey: every application asked for is read in one query. */
export function executorsLoader({ db, loaders }: ApiContext): DataLoader<string, ExecutorRecord[]> {
  return loaders.get('executors', () => new DataLoader((appKeys: readonly string[]) => executorsByApp(db, appKeys)));
}
