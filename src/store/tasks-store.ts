import { listValue, type DuckDBValue } from '@duckdb/node-api';
import { groupByPosition, keyTable } from './batch-keys.js';
import type { AnalysisDatabase } from './database.js';
import { taskMetricNames, type TaskMetricValues } from './schema.js';

/** A user accumulator as one task updated it. */
export interface TaskAccumulatorRecord {
  id: bigint;
  name: string | null;
  update: string | null;
  value: string | null;
}

/** The metrics a task reported when it ended (the tasks table's metric columns). */
export type TaskMetricsRecord = TaskMetricValues;

/** One task attempt as History Server's TaskData describes it (v_tasks; times in epoch ms). */
export interface TaskRecord extends TaskMetricsRecord {
  taskId: bigint;
  index: bigint;
  attempt: bigint;
  partitionId: bigint;
  launchTime: bigint | null;
  /** When the driver started fetching the task's result (tasks whose result went through the block manager). */
  resultFetchStart: bigint | null;
  duration: bigint | null;
  executorId: string | null;
  host: string | null;
  status: string;
  taskLocality: string | null;
  speculative: boolean;
  accumulatorUpdates: TaskAccumulatorRecord[];
  errorMessage: string | null;
  /** False for a task still running, and for task ends that carried no metrics: the metric columns are then meaningless. */
  hasMetrics: boolean;
  schedulerDelay: bigint;
  gettingResultTime: bigint;
}

/** History Server's task orders (TaskSorting); ties go by task id, in the same direction. */
export type TaskOrder = 'ID' | 'INCREASING_RUNTIME' | 'DECREASING_RUNTIME';

/**
 * Run time as History Server indexes it: -1 for a task without metrics, and -(run time) - 1 for a task that
 * did not succeed (SPARK-26260 stores their metrics negated), so both sort before the successful ones.
 */
const runTime = `CASE WHEN NOT t.hasMetrics THEN -1 WHEN t.status = 'SUCCESS' THEN t.executorRunTime
  ELSE -t.executorRunTime - 1 END`;

const orderBy: Readonly<Record<TaskOrder, string>> = {
  ID: 't.taskId',
  INCREASING_RUNTIME: `${runTime}, t.taskId`,
  DECREASING_RUNTIME: `${runTime} DESC, t.taskId DESC`,
};

/** Which tasks of a stage attempt to read: a status filter, an order and a window of that order. */
export interface TaskPageQuery {
  status?: string;
  /** Tasks in any of these statuses (History Server's repeated status parameter); empty keeps every task. */
  statuses?: readonly string[];
  order: TaskOrder;
  offset: number;
  limit: number;
}

/** One stage attempt of one application. */
export interface StageAttemptKey {
  appKey: string;
  stageId: number;
  attemptId: number;
}

/** A batch of stage attempts as a {@link keyTable} with columns appKey, stageId and attemptId. */
export function stageAttemptKeyTable(stages: readonly StageAttemptKey[]): ReturnType<typeof keyTable> {
  return keyTable({
    appKey: { type: 'VARCHAR', values: stages.map((stage) => stage.appKey) },
    stageId: { type: 'BIGINT', values: stages.map((stage) => stage.stageId) },
    attemptId: { type: 'BIGINT', values: stages.map((stage) => stage.attemptId) },
  });
}

/** A window of a stage attempt's tasks and how many tasks match the filter in all. */
export interface TaskPage {
  tasks: TaskRecord[];
  totalCount: number;
}

// History Server lists user accumulators only: the vendor SQL metrics the store keeps for analysis stay out.
const columns = `t.taskId, t."index", t.attempt, t.partitionId, t.launchTime,
  t.gettingResultStartTime AS resultFetchStart, t.duration, t.executorId, t.host,
  t.status, t.taskLocality, t.speculative,
  list_transform(list_filter(t.accumulables, a -> coalesce(a.metadata, '') <> 'sql'),
    a -> {'id': a.id, 'name': a.name, 'update': a."update", 'value': a."value"}) AS accumulatorUpdates,
  t.errorMessage, t.hasMetrics, t.schedulerDelay, t.gettingResultTime,
  ${taskMetricNames.map((name) => `t.${name}`).join(', ')}`;

