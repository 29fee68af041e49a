import DataLoader from 'dataloader';
import { jobsByApp, jobsById, type JobRecord } from '../../store/jobs-store.js';
import { batchByArgs } from '../common/batch.js';
import type { ApiContext } from '../context.js';

/** An application's jobs with a status filter (empty: all). */
export interface AppJobsKey {
  appKey: string;
  statuses: readonly string[];
}

/** This request's loader of jobs by application: one query per distinct status filter, however many applications. */
export function appJobsLoader({ db, loaders }: ApiContext): DataLoader<AppJobsKey, JobRecord[], string> {
  return loaders.get(
    'jobs.byApp',
    () =>
      new DataLoader<AppJobsKey, JobRecord[], string>(
        batchByArgs(
          (key) => key.statuses.join(','),
          (keys) => jobsByApp(db, keys.map((key) => key.appKey), keys[0]!.statuses),
        ),
        { cacheKeyFn: (key) => JSON.stringify([key.appKey, key.statuses]) },
      ),
  );
}

/** One job of one application. */
export interface JobKey {
  appKey: string;
  jobId: number;
}

/** This request's loader of single jobs: every (application, job id) asked for is read in one query. */
export function jobLoader({ db, loaders }: ApiContext): DataLoader<JobKey, JobRecord | null, string> {
  return loaders.get(
    'jobs.byId',
    () =>
      new DataLoader<JobKey, JobRecord | null, string>((keys) => jobsById(db, keys), {
        cacheKeyFn: (key) => JSON.stringify([key.appKey, key.jobId]),
      }),
  );
}
