import { ApplicationAnswers, cachedByApp } from './application-cache.js';
import { groupByPosition, keyTable } from './batch-keys.js';
import type { AnalysisDatabase } from './database.js';

/** How many tasks ended killed for one reason. */
export interface KilledTasksRecord {
  reason: string;
  count: bigint;
}

/** One job as History Server's JobData describes it (v_jobs; times in epoch ms). */
export interface JobRecord {
  appKey: string;
  jobId: bigint;
  name: string | null;
  description: string | null;
  submissionTime: bigint | null;
  completionTime: bigint | null;
  duration: bigint | null;
  stageIds: bigint[];
  jobGroup: string | null;
  jobTags: string[];
  status: string;
  numTasks: bigint;
  numActiveTasks: bigint;
  numCompletedTasks: bigint;
  numSkippedTasks: bigint;
  numFailedTasks: bigint;
  numKilledTasks: bigint;
  numCompletedIndices: bigint;
  numActiveStages: bigint;
  numCompletedStages: bigint;
  numSkippedStages: bigint;
  numFailedStages: bigint;
  killedTasksSummary: KilledTasksRecord[];
}

const columns = `j.appKey, j.jobId, j.name, j.description, j.submissionTime, j.completionTime, j.duration, j.stageIds,
  j.jobGroup, j.jobTags, j.status, j.numTasks, j.numActiveTasks, j.numCompletedTasks, j.numSkippedTasks,
  j.numFailedTasks, j.numKilledTasks, j.numCompletedIndices, j.numActiveStages, j.numCompletedStages,
  j.numSkippedStages, j.numFailedStages,
  list_sort(list_transform(map_entries(j.killedTasksSummary), e -> {'reason': e.key, 'count': e.value}))
    AS killedTasksSummary`;

/**
 * The jobs of each application, newest (highest id) first as History Server lists them, one list per key in
 * the order of `appKeys`. `statuses` keeps the jobs in one of them; empty keeps every job. Lists are shared
 * between requests (kept per application version): callers copy, never change them.
 */
export async function jobsByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
  statuses: readonly string[] = [],
): Promise<JobRecord[][]> {
  const all = await cachedByApp(db, jobCache, appKeys, (keys) => readJobsByApp(db, keys), []);
  return statuses.length > 0 ? all.map((jobs) => jobs.filter((job) => statuses.includes(job.status))) : all;
}

/** Job records of recently read application versions. */
const jobCache = new ApplicationAnswers<JobRecord[]>(128);

async function readJobsByApp(db: AnalysisDatabase, appKeys: readonly string[]): Promise<JobRecord[][]> {
  const wanted = keyTable({ appKey: { type: 'VARCHAR', values: appKeys } });
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, ${columns} FROM wanted w JOIN v_jobs j ON j.appKey = w.appKey
     ORDER BY w.k, j.jobId DESC`,
    wanted.params,
  );
  return groupByPosition(appKeys.length, rows as unknown as Array<JobRecord & { k: bigint }>);
}

/** Jobs by (application, job id), in key order; null where the application has no such job. */
export async function jobsById(
  db: AnalysisDatabase,
  keys: ReadonlyArray<{ appKey: string; jobId: number }>,
): Promise<Array<JobRecord | null>> {
  const wanted = keyTable({
    appKey: { type: 'VARCHAR', values: keys.map((key) => key.appKey) },
    jobId: { type: 'BIGINT', values: keys.map((key) => key.jobId) },
  });
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, ${columns} FROM wanted w JOIN v_jobs j ON j.appKey = w.appKey AND j.jobId = w.jobId ORDER BY w.k`,
    wanted.params,
  );
  return groupByPosition(keys.length, rows as unknown as Array<JobRecord & { k: bigint }>).map((group) => group[0] ?? null);
}