/**
 * The same window of tasks for each stage attempt, in the order of `stages`: tasks matching `status`, sorted by
 * `order`, `limit` of them from position `offset`, with how many match in all. Two queries whatever the number of
 * stages.
 */
export async function taskPages(
  db: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
  query: TaskPageQuery,
): Promise<TaskPage[]> {
  const matching = matchingTasks(stages, query);
  const [windows, counts] = await Promise.all([
    readTaskWindows(db, matching, stages.length, query),
    countMatchingTasks(db, matching, stages.length),
  ]);
  return windows.map((tasks, k) => ({ tasks, totalCount: counts[k]! }));
}

/**
 * The window of {@link taskPages} alone, for answers that show no count (History Server's task lists): one query
 * whatever the number of stages.
 */
export function taskWindows(
  db: AnalysisDatabase,
  stages: readonly StageAttemptKey[],
  query: TaskPageQuery,
): Promise<TaskRecord[][]> {
  return readTaskWindows(db, matchingTasks(stages, query), stages.length, query);
}

async function readTaskWindows(
  db: AnalysisDatabase,
  { sql, params }: MatchingTasks,
  stageCount: number,
  query: TaskPageQuery,
): Promise<TaskRecord[][]> {
  const rows = await db.query(
    `WITH ${sql.wanted}
     SELECT * EXCLUDE (position) FROM (
       SELECT w.k, ${columns}, row_number() OVER (PARTITION BY w.k ORDER BY ${orderBy[query.order]}) AS position
       FROM ${sql.matching}
     ) WHERE position > $offset AND position <= $offset + $limit
     ORDER BY k, position`,
    { ...params, offset: query.offset, limit: query.limit },
  );
  return groupByPosition(stageCount, rows as unknown as Array<TaskRecord & { k: bigint }>);
}

/** How many tasks of each stage attempt match the status filter, in key order. */
async function countMatchingTasks(db: AnalysisDatabase, { sql, params }: MatchingTasks, stageCount: number): Promise<number[]> {
  const counts = await db.query(`WITH ${sql.wanted} SELECT w.k, count(*)::INTEGER AS n FROM ${sql.matching} GROUP BY w.k`, params);
  const totals = new Map(counts.map((row) => [Number(row.k), row.n as number]));
  return Array.from({ length: stageCount }, (_unused, k) => totals.get(k) ?? 0);
}

/** The stage attempts as a key table (`wanted`) and their tasks that match the status filter, as SQL with parameters. */
interface MatchingTasks {
  sql: { wanted: string; matching: string };
  params: Record<string, DuckDBValue>;
}

function matchingTasks(stages: readonly StageAttemptKey[], query: TaskPageQuery): MatchingTasks {
  const wanted = stageAttemptKeyTable(stages);
  // Tasks are reached by application number, which DuckDB's zonemaps prune (see application_numbers).
  const matching = `wanted w JOIN application_numbers n ON n.appKey = w.appKey JOIN v_tasks t
    ON t.appNo = n.appNo AND t.appKey = w.appKey AND t.stageId = w.stageId AND t.stageAttemptId = w.attemptId
    ${query.status === undefined ? '' : 'AND t.status = $status'}
    ${query.statuses?.length ? 'AND list_contains($statuses::VARCHAR[], t.status)' : ''}`;
  const params = {
    ...wanted.params,
    ...(query.status === undefined ? {} : { status: query.status }),
    ...(query.statuses?.length ? { statuses: listValue([...query.statuses]) } : {}),
  };
  return { sql: { wanted: wanted.sql, matching }, params };
}
