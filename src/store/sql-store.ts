import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';
import { queryTextsSql, shownPlanDescriptionsSql } from './plan-texts.js';

/** Where a SQL execution stands: running (no end event), failed (ended with an error) or completed. */
export type SqlExecutionStatus = 'RUNNING' | 'COMPLETED' | 'FAILED';

/** One SQL execution (a query or command run through Spark SQL; times in epoch ms). */
export interface SqlExecutionRecord {
  appKey: string;
  id: bigint;
  description: string | null;
  details: string | null;
  startTime: bigint | null;
  endTime: bigint | null;
  duration: bigint | null;
  status: SqlExecutionStatus;
  errorMessage: string | null;
  physicalPlanDescription: string | null;
  jobIds: bigint[];
  /** The same jobs with their status (RUNNING, SUCCEEDED, FAILED), in the order they started. */
  jobs: Array<{ jobId: bigint; status: string }>;
}

/**
 * The SQL executions of each application by id, in the order of `appKeys` (one list per key).
 *
 * With `planDescriptions` (the default), each carries the plan description shown ({@link planDescriptionsByApp}): the
 * last one Spark logged, as adaptive query execution re-plans while the query runs and History Server shows the final
 * version. Spark 4 writes an empty error message for a success, so only a non-empty message marks a failure.
 */
export async function sqlExecutionsByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
  { planDescriptions = true }: { planDescriptions?: boolean } = {},
): Promise<SqlExecutionRecord[][]> {
  const rows = (await db.query(
    `WITH wanted AS (SELECT unnest($appKeys) AS appKey), execution_jobs AS (
       SELECT appKey, sqlExecutionId AS executionId, list(jobId ORDER BY jobId) AS jobIds,
         list({'jobId': jobId, 'status': status} ORDER BY submissionTime NULLS LAST, jobId) AS jobs
       FROM jobs WHERE sqlExecutionId IS NOT NULL AND appKey IN (SELECT appKey FROM wanted) GROUP BY ALL
     )
     SELECT s.appKey, s.executionId AS id, s.description, s.descriptionText, s.details, s.startTime, s.endTime,
       s.endTime - s.startTime AS duration,
       CASE WHEN s.endTime IS NULL THEN 'RUNNING'
            WHEN nullif(s.errorMessage, '') IS NOT NULL THEN 'FAILED'
            ELSE 'COMPLETED' END AS status,
       nullif(s.errorMessage, '') AS errorMessage,
       NULL::VARCHAR AS physicalPlanDescription,
       coalesce(j.jobIds, []) AS jobIds, coalesce(j.jobs, []) AS jobs
     FROM sql_executions s
     LEFT JOIN execution_jobs j USING (appKey, executionId)
     WHERE s.appKey IN (SELECT appKey FROM wanted)
     ORDER BY s.appKey, s.executionId`,
    { appKeys: appKeysParam(appKeys) },
  )) as unknown as Array<SqlExecutionRecord & { descriptionText?: bigint | null }>;
  await readKeptQueryTexts(db, rows);
  const byApp = groupByAppKey(appKeys, rows);
  // Descriptions are read only when asked for: an application's can be hundreds of megabytes (null otherwise).
  if (!planDescriptions) return byApp;
  const descriptions = await planDescriptionsByApp(db, appKeys);
  return byApp.map((executions, i) =>
    executions.map((execution) => ({ ...execution, physicalPlanDescription: descriptions[i]!.get(Number(execution.id)) ?? null })));
}

/**
 * Fills in the query texts kept in plan_texts (see src/store/plan-texts.ts) of `rows`, read in a second query only
 * when one has such a text: joined to every read, plan_texts was scanned for applications that have none.
 */
async function readKeptQueryTexts(db: AnalysisDatabase, rows: Array<SqlExecutionRecord & { descriptionText?: bigint | null }>): Promise<void> {
  const apart = rows.filter((row) => row.descriptionText !== null && row.descriptionText !== undefined);
  if (apart.length > 0) {
    const keyOf = (appKey: string, executionId: bigint): string => `${appKey}\u0000${executionId}`;
    const texts = await db.query(queryTextsSql('appKey IN (SELECT unnest($appKeys)) AND descriptionText IS NOT NULL'), {
      appKeys: appKeysParam([...new Set(apart.map((row) => row.appKey))]),
    });
    const byExecution = new Map(texts.map((text) => [keyOf(String(text.appKey), text.executionId as bigint), text.description as string]));
    for (const row of apart) row.description = byExecution.get(keyOf(row.appKey, row.id)) ?? null;
  }
  for (const row of rows) delete row.descriptionText;
}

/** The plan description each SQL execution of the applications shows, by execution id, in the order of `appKeys`. */
export async function planDescriptionsByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
): Promise<Array<Map<number, string | null>>> {
  const rows = (await db.query(
    `WITH wanted AS (SELECT unnest($appKeys) AS appKey)
     SELECT * FROM (${shownPlanDescriptionsSql('appKey IN (SELECT appKey FROM wanted)')})`,
    { appKeys: appKeysParam(appKeys) },
  )) as Array<{ appKey: string; executionId: bigint; plan: string | null }>;
  return groupByAppKey(appKeys, rows).map((app) => new Map(app.map((row) => [Number(row.executionId), row.plan])));
}
