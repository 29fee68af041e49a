import type { SqlExecutionRecord } from '../../store/sql-store.js';
import { toDate } from '../applications/application.mapper.js';
import { SqlExecutionStatus, type SqlExecution } from './sql-execution.type.js';

/** Store row → GraphQL SqlExecution. */
export function toSqlExecution(record: SqlExecutionRecord): SqlExecution {
  return {
    appKey: record.appKey,
    id: Number(record.id),
    description: record.description,
    details: record.details,
    startTime: toDate(record.startTime),
    endTime: toDate(record.endTime),
    duration: record.duration,
    status: SqlExecutionStatus[record.status],
    errorMessage: record.errorMessage,
    jobIds: record.jobIds.map(Number),
  };
}
