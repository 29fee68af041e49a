import type { ExecutorRecord } from '../../store/executors-store.js';
import { toDate } from '../applications/application.mapper.js';
import { toKeyValues } from '../common/key-value.type.js';
import type { Executor } from './executor.type.js';

/** A small DuckDB count (BIGINT) as a GraphQL Int; null stays null. */
function toInt(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** Store row → GraphQL Executor. */
export function toExecutor(record: ExecutorRecord): Executor {
  return {
    id: record.id,
    hostPort: record.hostPort,
    isActive: record.isActive,
    totalCores: toInt(record.totalCores),
    maxTasks: toInt(record.maxTasks),
    activeTasks: Number(record.activeTasks),
    failedTasks: Number(record.failedTasks),
    completedTasks: Number(record.completedTasks),
    totalTasks: Number(record.totalTasks),
    totalDuration: record.totalDuration,
    totalGCTime: record.totalGCTime,
    totalInputBytes: record.totalInputBytes,
    totalShuffleRead: record.totalShuffleRead,
    totalShuffleWrite: record.totalShuffleWrite,
    isExcluded: record.isExcluded,
    excludedInStages: record.excludedInStages.map(Number),
    maxMemory: record.maxMemory,
    memoryMetrics:
      record.maxOnHeapMemory === null
        ? null
        : { totalOnHeapStorageMemory: record.maxOnHeapMemory, totalOffHeapStorageMemory: record.maxOffHeapMemory ?? 0n },
    addTime: toDate(record.addTime),
    removeTime: toDate(record.removeTime),
    removeReason: record.removeReason,
    executorLogs: toKeyValues(record.executorLogs),
    attributes: toKeyValues(record.attributes),
    resources: [...record.resources].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    resourceProfileId: toInt(record.resourceProfileId),
  };
}
