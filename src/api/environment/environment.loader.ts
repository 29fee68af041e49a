import DataLoader from 'dataloader';
import { environmentsByApp, type EnvironmentRecord } from '../../store/environment-store.js';
import type { ApiContext } from '../context.js';

/** This request's loader of environments by appKey: every application asked for is read in one batch. */
export function environmentLoader({ db, loaders }: ApiContext): DataLoader<string, EnvironmentRecord | null> {
  return loaders.get('environment', () => new DataLoader((appKeys: readonly string[]) => environmentsByApp(db, appKeys)));
}
