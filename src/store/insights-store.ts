import type { DuckDBConnection } from '@duckdb/node-api';
import { insightFields, type Insight } from '../model/insight.js';
import { ApplicationAnswers, cachedByApp } from './application-cache.js';
import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';

/** DuckDB's BIGINT for an id that may be absent. */
type StoredId = bigint | null;

/** A stored insight (numbers as DuckDB returns them): the model's fields, with ids and milliseconds as BIGINT. */
export type InsightRecord = Omit<Insight, 'jobId' | 'stageId' | 'stageAttemptId' | 'sqlExecutionId' | 'impactMs'> & {
  appKey: string;
  jobId: StoredId;
  stageId: StoredId;
  stageAttemptId: StoredId;
  sqlExecutionId: StoredId;
  impactMs: bigint;
};

const idOrNull = (id: bigint | null): number | null => (id === null ? null : Number(id));

/** A stored insight back as the analysis model (ids and milliseconds as numbers, no appKey). */
export function insightFromRecord({ appKey: _appKey, jobId, stageId, stageAttemptId, sqlExecutionId, impactMs, ...rest }: InsightRecord): Insight {
  return {
    ...rest,
    jobId: idOrNull(jobId),
    stageId: idOrNull(stageId),
    stageAttemptId: idOrNull(stageAttemptId),
    sqlExecutionId: idOrNull(sqlExecutionId),
    impactMs: Number(impactMs),
  };
}

/**
 * Insights of recently read application versions. The ingest stores an application's insights in the
 * transaction that gives it its number, so a version's insights never change (see application-cache.ts).
 */
const insightCache = new ApplicationAnswers<InsightRecord[]>(256);

/**
 * Every stored insight of each application, ranked as the analysis ranks them (severity, failures first,
 * impact), one group per key in key order. Callers get shared lists: they filter and copy, never change them.
 */
export async function insightsByApp(db: AnalysisDatabase, appKeys: readonly string[]): Promise<InsightRecord[][]> {
  // Insights stored for a key without an application number (written outside an ingest) are read, not kept.
  return cachedByApp(db, insightCache, appKeys, (keys) => readInsights(db, keys), [], { readUnnumbered: true });
}

async function readInsights(db: AnalysisDatabase, appKeys: readonly string[]): Promise<InsightRecord[][]> {
  const rows = (await db.query(
    `SELECT * REPLACE (evidence::VARCHAR AS evidence) FROM insights
     WHERE appKey IN (SELECT unnest($appKeys))
     ORDER BY CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'HIGH' THEN 1 WHEN 'MEDIUM' THEN 2 WHEN 'LOW' THEN 3 ELSE 4 END,
       (type = 'failures') DESC, impact DESC, id`,
    { appKeys: appKeysParam(appKeys) },
  )) as unknown as Array<Omit<InsightRecord, 'evidence'> & { evidence: string }>;
  const parsed = rows.map((row) => ({ ...row, evidence: JSON.parse(row.evidence) as InsightRecord['evidence'] }));
  return groupByAppKey(appKeys, parsed);
}

/** The INSERT of one insight, its columns and parameters named after the model's fields (see INSIGHT_COLUMNS). */
const insertInsightSql = `INSERT INTO insights (appKey, ${insightFields.join(', ')})
  VALUES ($appKey, ${insightFields.map((field) => `$${field}`).join(', ')})`;

/** An insight's fields as DuckDB parameters: evidence as JSON text, milliseconds whole. */
function insightParams(appKey: string, insight: Insight): Record<string, string | number | null> {
  const params: Record<string, string | number | null> = { appKey };
  for (const field of insightFields) {
    const value = insight[field];
    params[field] = field === 'evidence' ? JSON.stringify(value) : field === 'impactMs' ? Math.round(value as number) : (value as string | number | null);
  }
  return params;
}

/**
 * Replaces one application's stored insights; runs in the caller's transaction (the ingest stores an
 * application and its insights in one).
 */
export async function replaceInsights(connection: DuckDBConnection, appKey: string, insights: readonly Insight[]): Promise<void> {
  await connection.run('DELETE FROM insights WHERE appKey = $appKey', { appKey });
  for (const insight of insights) await connection.run(insertInsightSql, insightParams(appKey, insight));
}
