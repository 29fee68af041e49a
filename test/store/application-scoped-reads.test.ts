import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multiplyApplication } from '../../bench/clone-application.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { recordRowsScanned } from '../helpers/rows-scanned.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * Every query the API runs for one application reads that application's rows, not the database's: the rows
 * DuckDB scans (its profiler's count, after zonemap pruning) stay the same when hundreds of thousands of
 * other applications' task rows are added.
 */

const asked = 'local-1430917381534';
const other = 'local-1642039451826';
let server: TestServer;

const requests: Array<{ name: string; run: () => Promise<Response> }> = [];

async function graphql(query: string): Promise<Response> {
  return fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
}

beforeAll(async () => {
  server = await startTestServer();
  const report = await ingestPaths(server.temp.database, [
    eventLogPath('apache-spark', asked),
    eventLogPath('apache-spark', other),
  ]);
  expect(report.failures).toEqual([]);
  const rest = `${server.url}/api/v1/applications/${asked}`;
  requests.push(
    {
      name: 'dashboard',
      run: () =>
        graphql(`{ application(id: "${asked}") { stats { totalTasks failedTasks }
          stages { stageId taskSummary { quantiles executorRunTime } } insights(first: 5) { id } } }`),
    },
    {
      name: 'tasks page',
      run: () =>
        graphql(`{ application(id: "${asked}") { stages { tasks(first: 50, sortBy: DECREASING_RUNTIME) { nodes { taskId } } } } }`),
    },
    {
      name: 'quantiles computed on the fly',
      run: () => graphql(`{ application(id: "${asked}") { stages { taskSummary(quantiles: [0.1, 0.9]) { duration } } } }`),
    },
    { name: 'REST stages', run: () => fetch(`${rest}/stages`) },
    { name: 'REST stage with details', run: () => fetch(`${rest}/stages/0?details=true&withSummaries=true`) },
    { name: 'REST jobs', run: () => fetch(`${rest}/jobs`) },
    { name: 'REST executors', run: () => fetch(`${rest}/allexecutors`) },
    { name: 'REST taskList', run: () => fetch(`${rest}/stages/0/0/taskList?sortBy=-runtime`) },
    { name: 'REST taskSummary', run: () => fetch(`${rest}/stages/0/0/taskSummary`) },
  );
}, 120_000);
afterAll(async () => server?.close());

async function tasksScannedPerRequest(): Promise<Record<string, number>> {
  const recorder = recordRowsScanned(server.temp.database);
  try {
    const scanned: Record<string, number> = {};
    for (const request of requests) {
      const response = await request.run();
      const body = await response.text();
      expect(response.status, `${request.name}: ${body}`).toBe(200);
      expect(body).not.toContain('"errors"');
      scanned[request.name] = recorder.take().tasks ?? 0;
    }
    return scanned;
  } finally {
    recorder.dispose();
  }
}

describe('queries for one application', () => {
  it('scan the same task rows however many other applications are stored', async () => {
    const alone = await tasksScannedPerRequest();
    const [{ n }] = (await server.temp.database.query('SELECT count(*)::INTEGER AS n FROM tasks WHERE appKey = $k', {
      k: other,
    })) as Array<{ n: number }>;
    // Applications whose task rows fill several of DuckDB's row groups (122,880 rows each), under keys that share
    // the asked one's prefix as Spark's ids do (DuckDB's VARCHAR zonemaps keep only 8 bytes of it).
    const copies = Math.ceil(125_000 / n);
    await server.temp.database.withConnection(async (connection) => {
      for (let i = 0; i < 4; i += 1) await multiplyApplication(connection, other, `${asked}-neighbour-${i}`, copies);
    });
    const [{ total }] = (await server.temp.database.query('SELECT count(*)::INTEGER AS total FROM tasks')) as Array<{
      total: number;
    }>;
    expect(total).toBeGreaterThan(500_000);

    const crowded = await tasksScannedPerRequest();
    expect(crowded).toEqual(alone);
    // And what is read is the application's own row group, not the database.
    for (const scanned of Object.values(crowded)) expect(scanned).toBeLessThan(total / 4);
  }, 300_000);
});
