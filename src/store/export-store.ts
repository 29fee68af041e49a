import type { DuckDBConnection } from '@duckdb/node-api';
import { taskMetricNames } from './schema.js';
import { queryTextsSql, shownPlanDescriptionsSql } from './plan-texts.js';

/**
 * The SQL behind the Parquet export: one SELECT per exported table, each reading a single application
 * (`$appKey`), so an export touches only that application's rows. Column names are the store's own (History
 * Server's REST names); docs/README list them per table.
 */
export const exportTableQueries: Readonly<Record<string, string>> = {
  applications: `SELECT appKey, appId, attemptId, name, sparkVersion, sparkUser, startTime, endTime, duration, completed,
      lastUpdated, sourceName, eventsRead, eventsSkipped, totalJobs, totalStages, totalTasks, failedTasks, ingestedAt
    FROM v_applications WHERE appKey = $appKey`,
  jobs: `SELECT * EXCLUDE (killedTasksSummary),
      list_transform(map_entries(killedTasksSummary), e -> {'reason': e.key, 'count': e.value}) AS killedTasksSummary
    FROM v_jobs WHERE appKey = $appKey ORDER BY jobId`,
  stages: `SELECT * EXCLUDE (accumulables, killedTasksSummary, rddInfo), rddInfo::VARCHAR AS rddInfo,
      list_transform(map_entries(killedTasksSummary), e -> {'reason': e.key, 'count': e.value}) AS killedTasksSummary
    FROM v_stages WHERE appKey = $appKey ORDER BY stageId, attemptId`,
  // History Server's task summary quantiles (0, 25, 50, 75, 100%) over each stage attempt's successful tasks.
  stage_task_quantiles: `SELECT appKey, stageId, stageAttemptId, count(*) AS successfulTasks,
      ${['duration', 'executorRunTime', 'executorCpuTime', 'jvmGcTime', 'schedulerDelay', 'inputBytes', 'outputBytes',
        'shuffleTotalBytesRead', 'shuffleWriteBytes', 'memoryBytesSpilled', 'diskBytesSpilled', 'peakExecutionMemory']
        .map((column) => `quantile_cont(${column}, [0.0, 0.25, 0.5, 0.75, 1.0]) AS ${column}Quantiles`).join(',\n      ')}
    FROM v_tasks WHERE appNo = (SELECT appNo FROM application_numbers WHERE appKey = $appKey) AND appKey = $appKey AND outcome = 'completed' GROUP BY ALL ORDER BY stageId, stageAttemptId`,
  tasks: `SELECT appKey, stageId, stageAttemptId, taskId, "index", attempt, partitionId, launchTime, finishTime, duration,
      executorId, host, taskLocality, speculative, status, outcome, endReason, errorMessage, schedulerDelay,
      gettingResultTime, ${taskMetricNames.join(', ')}, shuffleTotalBytesRead
    FROM v_tasks WHERE appNo = (SELECT appNo FROM application_numbers WHERE appKey = $appKey) AND appKey = $appKey ORDER BY stageId, stageAttemptId, taskId`,
  executors: `SELECT * EXCLUDE (executorLogs, attributes, resources), executorLogs::VARCHAR AS executorLogs,
      attributes::VARCHAR AS attributes, resources::VARCHAR AS resources
    FROM v_executors WHERE appKey = $appKey ORDER BY id`,
  // The plan description shown, as the API's.
  sql_executions: `SELECT s.appKey, s.executionId, rootExecutionId, q.description, details,
      p.plan AS physicalPlanDescription, startTime, endTime,
      endTime - startTime AS duration, nullif(errorMessage, '') AS errorMessage, modifiedConfigs::VARCHAR AS modifiedConfigs
    FROM sql_executions s LEFT JOIN (${shownPlanDescriptionsSql('appKey = $appKey')}) p USING (appKey, executionId)
      JOIN (${queryTextsSql('appKey = $appKey')}) q USING (appKey, executionId)
    WHERE s.appKey = $appKey ORDER BY s.executionId`,
  insights: `SELECT * EXCLUDE (evidence), evidence::VARCHAR AS evidence FROM insights WHERE appKey = $appKey ORDER BY impact DESC, id`,
  environment: `SELECT appKey, section, key, value FROM environment WHERE appKey = $appKey ORDER BY section, key`,
};

/** Columns of the tables the export builds in JavaScript (written as JSON lines, read back with these types). */
export const exportJsonTableColumns: Readonly<Record<string, Record<string, string>>> = {
  application_costs: {
    appKey: 'VARCHAR', durationMs: 'DOUBLE', localMode: 'BOOLEAN', executors: 'BIGINT', allocatedCoreHours: 'DOUBLE',
    executorCoreHours: 'DOUBLE', driverCoreHours: 'DOUBLE', memoryGbHours: 'DOUBLE', usedCoreHours: 'DOUBLE', idleShare: 'DOUBLE',
    failedCoreHours: 'DOUBLE', failedShare: 'DOUBLE', wastedCoreHours: 'DOUBLE', wasteShare: 'DOUBLE', executorMemoryBytes: 'BIGINT',
  },
  sql_plan_nodes: {
    appKey: 'VARCHAR', executionId: 'BIGINT', nodeId: 'BIGINT', parentNodeId: 'BIGINT', depth: 'BIGINT', nodeName: 'VARCHAR',
    simpleString: 'VARCHAR', metrics: 'STRUCT(name VARCHAR, metricType VARCHAR, value BIGINT)[]',
  },
};

/** Writes the rows `sql` selects for `appKey` to one Parquet file. */
export async function copyQueryToParquet(connection: DuckDBConnection, sql: string, appKey: string, file: string): Promise<void> {
  await connection.run(`COPY (${sql}) TO '${file.replaceAll("'", "''")}' (FORMAT parquet, COMPRESSION zstd)`, { appKey });
}

/** Writes a JSON-lines file of rows (typed by `columns`) to one Parquet file. */
export async function copyJsonLinesToParquet(
  connection: DuckDBConnection,
  jsonFile: string,
  columns: Record<string, string>,
  file: string,
): Promise<void> {
  const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;
  const spec = `{${Object.entries(columns).map(([name, type]) => `${quote(name)}: ${quote(type)}`).join(', ')}}`;
  await connection.run(
    `COPY (SELECT * FROM read_json(${quote(jsonFile)}, format = 'newline_delimited', columns = ${spec})) TO ${quote(file)} (FORMAT parquet, COMPRESSION zstd)`,
  );
}

/** The applications to export: their key and ingest time, those ingested at or after `since` when given. */
export async function applicationsToExport(connection: DuckDBConnection, since: Date | undefined): Promise<Array<{ appKey: string; ingestedAtMs: number }>> {
  const rows = (await connection.runAndReadAll(
    `SELECT appKey, epoch_ms(ingestedAt) AS ingestedAtMs FROM applications
     ${since ? 'WHERE ingestedAt >= make_timestamp($since * 1000)' : ''} ORDER BY appKey`,
    since ? { since: since.getTime() } : {},
  )).getRowObjectsJS();
  return rows.map((row) => ({ appKey: String(row.appKey), ingestedAtMs: Number(row.ingestedAtMs) }));
}
