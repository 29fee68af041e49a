import type { DuckDBConnection } from '@duckdb/node-api';
import type { WallClaim } from './claims.js';
import type { Insight, Severity } from './insight.js';
import { detectPlatform, sparkVersionOfDatabricksRuntime, type Platform } from './platform.js';
import { sparkAtLeast } from './properties.js';
import { rowObjectsOf } from '../store/row-objects.js';

/** What every detector knows about the application it examines. */
export interface ApplicationFacts {
  appKey: string;
  /** As logged (SparkListenerLogStart or Databricks' metadata event), else from the Databricks Runtime tag. */
  sparkVersion: string | null;
  /** Where the version came from. */
  sparkVersionSource: 'log' | 'databricks-runtime' | null;
  /** Vendor platform and engines (Databricks, Photon, RAPIDS, EMR, Dataproc). */
  platform: Platform;
  /** Wall-clock run time in ms (null when the log has no end). */
  durationMs: number | null;
  /** Sum of every task attempt's run time (finish - launch), ms. */
  totalTaskTimeMs: number;
  /** Spark properties as logged in SparkListenerEnvironmentUpdate. */
  sparkProperties: ReadonlyMap<string, string>;
}

/** A read-only view of one application for a detector: its facts and a way to run SQL over the views. */
export interface DetectorContext {
  app: ApplicationFacts;
  /** Runs SQL with `$appKey` bound to this application; rows come back as plain objects (BIGINT as bigint). */
  query: <T = Record<string, unknown>>(sql: string, params?: Record<string, string | number | boolean | null>) => Promise<T[]>;
}

/**
 * `load` run at most once per application's detection and shared by every detector that asks: the answer is kept
 * for the context's `query` function, which lives exactly as long as that detection. Callers must not change it.
 */
export function sharedByDetectors<T>(load: (query: DetectorContext['query']) => Promise<T>): (query: DetectorContext['query']) => Promise<T> {
  const answers = new WeakMap<DetectorContext['query'], Promise<T>>();
  return (query) => {
    let answer = answers.get(query);
    if (!answer) {
      answer = load(query);
      answers.set(query, answer);
    }
    return answer;
  };
}

/**
 * An insight before the run adds the application-level bookkeeping: severity from impact, wall-clock claims
 * apportioned so one stretch of the run is not counted twice.
 */
export type InsightDraft = Omit<Insight, 'severity'> & {
  /** A fixed severity (rare: the run derives it from impact). */
  severity?: Severity;
  /** 'failure': the application lost work or a result (ranked on top); 'explanation': context, never above a problem. */
  role?: 'failure' | 'explanation';
  /** The lowest severity it may get whatever its impact (a lost executor is reported even when it cost little). */
  severityFloor?: Severity;
  /** The highest severity it may get (time whose cause lies outside Spark's execution, e.g. the driver's own work). */
  severityCap?: Severity;
  /** Stretches of the run it accounts for; when given, impact is recomputed from them (see apportionClaims). */
  claims?: WallClaim[];
};

/**
 * A detector looks for one kind of problem. Adding one: write its test, write it (one file in
 * src/analysis/detectors/), register it in src/analysis/registry.ts.
 */
export interface Detector {
  /** Insight type it produces, kebab-case (e.g. "data-skew"). */
  type: string;
  /** One line on what it finds, for Query.insightTypes. */
  description: string;
  /** Spark documentation page that explains the mechanism. */
  sparkDocsRef: string;
  detect: (context: DetectorContext) => Promise<InsightDraft[]>;
}

/** Creates the {@link DetectorContext} of one application on an open connection. */
export async function createDetectorContext(connection: DuckDBConnection, appKey: string): Promise<DetectorContext> {
  // Rows of one fixed shape each (see rowObjectsOf): detectors share what they read for the whole detection, and a
  // long application's 8,680 stage facts held 29 MB as DuckDB's own row objects.
  const query = async <T>(sql: string, params: Record<string, string | number | boolean | null> = {}): Promise<T[]> =>
    rowObjectsOf<T>(await connection.runAndReadAll(sql, { appKey, ...params }));
  const [facts] = await query<{ sparkVersion: string | null; duration: bigint | null; totalTaskTime: number }>(
    `SELECT sparkVersion, duration,
       (SELECT coalesce(sum(duration), 0)::DOUBLE FROM app_tasks($appKey) WHERE appKey = $appKey) AS totalTaskTime
     FROM v_applications WHERE appKey = $appKey`,
  );
  const properties = await query<{ section: string; key: string; value: string }>(
    `SELECT section, key, value FROM environment WHERE appKey = $appKey AND section IN ('sparkProperties', 'systemProperties')`,
  );
  const sparkProperties = new Map(properties.filter((row) => row.section === 'sparkProperties').map((row) => [row.key, row.value]));
  const systemProperties = new Map(properties.filter((row) => row.section === 'systemProperties').map((row) => [row.key, row.value]));
  const fromRuntime = sparkVersionOfDatabricksRuntime(sparkProperties.get('spark.databricks.clusterUsageTags.sparkVersion'));
  const logged = facts?.sparkVersion ?? null;
  return {
    app: {
      appKey,
      sparkVersion: logged ?? fromRuntime,
      sparkVersionSource: logged !== null ? 'log' : fromRuntime !== null ? 'databricks-runtime' : null,
      platform: detectPlatform(sparkProperties, systemProperties),
      durationMs: facts?.duration === null || facts?.duration === undefined ? null : Number(facts.duration),
      totalTaskTimeMs: facts?.totalTaskTime ?? 0,
      sparkProperties,
    },
    query,
  };
}

/** Reads a Spark boolean property, falling back to Spark's default when unset. */
export function booleanProperty(app: ApplicationFacts, key: string, sparkDefault: boolean): boolean {
  const value = app.sparkProperties.get(key);
  return value === undefined ? sparkDefault : value.trim().toLowerCase() === 'true';
}

/** Spark's default for spark.sql.adaptive.enabled: on from 3.2, off before; Databricks turns it on from Runtime 7.3 (Spark 3.0). */
export function adaptiveExecutionEnabled(app: ApplicationFacts): boolean {
  const onByDefault = sparkAtLeast(app, 3, 2) || (app.platform.vendor === 'databricks' && sparkAtLeast(app, 3, 0));
  return booleanProperty(app, 'spark.sql.adaptive.enabled', onByDefault);
}

/**
 * Wall-clock ms as a share (0-1) of the application's run time; of its total task time when the log has no end
 * (as the time detectors do), 0 without either.
 */
export function shareOfRunTime(app: ApplicationFacts, ms: number): number {
  const runMs = app.durationMs ?? app.totalTaskTimeMs;
  return runMs > 0 ? Math.min(1, Math.max(0, ms / runMs)) : 0;
}

/** A cost in ms as a share (0-1) of the application's total task time; 0 when the log has no task time. */
export function shareOfTaskTime(app: ApplicationFacts, ms: number): number {
  return app.totalTaskTimeMs > 0 ? Math.min(1, ms / app.totalTaskTimeMs) : 0;
}
