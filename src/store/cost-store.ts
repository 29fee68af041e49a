import type { DuckDBConnection } from '@duckdb/node-api';
import { appKeysParam } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';

/**
 * Per-application resource facts behind cost and waste: how long executors were held and with how many cores,
 * how much task time ran, how much of it failed. Computing them scans an application's tasks and executors, so
 * the ingest computes them once (precomputeResourceFacts, in the transaction that stores the application) into
 * `app_resource_facts`, one row per application, replaced and deleted with it. Fleet questions over thousands
 * of runs read only this small table.
 */

/** The Spark properties cost needs, read per application. */
const costPropertyKeys = [
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

/** One application's facts from its own rows; tasks by application number, so other applications' row groups are skipped. */
const computeFactsSql = `
INSERT INTO app_resource_facts
WITH a AS (
  SELECT appKey, startTime, endTime FROM applications WHERE appKey = $appKey
), t AS (
  SELECT count(*) AS tasks, coalesce(sum(finishTime - launchTime), 0) AS taskMs,
    coalesce(sum(finishTime - launchTime) FILTER (WHERE endReason <> 'Success'), 0) AS failedTaskMs,
    max(finishTime) AS lastFinish
  FROM tasks WHERE appNo = $appNo AND appKey = $appKey AND finishTime IS NOT NULL AND launchTime IS NOT NULL
), span AS (
  -- A running application counts to its last task's end.
  SELECT a.appKey, a.startTime, coalesce(a.endTime, t.lastFinish, a.startTime) AS endTime, t.tasks, t.taskMs, t.failedTaskMs
  FROM a, t
), e AS (
  SELECT count(*) FILTER (WHERE e.executorId <> 'driver') AS executors,
    coalesce(sum(greatest(0, coalesce(e.removeTime, s.endTime) - coalesce(e.addTime, s.startTime)) * coalesce(e.totalCores, 1))
      FILTER (WHERE e.executorId <> 'driver'), 0) AS executorCoreMs,
    coalesce(sum(greatest(0, coalesce(e.removeTime, s.endTime) - coalesce(e.addTime, s.startTime)))
      FILTER (WHERE e.executorId <> 'driver'), 0) AS executorMs,
    max(e.totalCores) FILTER (WHERE e.executorId = 'driver') AS driverExecutorCores
  FROM executors e, span s WHERE e.appKey = $appKey
), p AS (
  SELECT json_group_object(key, value) AS properties FROM environment
  WHERE appKey = $appKey AND section = 'sparkProperties' AND list_contains($keys, key)
)
SELECT s.appKey, greatest(0, coalesce(s.endTime - s.startTime, 0)), e.executors, e.executorCoreMs, e.executorMs,
  e.driverExecutorCores, s.taskMs, s.failedTaskMs, s.tasks, coalesce(p.properties, '{}')
FROM span s, e, p`;

/**
 * Computes and stores one application's resource facts, replacing earlier ones: inside the ingest transaction, after
 * its application row is written (they read its times; the rest of the precomputed answers do not, see precompute.ts).
 */
export async function precomputeResourceFacts(connection: DuckDBConnection, appKey: string, appNo: number): Promise<void> {
  await connection.run('DELETE FROM app_resource_facts WHERE appKey = $appKey', { appKey });
  await connection.run(computeFactsSql, { appKey, appNo, keys: appKeysParam(costPropertyKeys) });
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
     FROM applications a JOIN app_resource_facts f ON f.appKey = a.appKey
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
