import { jobsByApp, jobsById, type JobRecord, type KilledTasksRecord } from '../store/jobs-store.js';
import { appRoute } from './app-scope.js';
import { notFound } from './errors.js';
import { num, opt, shsDate } from './json.js';
import { enumList, pathInt } from './params.js';
import type { Router } from './router.js';

/** Spark's killedTasksSummary: reason → count. */
export function killedSummaryJson(summary: readonly KilledTasksRecord[]): Record<string, number> {
  return Object.fromEntries(summary.map((entry) => [entry.reason, Number(entry.count)]));
}

/** History Server's JobData. */
function jobJson(job: JobRecord): Record<string, unknown> {
  return {
    jobId: num(job.jobId),
    // A job is named after its last stage; one without stages has an empty name.
    name: job.name ?? '',
    description: opt(job.description),
    // AppStatusListener keeps a job's times only when the event's time is positive.
    submissionTime: job.submissionTime !== null && job.submissionTime > 0n ? shsDate(job.submissionTime) : undefined,
    completionTime: job.completionTime !== null && job.completionTime > 0n ? shsDate(job.completionTime) : undefined,
    stageIds: job.stageIds.map(Number),
    jobGroup: opt(job.jobGroup),
    jobTags: job.jobTags,
    status: job.status,
    numTasks: num(job.numTasks),
    numActiveTasks: num(job.numActiveTasks),
    numCompletedTasks: num(job.numCompletedTasks),
    numSkippedTasks: num(job.numSkippedTasks),
    numFailedTasks: num(job.numFailedTasks),
    numKilledTasks: num(job.numKilledTasks),
    numCompletedIndices: num(job.numCompletedIndices),
    numActiveStages: num(job.numActiveStages),
    numCompletedStages: num(job.numCompletedStages),
    numSkippedStages: num(job.numSkippedStages),
    numFailedStages: num(job.numFailedStages),
    killedTasksSummary: killedSummaryJson(job.killedTasksSummary),
  };
}

const jobStatuses = ['RUNNING', 'SUCCEEDED', 'FAILED', 'UNKNOWN'] as const;

/** /jobs (newest first, ?status= repeated) and /jobs/{jobId}. */
export function jobRoutes(router: Router): void {
  appRoute(router, 'jobs', async ({ db, query }, app) => {
    const statuses = enumList(query, 'status', jobStatuses);
    const [jobs] = await jobsByApp(db, [app.appKey], statuses);
    return jobs!.map(jobJson);
  });

  appRoute(router, 'jobs/:jobId(\\d+)', async ({ db, params }, app) => {
    const jobId = pathInt(params.jobId);
    const [job] = await jobsById(db, [{ appKey: app.appKey, jobId }]);
    if (!job) throw notFound(`unknown job: ${jobId}`);
    return jobJson(job);
  });
}
