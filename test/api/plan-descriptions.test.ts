import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { recordRowsScanned } from '../helpers/rows-scanned.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/**
 * A SQL execution's plan description can be megabytes (Databricks, adaptive re-plans): it is read only when a client
 * asks for it, in GraphQL by selecting the field and in History Server's REST API by its `planDescription` parameter.
 */

const appId = 'app-plan-descriptions';
const tree = { nodeName: 'Scan', simpleString: 'Scan', children: [], metadata: {}, metrics: [] };
const long = (tag: string): string => `${tag}${'\n+- Project [c#1, é]'.repeat(30_000)}`;
const texts = { 1: long('start of 1'), 2: 'short start of 2', 3: long('last update of 3') };

let server: TestServer;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-plan-descriptions-'));
  const [first, ...rest] = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] }).split('\n');
  const start = (executionId: number, text: string): string => JSON.stringify({
    Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId, description: `query ${executionId}`,
    details: '', physicalPlanDescription: text, sparkPlanInfo: tree, time: 1_700_000_000_001, modifiedConfigs: {},
  });
  const update = JSON.stringify({
    Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate', executionId: 3,
    physicalPlanDescription: texts[3], sparkPlanInfo: tree,
  });
  const log = join(dir, `${appId}.json`);
  writeFileSync(log, [first, start(1, texts[1]), start(2, texts[2]), start(3, long('replaced start of 3')), update, ...rest].join('\n'));
  // Applications before and after it with long descriptions of their own, which reading its own must not scan.
  const others = ['app-before', 'app-after'].map((other) => {
    const path = join(dir, `${other}.json`);
    const [otherFirst, ...otherRest] = buildEventLog({ appId: other, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] }).split('\n');
    writeFileSync(path, [otherFirst, ...Array.from({ length: 20 }, (_, i) => start(i, long(`${other} ${i}`))), ...otherRest].join('\n'));
    return path;
  });
  expect((await ingestPaths(server.temp.database, [others[0]!, log, others[1]!])).failures).toEqual([]);
}, 60_000);

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs `request` and returns its body with the rows DuckDB read meanwhile from plan_texts and, unless told,
 * sql_plan_updates (which also hold the plan trees that History Server's `details` draw).
 */
async function withRowsScanned(request: () => Promise<Response>, withUpdates = true): Promise<{ body: unknown; planRows: number }> {
  const recorder = recordRowsScanned(server.temp.database);
  try {
    const response = await request();
    expect(response.status).toBe(200);
    const body = await response.json();
    const scanned = recorder.take();
    return { body, planRows: (scanned.plan_texts ?? 0) + (withUpdates ? (scanned.sql_plan_updates ?? 0) : 0) };
  } finally {
    recorder.dispose();
  }
}

/** The sql_plan_updates rows of the application asked for. */
async function planUpdateRows(): Promise<number> {
  const [row] = await server.temp.database.query('SELECT count(*)::INTEGER AS n FROM sql_plan_updates WHERE appKey = $k', { k: appId });
  return row!.n as number;
}

const graphql = (query: string) => (): Promise<Response> =>
  fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

describe('plan descriptions', () => {
  it('are read in GraphQL only when the field is selected, and then shown exactly', async () => {
    const without = await withRowsScanned(graphql(`{ application(id: "${appId}") { sqlExecutions { id description } } }`));
    expect(without.body).toEqual({ data: { application: { sqlExecutions: [1, 2, 3].map((id) => ({ id, description: `query ${id}` })) } } });
    expect(without.planRows).toBe(0);
    const asked = await withRowsScanned(graphql(`{ application(id: "${appId}") { sqlExecutions { id physicalPlanDescription } } }`));
    expect(asked.body).toEqual({ data: { application: { sqlExecutions: [1, 2, 3].map((id) => ({ id, physicalPlanDescription: texts[id as 1 | 2 | 3] })) } } });
    // Its own pieces only (two texts of ~600 KB in 64-character pieces), not the other applications' forty texts.
    const [own] = await server.temp.database.query(
      `SELECT count(*)::INTEGER AS n FROM plan_texts WHERE textId IN (
         SELECT planText FROM sql_executions WHERE appKey = $k UNION ALL SELECT planText FROM sql_plan_updates WHERE appKey = $k)`,
      { k: appId },
    );
    expect(asked.planRows).toBeGreaterThan(0);
    expect(asked.planRows).toBeLessThanOrEqual((own!.n as number) + (await planUpdateRows()));
  });

  it("are read in History Server's REST API unless planDescription=false, as History Server leaves them out", async () => {
    const url = `${server.url}/api/v1/applications/${appId}/sql`;
    const without = await withRowsScanned(() => fetch(`${url}?planDescription=false`), false);
    expect((without.body as Array<{ planDescription: string }>).map((execution) => execution.planDescription)).toEqual(['', '', '']);
    expect(without.planRows).toBe(0);
    const asked = await withRowsScanned(() => fetch(url), false);
    expect((asked.body as Array<{ planDescription: string }>).map((execution) => execution.planDescription)).toEqual([texts[1], texts[2], texts[3]]);
    expect(asked.planRows).toBeGreaterThan(0);
  });
});
