import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';

/** A node of Spark's SparkPlanInfo tree, as logged in SQL execution events. */
export interface SparkPlanInfo {
  nodeName: string;
  simpleString?: string;
  children?: SparkPlanInfo[];
  metrics?: Array<{ name: string; accumulatorId: number; metricType: string }>;
}

/** The plan of one SQL execution and the final values of the SQL metrics it references. */
export interface SqlPlanRecord {
  appKey: string;
  executionId: bigint;
  /** The last plan Spark logged (adaptive re-plans win over the initial one). */
  plan: SparkPlanInfo | null;
  /** How many adaptive re-plans the log holds (the earlier versions are kept in sql_plan_updates). */
  planVersions: number;
  /** SQL metric values by accumulator id. */
  metricValues: Map<number, bigint>;
  /** Stages of the execution's jobs (the stages its plan ran as). */
  stageIds: bigint[];
}

/**
 * SQL over the executions selected by `appFilter` (a condition on `appKey`): each execution's last plan
 * (adaptive re-plans win over the initial one), how many re-plans there were, and the stages of its jobs.
 */
export function finalPlansSql(appFilter: string): string {
  return `WITH final_update AS (
       SELECT appKey, executionId, arg_max(sparkPlanInfo, seq)::VARCHAR AS plan, count(*)::INTEGER AS updates
       FROM sql_plan_updates WHERE ${appFilter} AND sparkPlanInfo IS NOT NULL GROUP BY ALL
     ), execution_stages AS (
       SELECT j.appKey, j.sqlExecutionId AS executionId, list(DISTINCT js.stageId ORDER BY js.stageId) AS stageIds
       FROM jobs j JOIN job_stages js ON js.appKey = j.appKey AND js.jobId = j.jobId
       WHERE j.sqlExecutionId IS NOT NULL AND j.${appFilter} GROUP BY ALL
     )
     SELECT s.appKey, s.executionId, s.description, coalesce(u.plan, s.sparkPlanInfo::VARCHAR) AS plan,
       coalesce(u.updates, 0) AS planUpdates, coalesce(e.stageIds, []) AS stageIds
     FROM sql_executions s LEFT JOIN final_update u USING (appKey, executionId)
       LEFT JOIN execution_stages e USING (appKey, executionId)
     WHERE s.${appFilter} ORDER BY s.appKey, s.executionId`;
}

/**
 * SQL for the final value of every SQL metric (accumulator) of the applications selected by `appFilter`: the
 * driver's own update when it sent one, else the running total the last stage completion reported (each
 * stage completion carries the accumulator's value so far).
 */
export function sqlMetricValuesSql(appFilter: string): string {
  return `WITH from_stages AS (
       SELECT appKey, a.id AS accumulatorId, TRY_CAST(a.value AS BIGINT) AS value, s.completionTime AS reportedAt, 0 AS driver
       FROM (SELECT appKey, completionTime, unnest(accumulables) AS a FROM stages WHERE ${appFilter}) s
     ), from_driver AS (
       SELECT appKey, (pair->>0)::BIGINT AS accumulatorId, TRY_CAST(pair->>1 AS BIGINT) AS value, seq AS reportedAt, 1 AS driver
       FROM (SELECT appKey, seq, unnest(CAST(payload AS JSON[])) AS pair FROM sql_metric_updates
             WHERE kind = 'driverAccumUpdates' AND ${appFilter})
     )
     SELECT appKey, accumulatorId, arg_max(value, driver * 1e15 + coalesce(reportedAt, 0)) AS value
     FROM (SELECT * FROM from_stages UNION ALL SELECT * FROM from_driver)
     WHERE value IS NOT NULL AND accumulatorId IS NOT NULL GROUP BY ALL`;
}

