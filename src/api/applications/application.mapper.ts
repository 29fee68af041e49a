import type { ApplicationRecord } from '../../store/applications-store.js';
import type { Application } from './application.type.js';

/** Epoch milliseconds (as DuckDB returns them) to a Date; null stays null. */
export function toDate(epochMs: bigint | number | null | undefined): Date | null {
  return epochMs === null || epochMs === undefined ? null : new Date(Number(epochMs));
}

/** Store row → GraphQL Application. */
export function toApplication(record: ApplicationRecord): Application {
  return {
    id: record.appKey,
    appId: record.appId,
    attemptId: record.attemptId,
    name: record.name,
    sparkVersion: record.sparkVersion,
    sparkUser: record.sparkUser,
    startTime: toDate(record.startTime),
    endTime: toDate(record.endTime),
    duration: record.duration,
    completed: record.completed,
    lastUpdated: toDate(record.lastUpdated)!,
    sourceName: record.sourceName,
    // Counts are GraphQL Int (DuckDB answers bigint; these never pass 2^31 in one log).
    eventsRead: Number(record.eventsRead),
    eventsSkipped: Number(record.eventsSkipped),
    stats: {
      totalJobs: Number(record.totalJobs),
      totalStages: Number(record.totalStages),
      totalTasks: Number(record.totalTasks),
      failedTasks: Number(record.failedTasks),
    },
  };
}
