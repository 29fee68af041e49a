import type { JobRecord, KilledTasksRecord } from '../../store/jobs-store.js';
import { toDate } from '../applications/application.mapper.js';
import type { KilledTasksCount } from '../common/killed-tasks.type.js';
import type { JobStatus } from './job-status.enum.js';
import type { Job } from './job.type.js';

/** Store kill reasons → GraphQL entries. */
export function toKilledTasks(records: readonly KilledTasksRecord[]): KilledTasksCount[] {
  return records.map((record) => ({ reason: record.reason, count: Number(record.count) }));
}

/** Store row → GraphQL Job. */
export function toJob(record: JobRecord): Job {
  return {
    appKey: record.appKey,
    jobId: Number(record.jobId),
    name: record.name,
    description: record.description,
    submissionTime: toDate(record.submissionTime),
    completionTime: toDate(record.completionTime),
    duration: record.duration,
    stageIds: record.stageIds.map(Number),
    jobGroup: record.jobGroup,
    jobTags: record.jobTags,
    status: record.status as JobStatus,
    numTasks: Number(record.numTasks),
    numActiveTasks: Number(record.numActiveTasks),
    numCompletedTasks: Number(record.numCompletedTasks),
    numSkippedTasks: Number(record.numSkippedTasks),
    numFailedTasks: Number(record.numFailedTasks),
    numKilledTasks: Number(record.numKilledTasks),
    numCompletedIndices: Number(record.numCompletedIndices),
    numActiveStages: Number(record.numActiveStages),
    numCompletedStages: Number(record.numCompletedStages),
    numSkippedStages: Number(record.numSkippedStages),
    numFailedStages: Number(record.numFailedStages),
    killedTasksSummary: toKilledTasks(record.killedTasksSummary),
  };
}