/** Plans and SQL metric values of every SQL execution of each application, one list per key in key order. */
export async function sqlPlansByApp(db: AnalysisDatabase, appKeys: readonly string[]): Promise<SqlPlanRecord[][]> {
  const appFilter = 'appKey IN (SELECT unnest($appKeys))';
  const params = { appKeys: appKeysParam(appKeys) };
  const plans = (await db.query(finalPlansSql(appFilter), params)) as Array<{
    appKey: string;
    executionId: bigint;
    plan: string | null;
    planUpdates: number;
    stageIds: bigint[];
  }>;
  const values = (await db.query(sqlMetricValuesSql(appFilter), params)) as Array<{
    appKey: string;
    accumulatorId: bigint;
    value: bigint;
  }>;
  const valuesByApp = new Map<string, Map<number, bigint>>();
  for (const row of values) {
    let forApp = valuesByApp.get(row.appKey);
    if (!forApp) valuesByApp.set(row.appKey, (forApp = new Map()));
    forApp.set(Number(row.accumulatorId), row.value);
  }
  const records: SqlPlanRecord[] = plans.map((row) => ({
    appKey: row.appKey,
    executionId: row.executionId,
    plan: row.plan ? (JSON.parse(row.plan) as SparkPlanInfo) : null,
    planVersions: row.planUpdates + 1,
    metricValues: valuesByApp.get(row.appKey) ?? new Map(),
    stageIds: row.stageIds,
  }));
  return groupByAppKey(appKeys, records);
}

/** What History Server aggregates for one SQL metric of one execution (SQLAppStatusListener.aggregateMetrics). */
export interface SqlMetricSamples {
  /** One value per partition of each stage (0 where none was reported), then the driver's own update. */
  values: number[];
  /** The task that reported the largest value; null when only the driver reported. */
  maxTask: { stageId: number; stageAttemptId: number; taskId: number } | null;
  /** True when the log's tasks did not keep their values: `values` then holds the stages' total (and the driver's). */
  totalOnly: boolean;
}

/**
 * SQL for every SQL metric's per-task values of the executions of `$appKey` (all, or only `$executionId` when
 * `oneExecution`). As SQLAppStatusListener keeps them: per stage, only its last attempt; per partition, the
 * value of the first successful task, else of the last task that ended; partitions without a value count 0;
 * the driver's last update per metric is a value of its own.
 */
