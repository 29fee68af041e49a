import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * /applications/{appId}[/{attemptId}]/sql and /sql/{executionId} against what a real History Server answered
 * for the Spark 4.1 logs (spark4/fixtures.yaml: the SQL tables a History Server client printed).
 */

const APP1 = 'local-1776286786993';
const APP2 = 'local-1776286804625';
const fixtures = parseYaml(readFileSync(eventLogPath('spark4', 'fixtures.yaml'), 'utf8')) as Record<string, string>;

interface ExecutionData {
  id: number;
  status: string;
  description: string;
  planDescription: string;
  submissionTime: string;
  duration: number;
  runningJobIds: number[];
  successJobIds: number[];
  failedJobIds: number[];
  nodes: Array<{ nodeId: number; nodeName: string; wholeStageCodegenId?: number; metrics: Array<{ name: string; value: string }> }>;
  edges: Array<{ fromId: number; toId: number }>;
}

/** A fixture table's rows as column → cell, cut at the header's column starts. */
function table(text: string): Array<Record<string, string>> {
  const lines = text.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('Showing'));
  const header = lines[0]!;
  const starts = [...header.matchAll(/\S+/g)].map((m) => ({ name: m[0], at: m.index }));
  return lines.slice(1).map((line) =>
    Object.fromEntries(starts.map((col, i) => [col.name, line.slice(col.at, starts[i + 1]?.at ?? line.length).trim()])),
  );
}

/** "1.126s" / "738ms" as milliseconds. */
function ms(text: string): number {
  return text.endsWith('ms') ? Number(text.slice(0, -2)) : Math.round(Number(text.slice(0, -1)) * 1000);
}

const ids = (cell: string): number[] => (cell === '' ? [] : cell.split(',').map(Number));

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
  const logs = [eventLogPath('spark4', `${APP1}.zstd`), eventLogPath('spark4', `${APP2}.zstd`), eventLogPath('apache-spark', 'local-1426533911241')];
  const report = await ingestPaths(server.temp.database, logs);
  expect(report.failures).toEqual([]);
});
afterAll(async () => server?.close());

async function get(path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`${server.url}/api/v1${path}`);
  return { status: response.status, text: await response.text() };
}
async function getJson<T>(path: string): Promise<T> {
  const response = await get(path);
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as T;
}

