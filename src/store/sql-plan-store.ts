import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { DuckDBValue } from '@duckdb/node-api';
import type { AnalysisDatabase } from './database.js';
import { queryTextsSql } from './plan-texts.js';
import { parsePlanTree } from '../model/plan-tree.js';

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
 * Which executions {@link finalPlansSql} reads: all, the one `$executionId`, or those from `$firstExecution` to
 * `$lastExecution` (so a reader of thousands of plans parses a batch at a time).
 */
export type PlanExecutions = 'all' | 'one' | 'range';

/**
 * Characters of an execution's description {@link finalPlansSql} gives, for a finding to name the query by. The
 * description is the query's text, which notebooks and BI tools log whole: a hundred 1 MB texts, read whole, took the
 * plan detectors to ~560 MB and would have been quoted in full in each finding.
 */
export const QUOTED_DESCRIPTION_CHARS = 200;

/**
 * SQL over the executions selected by `appFilter` (a condition on `appKey`) and `executions`: each execution's last
 * plan (adaptive re-plans win over the initial one), how many re-plans there were, the stages of its jobs, and, when
 * `quoted`, its description cut to {@link QUOTED_DESCRIPTION_CHARS} characters (an ellipsis ends a cut one; NULL when
 * not). A description may be kept in plan_texts, which a reader that quotes none (the API) then never scans. With
 * `plans: false`, each execution's `finalSeq` (the seq of its last update with a plan, NULL for the start's plan)
 * takes the place of its plan, to be read by {@link updatePlansSql} and {@link startPlansSql}.
 */
export function finalPlansSql(
  appFilter: string,
  executions: PlanExecutions = 'all',
  { quoted = false, plans = true }: { quoted?: boolean; plans?: boolean } = {},
): string {
  const only = (column: string): string =>
    executions === 'one' ? `AND ${column} = $executionId`
      : executions === 'range' ? `AND ${column} BETWEEN $firstExecution AND $lastExecution` : '';
  const description = quoted ? 'q.description' : 'NULL::VARCHAR';
  const keptTexts = quoted
    ? `LEFT JOIN (${queryTextsSql(`${appFilter} ${only('executionId')}`, QUOTED_DESCRIPTION_CHARS)}) q USING (appKey, executionId)`
    : '';
  // The last update is found by its seq and its plan read by a join: an aggregate keeping each execution's latest plan
  // held every plan of the application at once.
  const finalUpdate = plans
    ? `final_update AS (
       SELECT l.appKey, l.executionId, u.sparkPlanInfo::VARCHAR AS plan, l.updates
       FROM last_update l JOIN sql_plan_updates u USING (appKey, executionId, seq)
       WHERE u.${appFilter} ${only('u.executionId')}
     ),`
    : '';
  return `WITH last_update AS (
       SELECT appKey, executionId, max(seq) AS seq, count(*)::INTEGER AS updates
       FROM sql_plan_updates WHERE ${appFilter} ${only('executionId')} AND hasPlan GROUP BY ALL
     ), ${finalUpdate} execution_stages AS (
       SELECT j.appKey, j.sqlExecutionId AS executionId, list(DISTINCT js.stageId ORDER BY js.stageId) AS stageIds
       FROM jobs j JOIN job_stages js ON js.appKey = j.appKey AND js.jobId = j.jobId
       WHERE j.sqlExecutionId IS NOT NULL AND j.${appFilter} ${only('j.sqlExecutionId')} GROUP BY ALL
     )
     SELECT s.appKey, s.executionId,
       CASE WHEN length(${description}) > ${QUOTED_DESCRIPTION_CHARS}
         THEN left(${description}, ${QUOTED_DESCRIPTION_CHARS - 1}) || '…' ELSE ${description} END AS description,
       ${plans ? 'coalesce(u.plan, s.sparkPlanInfo::VARCHAR) AS plan' : 'u.seq AS finalSeq'},
       coalesce(u.updates, 0) AS planUpdates, coalesce(e.stageIds, []) AS stageIds
     FROM sql_executions s LEFT JOIN ${plans ? 'final_update' : 'last_update'} u USING (appKey, executionId)
       LEFT JOIN execution_stages e USING (appKey, executionId)
       ${keptTexts}
     WHERE s.${appFilter} ${only('s.executionId')} ORDER BY s.appKey, s.executionId`;
}

