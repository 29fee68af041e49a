import DataLoader from 'dataloader';
import {
  stageAttempts,
  stageGraphs,
  stagesByApp,
  stagesOfJobs,
  type StageGraphRecord,
  type StageRecord,
} from '../../store/stages-store.js';
import { batchByArgs } from '../common/batch.js';
import type { ApiContext } from '../context.js';

/** An application's stage attempts with a status filter (empty: all). */
export interface AppStagesKey {
  appKey: string;
  statuses: readonly string[];
}

/** This request's loader of stage attempts by application: one query per distinct status filter. */
export function appStagesLoader({ db, loaders }: ApiContext): DataLoader<AppStagesKey, StageRecord[], string> {
  return loaders.get(
    'stages.byApp',
    () =>
      new DataLoader<AppStagesKey, StageRecord[], string>(
        batchByArgs(
          (key) => key.statuses.join(','),
          (keys) => stagesByApp(db, keys.map((key) => key.appKey), keys[0]!.statuses),
        ),
        { cacheKeyFn: (key) => JSON.stringify([key.appKey, key.statuses]) },
      ),
  );
}

/** One stage id of one application. */
export interface StageKey {
  appKey: string;
  stageId: number;
}

/** This request's loader of every attempt of a stage id: all the stages asked for are read in one query. */
export function stageAttemptsLoader({ db, loaders }: ApiContext): DataLoader<StageKey, StageRecord[], string> {
  return loaders.get(
    'stages.attempts',
    () =>
      new DataLoader<StageKey, StageRecord[], string>((keys) => stageAttempts(db, keys), {
        cacheKeyFn: (key) => JSON.stringify([key.appKey, key.stageId]),
      }),
  );
}

/** One job of one application. */
export interface JobStagesKey {
  appKey: string;
  jobId: number;
}

/** This request's loader of the stage attempts of jobs: all the jobs asked for are read in one query. */
export function jobStagesLoader({ db, loaders }: ApiContext): DataLoader<JobStagesKey, StageRecord[], string> {
  return loaders.get(
    'stages.byJob',
    () =>
      new DataLoader<JobStagesKey, StageRecord[], string>((keys) => stagesOfJobs(db, keys), {
        cacheKeyFn: (key) => JSON.stringify([key.appKey, key.jobId]),
      }),
  );
}

/** This request's loader of stage graphs by application: all the applications asked for in one query. */
export function stageGraphLoader({ db, loaders }: ApiContext): DataLoader<string, StageGraphRecord> {
  return loaders.get('stages.graph', () => new DataLoader<string, StageGraphRecord>((appKeys) => stageGraphs(db, appKeys)));
}
