import type { DuckDBConnection } from '@duckdb/node-api';
import { appKeysParam } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';

/**
 * Per-application resource facts behind cost and waste: how long executors were held and with how many cores,
 * how much task time ran, how much of it failed. Computing them scans an application's tasks and executors, so
 * they are kept in `app_resource_facts`, one row per application ingest (keyed by appKey and ingestedAt), filled
 * the first time an application is asked about; a re-ingested application gets a new row, a deleted one is
 * ignored (every read joins `applications`). Fleet questions over thousands of runs read only this small table.
 */

/** The Spark properties cost needs, read per application. */
export const costPropertyKeys = [
  'spark.executor.memory',
  'spark.executor.memoryOverhead',
  'spark.executor.memoryOverheadFactor',
  'spark.executor.pyspark.memory',
  'spark.memory.offHeap.enabled',
  'spark.memory.offHeap.size',
  'spark.driver.memory',
  'spark.driver.memoryOverhead',
  'spark.driver.memoryOverheadFactor',
  'spark.driver.cores',
  'spark.task.cpus',
  'spark.master',
] as const;

/** Raw resource facts of one application (times in ms). */
export interface ResourceFactsRecord {
  appKey: string;
  name: string | null;
  sparkUser: string | null;
  sparkVersion: string | null;
  startTime: number | null;
  endTime: number | null;
  /** Start to end; a running application counts to its last task's end. */
  durationMs: number;
  /** Executors other than the driver. */
  executors: number;
  /** Σ over executors of (removal or application end − registration) × cores. */
  executorCoreMs: number;
  /** Σ over executors of their lifetime (for memory held). */
  executorMs: number;
  /** The driver's cores as its executor row logs them (local mode runs tasks there). */
  driverExecutorCores: number | null;
  /** Σ task durations (launch to finish), every attempt. */
  taskMs: number;
  /** Σ durations of the tasks that failed or were killed. */
  failedTaskMs: number;
  tasks: number;
  properties: Record<string, string>;
}

const createFactsSql = `
CREATE TABLE IF NOT EXISTS app_resource_facts (
  appKey VARCHAR NOT NULL,
  ingestedAt TIMESTAMP NOT NULL,
  durationMs BIGINT NOT NULL,
  executors BIGINT NOT NULL,
  executorCoreMs DOUBLE NOT NULL,
  executorMs DOUBLE NOT NULL,
  driverExecutorCores BIGINT,
  taskMs DOUBLE NOT NULL,
  failedTaskMs DOUBLE NOT NULL,
  tasks BIGINT NOT NULL,
  properties JSON,
  PRIMARY KEY (appKey, ingestedAt)
)`;

/** Computes the facts of every application that has none for its current ingest; filtered by appKey first. */
const fillMissingSql = `
INSERT OR IGNORE INTO app_resource_facts
WITH missing AS (
  SELECT a.appKey, a.ingestedAt, a.startTime, a.endTime FROM applications a
  WHERE NOT EXISTS (SELECT 1 FROM app_resource_facts f WHERE f.appKey = a.appKey AND f.ingestedAt = a.ingestedAt)
), t AS (
  SELECT t.appKey, count(*) AS tasks, coalesce(sum(t.finishTime - t.launchTime), 0) AS taskMs,
    coalesce(sum(t.finishTime - t.launchTime) FILTER (WHERE t.endReason <> 'Success'), 0) AS failedTaskMs,
    max(t.finishTime) AS lastFinish
  -- By application number first: DuckDB's zonemaps then skip the row groups of applications that have facts.
  FROM tasks t WHERE t.appNo IN (SELECT n.appNo FROM application_numbers n JOIN missing m USING (appKey))
    AND t.appKey IN (SELECT appKey FROM missing) AND t.finishTime IS NOT NULL AND t.launchTime IS NOT NULL
  GROUP BY ALL
), span AS (
  SELECT m.appKey, m.ingestedAt, m.startTime, coalesce(m.endTime, t.lastFinish, m.startTime) AS endTime,
    coalesce(t.tasks, 0) AS tasks, coalesce(t.taskMs, 0) AS taskMs, coalesce(t.failedTaskMs, 0) AS failedTaskMs
  FROM missing m LEFT JOIN t USING (appKey)
), e AS (
  SELECT e.appKey, count(*) FILTER (WHERE e.executorId <> 'driver') AS executors,
    coalesce(sum(greatest(0, coalesce(e.removeTime, s.endTime) - coalesce(e.addTime, s.startTime)) * coalesce(e.totalCores, 1))
      FILTER (WHERE e.executorId <> 'driver'), 0) AS executorCoreMs,
    coalesce(sum(greatest(0, coalesce(e.removeTime, s.endTime) - coalesce(e.addTime, s.startTime)))
      FILTER (WHERE e.executorId <> 'driver'), 0) AS executorMs,
    max(e.totalCores) FILTER (WHERE e.executorId = 'driver') AS driverExecutorCores
  FROM executors e JOIN span s USING (appKey) WHERE e.appKey IN (SELECT appKey FROM missing) GROUP BY ALL
), p AS (
  SELECT appKey, json_group_object(key, value) AS properties FROM environment
  WHERE appKey IN (SELECT appKey FROM missing) AND section = 'sparkProperties' AND list_contains($keys, key)
  GROUP BY ALL
)
SELECT s.appKey, s.ingestedAt, greatest(0, coalesce(s.endTime - s.startTime, 0)), coalesce(e.executors, 0),
  coalesce(e.executorCoreMs, 0), coalesce(e.executorMs, 0), e.driverExecutorCores, s.taskMs, s.failedTaskMs, s.tasks,
  coalesce(p.properties, '{}')
FROM span s LEFT JOIN e USING (appKey) LEFT JOIN p USING (appKey)`;