function sqlMetricSamplesSql(oneExecution: boolean): string {
  const executionFilter = oneExecution ? 'AND j.sqlExecutionId = $executionId' : '';
  return `WITH exec_stages AS (
       SELECT j.sqlExecutionId AS executionId, js.stageId, max(js.numTasks) AS numTasks
       FROM jobs j JOIN job_stages js ON js.appKey = j.appKey AND js.jobId = j.jobId
       WHERE j.appKey = $appKey AND j.sqlExecutionId IS NOT NULL ${executionFilter} GROUP BY ALL
     ), last_attempt AS (
       SELECT stageId, max(attemptId) AS attemptId FROM stages WHERE appKey = $appKey GROUP BY ALL
     ), ends AS (
       SELECT stageId, stageAttemptId, taskId, "index" AS idx, endReason = 'Success' AS ok,
         coalesce(finishTime, 0) AS finishTime, a.id AS accumulatorId, TRY_CAST(a."update" AS BIGINT) AS value
       FROM (SELECT *, unnest(accumulables) AS a FROM tasks
             WHERE appKey = $appKey AND status <> 'RUNNING' AND stageId IN (SELECT stageId FROM exec_stages))
       WHERE a."update" IS NOT NULL AND NOT starts_with(coalesce(a.name, ''), 'internal.')
     ), per_partition AS (
       SELECT e.stageId, e.stageAttemptId, e.accumulatorId, e.idx,
         arg_min(e.value, CASE WHEN e.ok THEN e.finishTime ELSE 9e15 - e.finishTime END) AS value,
         max(e.value) AS top, arg_min(e.taskId, [-e.value, e.finishTime, e.taskId]) AS topTask
       FROM ends e JOIN last_attempt l ON l.stageId = e.stageId AND l.attemptId = e.stageAttemptId
       WHERE e.value IS NOT NULL GROUP BY ALL
     ), per_stage AS (
       SELECT x.executionId, p.stageId, p.stageAttemptId, p.accumulatorId,
         list_concat(list(p.value), list_transform(range(greatest(coalesce(any_value(x.numTasks), 0) - count(*), 0)), i -> 0::BIGINT)) AS vals,
         max(p.top) AS top, arg_min(p.topTask, [-p.top, p.topTask]) AS topTask
       FROM per_partition p JOIN exec_stages x ON x.stageId = p.stageId GROUP BY ALL
     ), driver AS (
       SELECT executionId, (pair->>0)::BIGINT AS accumulatorId, arg_max(TRY_CAST(pair->>1 AS BIGINT), seq) AS value
       FROM (SELECT executionId, seq, unnest(CAST(payload AS JSON[])) AS pair FROM sql_metric_updates
             WHERE appKey = $appKey AND kind = 'driverAccumUpdates' ${oneExecution ? 'AND executionId = $executionId' : ''})
       GROUP BY ALL
     ), tasks_side AS (
       SELECT executionId, accumulatorId, flatten(list(vals ORDER BY stageId)) AS vals,
         arg_min({'stageId': stageId, 'stageAttemptId': stageAttemptId, 'taskId': topTask}, [-top, stageId]) AS maxTask
       FROM per_stage GROUP BY ALL
     ), stage_totals AS (
       -- A stage completion carries the accumulator's running value: the last one is the execution's total.
       SELECT x.executionId, a.id AS accumulatorId,
         arg_max(TRY_CAST(a.value AS BIGINT), coalesce(s.completionTime, 0)) AS total
       FROM (SELECT stageId, completionTime, unnest(accumulables) AS a FROM stages WHERE appKey = $appKey) s
         JOIN exec_stages x USING (stageId)
       WHERE NOT starts_with(coalesce(a.name, ''), 'internal.') GROUP BY ALL
     ), from_stages AS (
       -- The store keeps a task's SQL metric updates only beside a user accumulator; elsewhere each stage's
       -- total stands for its tasks, so the execution's total is exact but its spread over tasks unknown.
       SELECT executionId, accumulatorId, CASE WHEN total IS NULL THEN [] ELSE [total] END AS vals, NULL AS maxTask, true AS totalOnly
       FROM stage_totals s WHERE NOT EXISTS (
         SELECT 1 FROM tasks_side t WHERE t.executionId = s.executionId AND t.accumulatorId = s.accumulatorId)
     ), task_or_stage AS (
       SELECT executionId, accumulatorId, vals, maxTask, false AS totalOnly FROM tasks_side
       UNION ALL SELECT * FROM from_stages
     )
     SELECT coalesce(t.executionId, d.executionId) AS executionId, coalesce(t.accumulatorId, d.accumulatorId) AS accumulatorId,
       list_concat(coalesce(t.vals, []), CASE WHEN d.value IS NULL THEN [] ELSE [d.value] END) AS vals, t.maxTask,
       coalesce(t.totalOnly, false) AS totalOnly
     FROM task_or_stage t FULL JOIN driver d ON d.executionId = t.executionId AND d.accumulatorId = t.accumulatorId`;
}

/** Per execution id, per accumulator id: the samples History Server formats a SQL metric's value from. */
export async function sqlMetricSamples(
  db: AnalysisDatabase,
  appKey: string,
  executionId: number | null,
): Promise<Map<number, Map<number, SqlMetricSamples>>> {
  const rows = (await db.query(sqlMetricSamplesSql(executionId !== null), {
    appKey,
    ...(executionId !== null ? { executionId: BigInt(executionId) } : {}),
  })) as Array<{
    executionId: bigint;
    accumulatorId: bigint;
    vals: bigint[];
    maxTask: { stageId: bigint; stageAttemptId: bigint; taskId: bigint } | null;
    totalOnly: boolean;
  }>;
  const result = new Map<number, Map<number, SqlMetricSamples>>();
  for (const row of rows) {
    const id = Number(row.executionId);
    let forExecution = result.get(id);
    if (!forExecution) result.set(id, (forExecution = new Map()));
    forExecution.set(Number(row.accumulatorId), {
      values: row.vals.map(Number),
      maxTask: row.maxTask && {
        stageId: Number(row.maxTask.stageId),
        stageAttemptId: Number(row.maxTask.stageAttemptId),
        taskId: Number(row.maxTask.taskId),
      },
      totalOnly: row.totalOnly,
    });
  }
  return result;
}
