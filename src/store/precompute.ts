import type { DuckDBConnection } from '@duckdb/node-api';
import { applicationNumberOf } from './application-numbers.js';
import { precomputeResourceFacts } from './cost-store.js';
import { precomputeTaskQuantiles } from './task-summary.js';
import { executorMetricNames } from '../parse/event-schema.js';

/** Precomputed table ← the macro of views.ts that computes one application's rows of it. */
const fromMacros: ReadonlyArray<readonly [string, string]> = [
  ['app_stages', 'stage_rows'],
  ['app_jobs', 'job_rows'],
  ['app_executors', 'executor_rows'],
  ['app_stage_executors', 'stage_executor_rows'],
  ['app_stage_speculation', 'stage_speculation_rows'],
  ['app_totals', 'application_totals'],
];

const stagePeaks = `{${executorMetricNames
  .map((name) => `'${name}': greatest(0, max(coalesce(peakMemoryMetrics."${name}", 0)))`)
  .join(', ')}}`;

/**
 * Computes once what every dashboard reads of one application from its own event and task rows (History Server's
 * stage, job and executor aggregates, per-stage executor summaries and peaks, speculation summaries, application
 * totals and task quantiles), and stores it in the app_* tables. None of it reads the application row, so a new
 * application's answers are committed before that row, which makes them visible with it (see writeApplication);
 * the resource facts, which do read it, are {@link precomputeResourceFacts}. Earlier answers are replaced. `afterTable`
 * runs after each table is written (a new application's write commits there). Returns the application's number.
 */
export async function precomputeFromRows(
  connection: DuckDBConnection,
  appKey: string,
  afterTable: () => Promise<void> = () => Promise.resolve(),
): Promise<number> {
  const appNo = await applicationNumberOf(connection, appKey);
  if (appNo === null) throw new Error(`precomputeFromRows: ${appKey} has no application number; assign one before its tasks are written`);
  for (const [table] of [...fromMacros, ['app_stage_peaks'], ['app_task_quantiles']]) {
    await connection.run(`DELETE FROM ${table} WHERE appKey = $appKey`, { appKey });
  }
  for (const [table, macro] of fromMacros) {
    await connection.run(`INSERT INTO ${table} FROM ${macro}($appKey, $appNo)`, { appKey, appNo });
    await afterTable();
  }
  // A stage attempt's peak executor metrics: the peaks of its executors' summaries (the same events raise both).
  await connection.run(
    `INSERT INTO app_stage_peaks
     SELECT appKey, stageId, stageAttemptId, ${stagePeaks} FROM app_stage_executors
     WHERE appKey = $appKey AND peakMemoryMetrics IS NOT NULL GROUP BY ALL`,
    { appKey },
  );
  await afterTable();
  await precomputeTaskQuantiles(connection, appKey, appNo);
  return appNo;
}

/** Every precomputed answer of one application, for a write that stores it whole in one transaction (application row included). */
export async function precomputeApplication(connection: DuckDBConnection, appKey: string): Promise<void> {
  const appNo = await precomputeFromRows(connection, appKey);
  await precomputeResourceFacts(connection, appKey, appNo);
}
