import type { TaskRecord } from '../../store/tasks-store.js';
import { toDate } from '../applications/application.mapper.js';
import type { TaskStatus } from './task.enums.js';
import type { TaskMetrics } from './task-metrics.type.js';
import type { Task } from './task.type.js';

/** A task's metric columns → History Server's nested TaskMetrics (the GraphQL field and the REST API's JSON). */
export function toTaskMetrics(record: TaskRecord): TaskMetrics {
  return {
    executorDeserializeTime: record.executorDeserializeTime,
    executorDeserializeCpuTime: record.executorDeserializeCpuTime,
    executorRunTime: record.executorRunTime,
    executorCpuTime: record.executorCpuTime,
    resultSize: record.resultSize,
    jvmGcTime: record.jvmGcTime,
    resultSerializationTime: record.resultSerializationTime,
    memoryBytesSpilled: record.memoryBytesSpilled,
    diskBytesSpilled: record.diskBytesSpilled,
    peakExecutionMemory: record.peakExecutionMemory,
    inputMetrics: { bytesRead: record.inputBytes, recordsRead: record.inputRecords },
    outputMetrics: { bytesWritten: record.outputBytes, recordsWritten: record.outputRecords },
    shuffleReadMetrics: {
      remoteBlocksFetched: record.shuffleRemoteBlocksFetched,
      localBlocksFetched: record.shuffleLocalBlocksFetched,
      fetchWaitTime: record.shuffleFetchWaitTime,
      remoteBytesRead: record.shuffleRemoteBytesRead,
      remoteBytesReadToDisk: record.shuffleRemoteBytesReadToDisk,
      localBytesRead: record.shuffleLocalBytesRead,
      recordsRead: record.shuffleReadRecords,
      remoteReqsDuration: record.shuffleRemoteReqsDuration,
      shufflePushReadMetrics: {
        corruptMergedBlockChunks: record.shuffleCorruptMergedBlockChunks,
        mergedFetchFallbackCount: record.shuffleMergedFetchFallbackCount,
        remoteMergedBlocksFetched: record.shuffleMergedRemoteBlocksFetched,
        localMergedBlocksFetched: record.shuffleMergedLocalBlocksFetched,
        remoteMergedChunksFetched: record.shuffleMergedRemoteChunksFetched,
        localMergedChunksFetched: record.shuffleMergedLocalChunksFetched,
        remoteMergedBytesRead: record.shuffleMergedRemoteBytesRead,
        localMergedBytesRead: record.shuffleMergedLocalBytesRead,
        remoteMergedReqsDuration: record.shuffleMergedRemoteReqsDuration,
      },
    },
    shuffleWriteMetrics: {
      bytesWritten: record.shuffleWriteBytes,
      writeTime: record.shuffleWriteTime,
      recordsWritten: record.shuffleWriteRecords,
    },
  };
}

/** Store row → GraphQL Task. */
export function toTask(record: TaskRecord): Task {
  return {
    taskId: record.taskId,
    index: Number(record.index),
    attempt: Number(record.attempt),
    partitionId: Number(record.partitionId),
    launchTime: toDate(record.launchTime),
    duration: record.duration,
    executorId: record.executorId,
    host: record.host,
    status: record.status as TaskStatus,
    taskLocality: record.taskLocality,
    speculative: record.speculative,
    accumulatorUpdates: record.accumulatorUpdates,
    errorMessage: record.errorMessage,
    taskMetrics: record.hasMetrics ? toTaskMetrics(record) : null,
    schedulerDelay: record.schedulerDelay,
    gettingResultTime: record.gettingResultTime,
  };
}
