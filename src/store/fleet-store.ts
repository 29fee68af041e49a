import { appKeysParam } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';
import { queryTextsSql } from './plan-texts.js';

/** The value of one Spark property per application (the key of a run series when runs are grouped by it). */
export async function propertyValues(db: AnalysisDatabase, appKeys: readonly string[], key: string): Promise<Map<string, string>> {
  if (appKeys.length === 0) return new Map();
  const rows = await db.query(
    `SELECT appKey, value FROM environment WHERE appKey IN (SELECT unnest($appKeys)) AND section = 'sparkProperties' AND key = $key`,
    { appKeys: appKeysParam(appKeys), key },
  );
  return new Map(rows.map((row) => [String(row.appKey), String(row.value ?? '')]));
}

/** An insight of a run, named by what it is about in words that stay the same from run to run. */
export interface InsightTargetRecord {
  appKey: string;
  type: string;
  title: string;
  /** "stage 'join at Etl.scala:88'", "SQL 'daily revenue'" or "the application". */
  target: string;
  impactMs: number;
}

/**
 * The insights of the applications with a run-independent target: a stage by its name (ids shift between runs),
 * a SQL execution by its description.
 */
export async function insightTargets(db: AnalysisDatabase, appKeys: readonly string[]): Promise<InsightTargetRecord[]> {
  if (appKeys.length === 0) return [];
  const rows = await db.query(
    `WITH i AS (SELECT appKey, type, title, stageId, sqlExecutionId, impactMs FROM insights WHERE appKey IN (SELECT unnest($appKeys))),
     s AS (SELECT appKey, stageId, arg_max(name, attemptId) AS name FROM stages
           WHERE appKey IN (SELECT unnest($appKeys)) AND stageId IN (SELECT stageId FROM i WHERE stageId IS NOT NULL) GROUP BY ALL),
     q AS (${queryTextsSql('appKey IN (SELECT unnest($appKeys)) AND executionId IN (SELECT sqlExecutionId FROM i)')})
     SELECT i.appKey, i.type, i.title, i.impactMs,
       CASE WHEN i.stageId IS NOT NULL THEN 'stage ''' || coalesce(s.name, 'stage ' || i.stageId) || ''''
            WHEN i.sqlExecutionId IS NOT NULL THEN 'SQL ''' || coalesce(q.description, 'execution ' || i.sqlExecutionId) || ''''
            ELSE 'the application' END AS target
     FROM i LEFT JOIN s ON s.appKey = i.appKey AND s.stageId = i.stageId
       LEFT JOIN q ON q.appKey = i.appKey AND q.executionId = i.sqlExecutionId`,
    { appKeys: appKeysParam(appKeys) },
  );
  return rows.map((row) => ({
    appKey: String(row.appKey),
    type: String(row.type),
    title: String(row.title),
    target: String(row.target),
    impactMs: Number(row.impactMs),
  }));
}
