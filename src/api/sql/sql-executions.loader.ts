import DataLoader from 'dataloader';
import { planDescriptionsByApp, sqlExecutionsByApp, type SqlExecutionRecord } from '../../store/sql-store.js';
import type { ApiContext } from '../context.js';

/**
 * This request's loader of SQL executions by appKey: every application asked for is read in one query, without plan
 * descriptions (see {@link planDescriptionsLoader}).
 */
export function sqlExecutionsLoader({ db, loaders }: ApiContext): DataLoader<string, SqlExecutionRecord[]> {
  return loaders.get('sqlExecutions', () =>
    new DataLoader((appKeys: readonly string[]) => sqlExecutionsByApp(db, appKeys, { planDescriptions: false })));
}

/** This request's loader of the plan description each SQL execution shows, by appKey: read only when a query asks. */
export function planDescriptionsLoader({ db, loaders }: ApiContext): DataLoader<string, Map<number, string | null>> {
  return loaders.get('planDescriptions', () => new DataLoader((appKeys: readonly string[]) => planDescriptionsByApp(db, appKeys)));
}
