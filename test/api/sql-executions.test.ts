import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { ApplicationSqlExecutionsDocument, type ApplicationSqlExecutionsQuery } from '../generated/graphql.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

type SqlExecution = NonNullable<ApplicationSqlExecutionsQuery['application']>['sqlExecutions'][number];

/**
 * Application.sqlExecutions over real SQL logs: ids, times, status and job ids as the logs wrote them, and for
 * a Spark 4.1 log the SQL table a real History Server answered (spark4/fixtures.yaml).
 */
describe('Application.sqlExecutions', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const report = await ingestPaths(server.temp.database, [
      eventLogPath('apache-spark', 'app-20200706201101-0003'),
      eventLogPath('formats', 'aqeshuffle_eventlog.zstd'),
      eventLogPath('broken', 'join_missing_sql_end'),
      eventLogPath('spark4', 'local-1776286786993.zstd'),
    ]);
    expect(report.failures).toEqual([]);
  });
  afterAll(async () => server?.close());

  async function sqlExecutions(id: string): Promise<SqlExecution[]> {
    const response = await gql(server.graphqlUrl, ApplicationSqlExecutionsDocument, { id });
    expect(response.errors).toBeUndefined();
    return response.data!.application!.sqlExecutions;
  }

  it('lists the execution of a Spark 3.1 SQL log with the jobs it ran', async () => {
    const [execution, ...others] = await sqlExecutions('app-20200706201101-0003');
    expect(others).toEqual([]);
    // SQLExecutionStart/End at 1594091478577/1594091483045; jobs 0-2 carry spark.sql.execution.id=0.
    expect(execution).toMatchObject({
      id: 0,
      description: 'foreach at <console>:26',
      startTime: new Date(1594091478577).toISOString(),
      endTime: new Date(1594091483045).toISOString(),
      duration: '4468',
      status: 'COMPLETED',
      errorMessage: null,
      jobIds: [0, 1, 2],
    });
    expect(execution!.details).toMatch(/^org\.apache\.spark\.sql\.Dataset\.foreach/);
    expect(execution!.physicalPlanDescription).toMatch(/^== Physical Plan ==\nDeserializeToObject/);
  });

  it('shows the final adaptive plan of an AQE query', async () => {
    const [execution] = await sqlExecutions('local-1651694304852');
    expect(execution).toMatchObject({ id: 0, description: 'count at <console>:25', status: 'COMPLETED', jobIds: [0, 1, 2, 3] });
    // The start event logs the initial plan; the last SparkListenerSQLAdaptiveExecutionUpdate the final one.
    expect(execution!.physicalPlanDescription).toContain('AdaptiveSparkPlan (34)\n+- == Final Plan ==');
  });

  it('is RUNNING without an end event', async () => {
    expect(await sqlExecutions('local-1622561780883')).toMatchObject([
      { id: 0, status: 'RUNNING', endTime: null, duration: null, errorMessage: null, jobIds: [0] },
    ]);
  });

  it('answers what History Server answered for a Spark 4.1 log (spark4/fixtures.yaml sql_app1)', async () => {
    const expected = historyServerSqlTable('sql_app1');
    const executions = await sqlExecutions('local-1776286786993');
    expect(executions.map((e) => e.id)).toEqual(expected.map((row) => row.id).sort((a, b) => a - b));
    const byId = new Map(executions.map((e) => [e.id, e]));
    for (const row of expected) {
      const execution = byId.get(row.id)!;
      expect(
        {
          id: execution.id,
          status: execution.status,
          description: execution.description,
          duration: Number(execution.duration),
          jobIds: execution.jobIds,
        },
        `execution ${row.id}`,
      ).toEqual(row);
    }
    // Spark 4 writes "errorMessage":"" for a success: only the failed execution has a message.
    expect(executions.filter((e) => e.errorMessage !== null).map((e) => e.id)).toEqual([2]);
    expect(byId.get(2)!.errorMessage).toMatch(/^Job aborted due to stage failure/);
  });
});

/** Milliseconds of the History Server CLI's "1.126s" / "738ms". */
function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(text);
  if (!match) throw new Error(`not a duration: ${text}`);
  return Math.round(Number(match[1]) * (match[2] === 's' ? 1000 : 1));
}

/** A SQL table of spark4/fixtures.yaml (fixed-width columns under a header line), as execution rows. */
function historyServerSqlTable(
  name: string,
): Array<{ id: number; status: string; description: string; duration: number; jobIds: number[] }> {
  const yaml = readFileSync(eventLogPath('spark4', 'fixtures.yaml'), 'utf8').split('\n');
  const start = yaml.indexOf(`${name}: |`);
  if (start < 0) throw new Error(`${name} not in fixtures.yaml`);
  const lines: string[] = [];
  for (const line of yaml.slice(start + 1)) {
    if (!line.startsWith('  ')) break;
    lines.push(line.slice(2));
  }
  const [header, ...rows] = lines;
  const columns = ['ID', 'STATUS', 'DESCRIPTION', 'DURATION', 'FAILED_JOBS', 'SUCCESS_JOBS', 'RUNNING_JOBS'];
  const starts = columns.map((column) => header!.indexOf(column));
  const cell = (row: string, i: number) => row.slice(starts[i], starts[i + 1] ?? row.length).trim();
  const ids = (text: string) => (text ? text.split(',').map(Number) : []);
  return rows
    .filter((row) => row.trim())
    .map((row) => ({
      id: Number(cell(row, 0)),
      status: cell(row, 1),
      description: cell(row, 2),
      duration: parseDuration(cell(row, 3)),
      jobIds: [...ids(cell(row, 4)), ...ids(cell(row, 5)), ...ids(cell(row, 6))].sort((a, b) => a - b),
    }));
}
