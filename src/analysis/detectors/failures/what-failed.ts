import { sharedByDetectors, type DetectorContext } from '../../detector.js';

/** How many of each kind of failure an application has (see {@link whatFailed}). */
export interface FailureCounts {
  /** Task attempts that failed or were killed. */
  lostTasks: number;
  /** Task attempts that ended ExecutorLostFailure. */
  executorLostTasks: number;
  /** Jobs that failed, or are still running (which only matters once the application ended). */
  unfinishedJobs: number;
  /** Executors, not the driver, the log says were removed. */
  removedExecutors: number;
}

/**
 * What failed in the context's application at all, read once per detection. Most applications lose nothing, and each
 * failure reader's query took its time even with no row to find (planning it, mostly: ~55 ms for the task groups,
 * ~30 ms for failed jobs, ~20 ms for lost executors); a reader whose kind is absent skips its query.
 */
export const whatFailed: (query: DetectorContext['query']) => Promise<FailureCounts> = sharedByDetectors(async (query) => {
  const [counts] = await query<FailureCounts>(`
    SELECT t.lostTasks, t.executorLostTasks,
      (SELECT count(*) FROM app_jobs WHERE appKey = $appKey AND status IN ('FAILED', 'RUNNING'))::INTEGER AS unfinishedJobs,
      (SELECT count(*) FROM executors WHERE appKey = $appKey AND executorId <> 'driver' AND removeTime IS NOT NULL)::INTEGER
        AS removedExecutors
    FROM (SELECT count(*) FILTER (WHERE outcome IN ('failed', 'killed'))::INTEGER AS lostTasks,
            count(*) FILTER (WHERE endReason = 'ExecutorLostFailure')::INTEGER AS executorLostTasks
          FROM app_tasks($appKey) WHERE appKey = $appKey) t`);
  return counts!;
});