describe('/sql as History Server lists it', () => {
  it.each([
    [APP1, 'sql_app1'],
    [APP2, 'sql_app2'],
  ])('%s: status, description, duration and job ids of every execution (%s)', async (app, key) => {
    const executions = await getJson<ExecutionData[]>(`/applications/${app}/sql`);
    const expected = table(fixtures[key]!);
    expect(executions.map((e) => e.id).sort((a, b) => a - b)).toEqual(expected.map((row) => Number(row.ID)).sort((a, b) => a - b));
    for (const row of expected) {
      const execution = executions.find((e) => e.id === Number(row.ID))!;
      expect(execution.status).toBe(row.STATUS);
      expect(execution.description).toBe(row.DESCRIPTION);
      expect(execution.duration).toBe(ms(row.DURATION!));
      // Same ids in the same order as History Server (its jobs map's order).
      expect(execution.failedJobIds).toEqual(ids(row.FAILED_JOBS!));
      expect(execution.successJobIds).toEqual(ids(row.SUCCESS_JOBS!));
      expect(execution.runningJobIds).toEqual(ids(row.RUNNING_JOBS!));
    }
  });

  it('lists in id order and pages with offset and length (length <= 0 lists all)', async () => {
    const all = await getJson<ExecutionData[]>(`/applications/${APP1}/sql?details=false&planDescription=false`);
    expect(all.map((e) => e.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(all.every((e) => e.nodes.length === 0 && e.edges.length === 0 && e.planDescription === '')).toBe(true);
    const page = await getJson<ExecutionData[]>(`/applications/${APP1}/sql?offset=5&length=3&details=false`);
    expect(page.map((e) => e.id)).toEqual([5, 6, 7]);
    expect(page[0]!.planDescription).toContain('Physical Plan');
    const zero = await getJson<ExecutionData[]>(`/applications/${APP1}/sql?offset=5&length=0&details=false`);
    expect(zero).toHaveLength(10);
  });

  it('answers one execution with the summary fields History Server gives (sql6_summary_app1)', async () => {
    const execution = await getJson<ExecutionData>(`/applications/${APP1}/sql/6`);
    const summary = fixtures.sql6_summary_app1!;
    expect(summary).toContain(`Submitted:     ${execution.submissionTime}`);
    expect(summary).toContain(`Success Jobs:  ${execution.successJobIds.join(',')}`);
    expect(execution.status).toBe('COMPLETED');
  });

  it('serves the same answer under the attempt-less and the attempt paths, and 404s as History Server', async () => {
    expect((await get(`/applications/${APP1}/sql/99`))).toEqual({ status: 404, text: 'unknown query execution id: 99' });
    expect((await get('/applications/nope/sql'))).toEqual({ status: 404, text: 'no such app: nope' });
    const withAttempt = await get('/applications/local-1426533911241/1/sql');
    expect(withAttempt.status).toBe(200);
    expect(JSON.parse(withAttempt.text)).toEqual([]);
  });
});

describe('/sql/{id} plan graph as SparkPlanGraph builds it', () => {
  it('gives InputAdapter no node, clusters WholeStageCodegen, and lists nodes by id descending', async () => {
    const execution = await getJson<ExecutionData>(`/applications/${APP1}/sql/6`);
    const nodeIds = execution.nodes.map((node) => node.nodeId);
    expect(nodeIds).toEqual([...nodeIds].sort((a, b) => b - a));
    // Ids are dense from 0: every node of the graph is listed once.
    expect(new Set(nodeIds).size).toBe(nodeIds.length);
    expect(Math.max(...nodeIds)).toBe(nodeIds.length - 1);
    expect(execution.nodes.some((node) => node.nodeName === 'InputAdapter')).toBe(false);
    const clusters = execution.nodes.filter((node) => node.nodeName.startsWith('WholeStageCodegen'));
    expect(clusters.length).toBeGreaterThan(0);
    for (const cluster of clusters) {
      const codegenId = Number(/\((\d+)\)/.exec(cluster.nodeName)![1]);
      // The operators fused into a cluster carry its codegen id; the cluster itself has none and no edges.
      expect(execution.nodes.some((node) => node.wholeStageCodegenId === codegenId)).toBe(true);
      expect(cluster.wholeStageCodegenId).toBeUndefined();
      expect(execution.edges.some((edge) => edge.fromId === cluster.nodeId || edge.toId === cluster.nodeId)).toBe(false);
    }
    const known = new Set(nodeIds);
    expect(execution.edges.every((edge) => known.has(edge.fromId) && known.has(edge.toId))).toBe(true);
  });

  it('gives GraphQL plan nodes the same ids, names, clusters and edges as /sql/{id}', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query Plans { application(id: "${APP1}") { sqlExecutions { id plan { nodes { id name clusterId } edges { from to } } } } }`,
      }),
    });
    const body = (await response.json()) as {
      data: { application: { sqlExecutions: Array<{ id: number; plan: { nodes: Array<{ id: number; name: string; clusterId: number | null }>; edges: Array<{ from: number; to: number }> } | null }> } };
    };
    const rest = await getJson<ExecutionData[]>(`/applications/${APP1}/sql?planDescription=false`);
    for (const execution of body.data.application.sqlExecutions) {
      const answer = rest.find((e) => e.id === execution.id)!;
      const codegenOf = new Map(execution.plan!.nodes.map((node) => [node.id, node.name]));
      expect(execution.plan!.nodes.map((node) => ({
        nodeId: node.id,
        nodeName: node.name,
        wholeStageCodegenId: node.clusterId === null ? undefined : Number(/\((\d+)\)/.exec(codegenOf.get(node.clusterId)!)![1]),
      }))).toEqual([...answer.nodes].reverse().map(({ nodeId, nodeName, wholeStageCodegenId }) => ({ nodeId, nodeName, wholeStageCodegenId })));
      expect(execution.plan!.edges.map((edge) => ({ fromId: edge.from, toId: edge.to }))).toEqual(answer.edges);
    }
  });

  it('prints SQL metrics as Spark does: sums grouped, sizes and timings with total (min, med, max)', async () => {
    const execution = await getJson<ExecutionData>(`/applications/${APP1}/sql/8`);
    const metrics = execution.nodes.flatMap((node) => node.metrics);
    expect(metrics.length).toBeGreaterThan(0);
    for (const metric of metrics) {
      expect(metric.value).toMatch(/^(-?[\d,]+|[\d.]+ (B|KiB|MiB|GiB|TiB|ms|s|m|h)|total \(min, med, max \(stageId: taskId\)\)\n.+ \(stage \d+\.\d+: task \d+\)\)|\(.+\))$/);
    }
    const written = metrics.filter((metric) => metric.name === 'shuffle records written').map((metric) => Number(metric.value.replace(/,/g, '')));
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((value) => value > 0)).toBe(true);
  });
});
