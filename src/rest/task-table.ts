import type { TaskRecord } from '../store/tasks-store.js';
import { RestError } from './errors.js';

/**
 * The orders and search of History Server's taskTable (the stage page's server-side DataTables endpoint):
 * columns sort by the task store's indexes (ApiHelper.COLUMN_TO_INDEX), ties by task id.
 */

/**
 * A metric as the task store indexes it: -1 for a task without metrics, and -(value) - 1 for a task that did
 * not succeed (their metrics are stored negated), so both sort before the successful ones.
 */
function indexed(task: TaskRecord, value: bigint): bigint {
  if (!task.hasMetrics) return -1n;
  return task.status === 'SUCCESS' ? value : -value - 1n;
}

type SortKey = (task: TaskRecord) => bigint | string;

const text = (value: string | null): string => value ?? '';

/** The task table's column names and the value each sorts by. */
const columns: Readonly<Record<string, SortKey>> = {
  ID: (t) => t.taskId,
  Index: (t) => t.index,
  Attempt: (t) => t.attempt,
  Status: (t) => t.status,
  'Locality Level': (t) => text(t.taskLocality),
  'Executor ID': (t) => text(t.executorId),
  Host: (t) => text(t.host),
  'Launch Time': (t) => t.launchTime ?? -1n,
  Duration: (t) => t.duration ?? -1n,
  'Scheduler Delay': (t) => t.schedulerDelay,
  'Task Deserialization Time': (t) => indexed(t, t.executorDeserializeTime),
  'GC Time': (t) => indexed(t, t.jvmGcTime),
  'Result Serialization Time': (t) => indexed(t, t.resultSerializationTime),
  'Getting Result Time': (t) => t.gettingResultTime,
  'Peak Execution Memory': (t) => indexed(t, t.peakExecutionMemory),
  'Input Size / Records': (t) => indexed(t, t.inputBytes),
  'Output Size / Records': (t) => indexed(t, t.outputBytes),
  'Shuffle Read Fetch Wait Time': (t) => indexed(t, t.shuffleFetchWaitTime),
  'Shuffle Read Size / Records': (t) => indexed(t, t.shuffleLocalBytesRead + t.shuffleRemoteBytesRead),
  'Shuffle Remote Reads': (t) => indexed(t, t.shuffleRemoteBytesRead),
  'Shuffle Write Time': (t) => indexed(t, t.shuffleWriteTime),
  'Shuffle Write Size / Records': (t) => indexed(t, t.shuffleWriteBytes),
  'Spill (Memory)': (t) => indexed(t, t.memoryBytesSpilled),
  'Spill (Disk)': (t) => indexed(t, t.diskBytesSpilled),
  Errors: (t) => text(t.errorMessage),
};

/** The tasks in the column's order (ascending or not); 400 for a column the table does not have. */
export function sortTaskTable(tasks: readonly TaskRecord[], column: string, ascending: boolean): TaskRecord[] {
  // The logs column has no order of its own: History Server sorts it by index.
  const key = columns[column.toLowerCase() === 'logs' ? 'Index' : column];
  if (!key) throw new RestError(400, `Invalid sort column: ${column}`);
  const compare = (a: TaskRecord, b: TaskRecord): number => {
    const ka = key(a);
    const kb = key(b);
    if (ka < kb) return -1;
    if (ka > kb) return 1;
    return a.taskId < b.taskId ? -1 : a.taskId > b.taskId ? 1 : 0;
  };
  const sorted = [...tasks].sort(compare);
  // The store's index read backwards: ties come by task id descending too.
  return ascending ? sorted : sorted.reverse();
}

/**
 * The fields History Server's search looks into (StagesResource.filterTaskList), as text; a launch time is
 * matched as its epoch milliseconds, not as Java's Date text.
 */
function searchable(task: TaskRecord): string[] {
  const values: unknown[] = [
    task.taskId, task.index, task.attempt, task.launchTime, task.resultFetchStart ?? 'd', task.duration ?? 'd',
    task.executorId, task.host, task.status, task.taskLocality, task.speculative, task.errorMessage ?? 'd',
    task.schedulerDelay, task.gettingResultTime,
  ];
  if (task.hasMetrics) {
    values.push(
      task.executorDeserializeTime, task.executorRunTime, task.jvmGcTime, task.resultSerializationTime,
      task.memoryBytesSpilled, task.diskBytesSpilled, task.peakExecutionMemory, task.inputBytes, task.inputRecords,
      task.outputBytes, task.outputRecords, task.shuffleFetchWaitTime, task.shuffleReadRecords, task.shuffleWriteBytes,
      task.shuffleWriteRecords, task.shuffleWriteTime,
    );
  }
  return values.map((value) => String(value).toLowerCase());
}

/** The tasks any of whose fields contains `search` (case-insensitive). */
export function searchTaskTable(tasks: readonly TaskRecord[], search: string): TaskRecord[] {
  const wanted = search.toLowerCase();
  return tasks.filter((task) => searchable(task).some((value) => value.includes(wanted)));
}