/**
 * The plans of `$appKey`'s adaptive updates whose seqs `$seqs` lists (SQL text of a BIGINT list), from `$firstExecution`
 * to `$lastExecution`, as (executionId, plan). Read apart from {@link finalPlansSql}'s other columns: joined to them, a
 * batch of 500 executions' plans took ~35 MB more of DuckDB's memory at once.
 */
export const updatePlansSql = `SELECT executionId, sparkPlanInfo::VARCHAR AS plan FROM sql_plan_updates
  WHERE appKey = $appKey AND executionId BETWEEN $firstExecution AND $lastExecution AND list_contains($seqs::BIGINT[], seq)`;

/** The plans `$appKey`'s executions `$executionIds` (SQL text of a BIGINT list) started with, as (executionId, plan). */
export const startPlansSql = `SELECT executionId, sparkPlanInfo::VARCHAR AS plan FROM sql_executions
  WHERE appKey = $appKey AND executionId BETWEEN $firstExecution AND $lastExecution
    AND list_contains($executionIds::BIGINT[], executionId)`;

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
       SELECT appKey, TRY_CAST(pair->>0 AS BIGINT) AS accumulatorId, TRY_CAST(pair->>1 AS BIGINT) AS value, seq AS reportedAt, 1 AS driver
       FROM (SELECT appKey, seq, unnest(TRY_CAST(payload AS JSON[])) AS pair FROM sql_metric_updates
             WHERE kind = 'driverAccumUpdates' AND ${appFilter})
     )
     SELECT appKey, accumulatorId, arg_max(value, driver * 1e15 + coalesce(reportedAt, 0)) AS value
     FROM (SELECT * FROM from_stages UNION ALL SELECT * FROM from_driver)
     WHERE value IS NOT NULL AND accumulatorId IS NOT NULL GROUP BY ALL`;
}

/** Plans and SQL metric values of every SQL execution of each application, one list per key in key order. */
export async function sqlPlansByApp(db: AnalysisDatabase, appKeys: readonly string[]): Promise<SqlPlanRecord[][]> {
  return groupByAppKey(appKeys, await readPlans(db, 'appKey IN (SELECT unnest($appKeys))', { appKeys: appKeysParam(appKeys) }, null));
}

/** The plan and SQL metric values of one SQL execution of an application; null when it has no such execution. */
export async function sqlPlanOf(db: AnalysisDatabase, appKey: string, executionId: number): Promise<SqlPlanRecord | null> {
  const [record] = await readPlans(db, 'appKey = $appKey', { appKey }, executionId);
  return record ?? null;
}

async function readPlans(
  db: AnalysisDatabase,
  appFilter: string,
  appParams: Record<string, DuckDBValue>,
  executionId: number | null,
): Promise<SqlPlanRecord[]> {
  const planParams = executionId === null ? appParams : { ...appParams, executionId };
  const plans = (await db.query(finalPlansSql(appFilter, executionId !== null ? 'one' : 'all'), planParams)) as Array<{
    appKey: string;
    executionId: bigint;
    plan: string | null;
    planUpdates: number;
    stageIds: bigint[];
  }>;
  if (plans.length === 0) return [];
  const values = (await db.query(sqlMetricValuesSql(appFilter), appParams)) as Array<{
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
  return plans.map((row) => ({
    appKey: row.appKey,
    executionId: row.executionId,
    plan: row.plan ? parsePlanTree<SparkPlanInfo>(row.plan) : null,
    planVersions: row.planUpdates + 1,
    metricValues: valuesByApp.get(row.appKey) ?? new Map(),
    stageIds: row.stageIds,
  }));
}

/**
 * What History Server aggregates a SQL metric of one execution from (SQLAppStatusListener.aggregateMetrics):
 * its values and the task that reported the largest.
 */
export interface SqlMetricSamples {
  /** The values: the stages' total for the metric, then the driver's own update. */
  values: number[];
  /** The task that reported the largest value; null when not known (only totals are stored). */
  maxTask: { stageId: number; stageAttemptId: number; taskId: number } | null;
  /**
   * True when the tasks' values are not known, only their total: the store keeps a task's user accumulators,
   * not its SQL metric updates, so the spread over tasks (min, median, max) cannot be given.
   */
  totalOnly: boolean;
}

/**
 * SQL for every SQL metric of the executions of `$appKey` (all, or only `$executionId` when `oneExecution`):
 * the running value the last stage completion of the execution reported (the tasks' total) and the driver's
 * last update of it.
 */
function sqlMetricSamplesSql(oneExecution: boolean): string {
  return `WITH exec_stages AS (
       SELECT DISTINCT j.sqlExecutionId AS executionId, js.stageId
       FROM jobs j JOIN job_stages js ON js.appKey = j.appKey AND js.jobId = j.jobId
       WHERE j.appKey = $appKey AND j.sqlExecutionId IS NOT NULL ${oneExecution ? 'AND j.sqlExecutionId = $executionId' : ''}
     ), stage_totals AS (
       -- A stage completion carries the accumulator's running value: the last one is the tasks' total.
       SELECT x.executionId, a.id AS accumulatorId,
         arg_max(TRY_CAST(a.value AS BIGINT), coalesce(s.completionTime, 0)) AS total
       FROM (SELECT stageId, completionTime, unnest(accumulables) AS a FROM stages WHERE appKey = $appKey) s
         JOIN exec_stages x USING (stageId)
       WHERE NOT starts_with(coalesce(a.name, ''), 'internal.') GROUP BY ALL
     ), driver AS (
       SELECT executionId, TRY_CAST(pair->>0 AS BIGINT) AS accumulatorId, arg_max(TRY_CAST(pair->>1 AS BIGINT), seq) AS value
       FROM (SELECT executionId, seq, unnest(TRY_CAST(payload AS JSON[])) AS pair FROM sql_metric_updates
             WHERE appKey = $appKey AND kind = 'driverAccumUpdates' ${oneExecution ? 'AND executionId = $executionId' : ''})
       -- A pair whose first item is no accumulator id (a crafted log) names nothing.
       WHERE TRY_CAST(pair->>0 AS BIGINT) IS NOT NULL
       GROUP BY ALL
     )
     SELECT coalesce(t.executionId, d.executionId) AS executionId, coalesce(t.accumulatorId, d.accumulatorId) AS accumulatorId,
       list_concat(CASE WHEN t.total IS NULL THEN [] ELSE [t.total] END, CASE WHEN d.value IS NULL THEN [] ELSE [d.value] END) AS vals,
       t.total IS NOT NULL AS totalOnly
     FROM stage_totals t FULL JOIN driver d ON d.executionId = t.executionId AND d.accumulatorId = t.accumulatorId`;
}

/** Per execution id, per accumulator id: what History Server formats a SQL metric's value from. */
export async function sqlMetricSamples(
  db: AnalysisDatabase,
  appKey: string,
  executionId: number | null,
): Promise<Map<number, Map<number, SqlMetricSamples>>> {
  const rows = (await db.query(sqlMetricSamplesSql(executionId !== null), {
    appKey,
    ...(executionId !== null ? { executionId: BigInt(executionId) } : {}),
  })) as Array<{ executionId: bigint; accumulatorId: bigint; vals: bigint[]; totalOnly: boolean }>;
  const result = new Map<number, Map<number, SqlMetricSamples>>();
  for (const row of rows) {
    const id = Number(row.executionId);
    let forExecution = result.get(id);
    if (!forExecution) result.set(id, (forExecution = new Map()));
    forExecution.set(Number(row.accumulatorId), { values: row.vals.map(Number), maxTask: null, totalOnly: row.totalOnly });
  }
  return result;
}
