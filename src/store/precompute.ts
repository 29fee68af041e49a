import type { DuckDBConnection } from '@duckdb/node-api';
import { applicationNumberOf } from './application-numbers.js';
import { precomputeResourceFacts } from './cost-store.js';
import { precomputeTaskQuantiles } from './task-summary.js';
import { executorMetricNames } from '../parse/event-schema.js';

/**
 * Precomputed table ← the macro of views.ts that computes one application's rows of it, and whether its rows carry
 * each stage's text, so that a long log's are written a range of stages at a time (see {@link stageRanges}).
 */
const fromMacros: ReadonlyArray<readonly [string, string, { byStageRange?: true }?]> = [
  ['app_stages', 'stage_rows', { byStageRange: true }],
  ['app_jobs', 'job_rows'],
  ['app_executors', 'executor_rows'],
  ['app_stage_executors', 'stage_executor_rows'],
  ['app_stage_speculation', 'stage_speculation_rows'],
  ['app_totals', 'application_totals'],
];

/** Stages whose app_stages rows one statement writes (see {@link stageRanges}). */
const STAGES_PER_INSERT = 1000;

const stagePeaks = `{${executorMetricNames
  .map((name) => `'${name}': greatest(0, max(coalesce(peakMemoryMetrics."${name}", 0)))`)
  .join(', ')}}`;

/**
 * Computes once what every dashboard reads of one application from its own event and task rows (History Server's
 * stage, job and executor aggregates, per-stage executor summaries and peaks, speculation summaries, application
 * totals and task quantiles), and stores it in the app_* tables. None of it reads the application row, so a new
 * application's answers are committed before that row, which makes them visible with it (see writeApplication);
 * the resource facts, which do read it, are {@link precomputeResourceFacts}. Earlier answers are replaced. `afterTable`
 * runs after each table, or range of stages of one, is written (a new application's write commits there). Returns the
 * application's number.
 */
export async function precomputeFromRows(
  connection: DuckDBConnection,
  appKey: string,
  afterTable: () => Promise<void> = () => Promise.resolve(),
  stagesPerInsert: number = STAGES_PER_INSERT,
): Promise<number> {
  const appNo = await applicationNumberOf(connection, appKey);
  if (appNo === null) throw new Error(`precomputeFromRows: ${appKey} has no application number; assign one before its tasks are written`);
  for (const [table] of [...fromMacros, ['app_stage_peaks'], ['app_task_quantiles']]) {
    await connection.run(`DELETE FROM ${table} WHERE appKey = $appKey`, { appKey });
  }
  for (const [table, macro, how] of fromMacros) {
    const ranges = how?.byStageRange ? await stageRanges(connection, appKey, stagesPerInsert) : [null];
    for (const range of ranges) {
      const inRange = range === null ? '' : ' WHERE stageId BETWEEN $first AND $last';
      await connection.run(`INSERT INTO ${table} FROM ${macro}($appKey, $appNo)${inRange}`, { appKey, appNo, ...range });
      await afterTable();
    }
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

/**
 * One application's stage ids cut into ranges of at most `stagesPerInsert` stages each (attempts and all), in order.
 * DuckDB builds app_stages' join of each stage's text (details, RDD info, accumulables) with its task totals on the
 * stage rows, the side it estimates the smaller whatever the query says, so one statement held the text of all 8,680
 * stages of the event-heavy bench log at once.
 */
export async function stageRanges(
  connection: DuckDBConnection,
  appKey: string,
  stagesPerInsert: number = STAGES_PER_INSERT,
): Promise<Array<{ first: number; last: number }>> {
  const reader = await connection.runAndReadAll(
    `SELECT min(stageId)::DOUBLE AS first, max(stageId)::DOUBLE AS last
     FROM (SELECT stageId, (dense_rank() OVER (ORDER BY stageId) - 1) // $stagesPerInsert::BIGINT AS part
           FROM stages WHERE appKey = $appKey)
     GROUP BY part ORDER BY first`,
    { appKey, stagesPerInsert },
  );
  return reader.getRowObjectsJS() as Array<{ first: number; last: number }>;
}
