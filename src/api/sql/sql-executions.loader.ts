import DataLoader from 'dataloader';
import { sqlExecutionsByApp, type SqlExecutionRecord } from '../../store/sql-store.js';
import type { ApiContext } from '../context.js';

/** This request's loader of SQL executions by appKey: every application asked for is read in one query. */
export function sqlExecutionsLoader({ db, loaders }: ApiContext): DataLoader<string, SqlExecutionRecord[]> {
  return loaders.get('sqlExecutions', () => new DataLoader((appKeys: readonly string[]) => sqlExecutionsByApp(db, appKeys)));
}