/** The refresh running on each database: one process holds a DuckDB file, so this queue serializes them all. */
const refreshing = new WeakMap<AnalysisDatabase, Promise<void>>();

/**
 * Makes sure every stored application has facts for its current ingest (cheap when none is missing). Refreshes
 * run one at a time per database: two concurrent first questions would insert the same rows and one would fail.
 */
export async function refreshResourceFacts(db: AnalysisDatabase): Promise<void> {
  const previous = refreshing.get(db) ?? Promise.resolve();
  const next = previous.catch(() => undefined).then(() => fillFacts(db));
  refreshing.set(db, next);
  await next;
}

async function fillFacts(db: AnalysisDatabase): Promise<void> {
  await db.withConnection(async (connection) => {
    await ensureTable(connection);
    await connection.run(fillMissingSql, { keys: appKeysParam(costPropertyKeys) });
    // Rows of earlier ingests and of deleted applications are never read again.
    await connection.run(`DELETE FROM app_resource_facts f WHERE NOT EXISTS
      (SELECT 1 FROM applications a WHERE a.appKey = f.appKey AND a.ingestedAt = f.ingestedAt)`);
  });
}

async function ensureTable(connection: DuckDBConnection): Promise<void> {
  await connection.run(createFactsSql);
}

/** A filter on the stored applications (every field optional; times in epoch ms on the start time). */
export interface ApplicationFilter {
  /** Case-insensitive part of the application name. */
  name?: string;
  user?: string;
  /** A version or its prefix: "3.5" matches 3.5.0 and 3.5.1. */
  sparkVersion?: string;
  /** Started at or after. */
  from?: number;
  /** Started before. */
  to?: number;
  appKeys?: readonly string[];
}

/** The resource facts of the applications matching `filter`, oldest start first. */
export async function resourceFacts(db: AnalysisDatabase, filter: ApplicationFilter = {}): Promise<ResourceFactsRecord[]> {
  await refreshResourceFacts(db);
  const conditions: string[] = [];
  const params: Record<string, string | number | ReturnType<typeof appKeysParam>> = {};
  if (filter.appKeys) {
    conditions.push('a.appKey IN (SELECT unnest($appKeys))');
    params.appKeys = appKeysParam(filter.appKeys);
  }
  if (filter.name !== undefined) {
    conditions.push("contains(lower(coalesce(a.name, '')), lower($name))");
    params.name = filter.name;
  }
  if (filter.user !== undefined) {
    conditions.push('a.sparkUser = $user');
    params.user = filter.user;
  }
  if (filter.sparkVersion !== undefined) {
    conditions.push("(a.sparkVersion = $version OR starts_with(a.sparkVersion, $version || '.'))");
    params.version = filter.sparkVersion;
  }
  if (filter.from !== undefined) {
    conditions.push('a.startTime >= $from');
    params.from = filter.from;
  }
  if (filter.to !== undefined) {
    conditions.push('a.startTime < $to');
    params.to = filter.to;
  }
  const rows = await db.query(
    `SELECT a.appKey, a.name, a.sparkUser, a.sparkVersion, a.startTime, a.endTime, f.durationMs, f.executors,
       f.executorCoreMs, f.executorMs, f.driverExecutorCores, f.taskMs, f.failedTaskMs, f.tasks, f.properties::VARCHAR AS properties
     FROM applications a JOIN app_resource_facts f ON f.appKey = a.appKey AND f.ingestedAt = a.ingestedAt
     ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
     ORDER BY a.startTime NULLS LAST, a.appKey`,
    params,
  );
  return rows.map((row) => ({
    appKey: String(row.appKey),
    name: (row.name as string | null) ?? null,
    sparkUser: (row.sparkUser as string | null) ?? null,
    sparkVersion: (row.sparkVersion as string | null) ?? null,
    startTime: row.startTime === null ? null : Number(row.startTime),
    endTime: row.endTime === null ? null : Number(row.endTime),
    durationMs: Number(row.durationMs),
    executors: Number(row.executors),
    executorCoreMs: Number(row.executorCoreMs),
    executorMs: Number(row.executorMs),
    driverExecutorCores: row.driverExecutorCores === null ? null : Number(row.driverExecutorCores),
    taskMs: Number(row.taskMs),
    failedTaskMs: Number(row.failedTaskMs),
    tasks: Number(row.tasks),
    properties: JSON.parse(String(row.properties ?? '{}')) as Record<string, string>,
  }));
}
