import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { graphqlData, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * /api/v1 beyond the recorded answers: History Server's error statuses and messages (the ones
 * HistoryServerSuite asserts, listed at the end of MAPPING.txt), how parameters are read, and that the REST
 * and GraphQL APIs give the same numbers for the same concept (both read the same views).
 */

let server: TestServer;
const APP = 'local-1422981780767';
const TASKS_APP = 'local-1430917381534';
const MULTI_ATTEMPT_APP = 'local-1426533911241';

beforeAll(async () => {
  server = await startTestServer();
  const logs = [APP, TASKS_APP, 'local-1426533911241', 'local-1426633911242', 'app-20200706201101-0003'];
  const report = await ingestPaths(server.temp.database, logs.map((log) => eventLogPath('apache-spark', log)));
  expect(report.failures).toEqual([]);
});
afterAll(async () => server?.close());

async function get(path: string, init?: RequestInit): Promise<{ status: number; type: string | null; text: string }> {
  const response = await fetch(`${server.url}/api/v1${path}`, init);
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await get(path);
  expect(response.status, response.text).toBe(200);
  return JSON.parse(response.text) as T;
}

const graphql = <T>(query: string): Promise<T> => graphqlData<T>(server.graphqlUrl, query);

describe("History Server's error answers (HistoryServerSuite)", () => {
  it.each([
    ['/applications/foobar', 404, 'unknown app: foobar'],
    [`/applications/${APP}/stages/12345`, 404, 'unknown stage: 12345'],
    [`/applications/${APP}/stages/1/1`, 404, 'unknown attempt for stage 1.  Found attempts: [0]'],
    [
      `/applications/${TASKS_APP}/stages/0/0/taskSummary?quantiles=foo,0.1`,
      400,
      'Bad value for parameter "quantiles".  Expected a double, got "foo"',
    ],
  ])('GET %s answers %i "%s"', async (path, status, message) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(response.type).toMatch(/^text\/plain/);
    expect(response.text).toBe(message);
  });

  it.each([`/applications/${APP}/stages/flimflam`, '/foobar', ''])('GET /api/v1%s answers 404', async (path) => {
    expect((await get(path)).status).toBe(404);
  });
});

describe('other not-found answers, worded as History Server words them', () => {
  it.each([
    ['/applications/foobar/jobs', 'no such app: foobar'],
    [`/applications/${APP}/1/jobs`, `no such app: ${APP}/1`],
    // An app whose attempts have ids is only reachable through one of them.
    [`/applications/${MULTI_ATTEMPT_APP}/jobs`, `no such app: ${MULTI_ATTEMPT_APP}`],
    [`/applications/${MULTI_ATTEMPT_APP}/3`, `unknown app ${MULTI_ATTEMPT_APP}, attempt 3`],
    [`/applications/${APP}/jobs/99`, 'unknown job: 99'],
    [`/applications/${APP}/storage/rdd/99`, 'no rdd found w/ id 99'],
    [`/applications/${TASKS_APP}/stages/12345/0/taskSummary`, 'No tasks reported metrics for 12345 / 0 yet.'],
    [`/applications/${APP}/stages?status=bogus`, "Illegal type='bogus'. Supported type values: ACTIVE, COMPLETE, FAILED, PENDING, SKIPPED"],
  ])('GET %s answers 404 "%s"', async (path, message) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(response.text).toBe(message);
  });

  it('rejects a date it cannot read with 400, as SimpleDateParam does', async () => {
    const response = await get('/applications?minDate=yesterday');
    expect(response.status).toBe(400);
    expect(response.text).toBe("Couldn't parse date: yesterday");
  });

  it("answers /version as History Server's VersionInfo: the Spark release whose API it speaks", async () => {
    const version = await getJson<Record<string, unknown>>('/version');
    expect(Object.keys(version)).toEqual(['spark']);
    expect(version.spark).toMatch(/^[34]\.\d+\.\d+$/);
  });

  it('answers executor thread dumps as History Server does for a replayed app (no live SparkContext)', async () => {
    expect(await get(`/applications/${APP}/executors/driver/threads`)).toMatchObject({
      status: 503,
      text: 'Thread dumps not available through the history server.',
    });
    expect(await get(`/applications/${APP}/executors/x1/threads`)).toMatchObject({
      status: 400,
      text: "Invalid executorId: neither 'driver' nor number.",
    });
    expect((await get('/applications/foobar/executors/1/threads')).text).toBe('no such app: foobar');
  });

  it('is read-only', async () => {
    const response = await get('/applications', { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.type).toMatch(/^text\/plain/);
  });
});

describe('parameters', () => {
  it('reads the one attempt of a multi-attempt app, and the attempt itself', async () => {
    const attempt = await getJson<{ attemptId: string; completed: boolean }>(`/applications/${MULTI_ATTEMPT_APP}/2`);
    expect(attempt).toMatchObject({ attemptId: '2', completed: true });
    const jobs = await getJson<unknown[]>(`/applications/${MULTI_ATTEMPT_APP}/2/jobs/`);
    expect(jobs).toHaveLength(1);
  });

  it('filters applications by status case-insensitively and limits the list', async () => {
    const all = await getJson<Array<{ id: string }>>('/applications');
    expect(all.map((app) => app.id)).toEqual(expect.arrayContaining([APP, TASKS_APP, MULTI_ATTEMPT_APP]));
    expect(await getJson('/applications?status=RUNNING')).toEqual([]);
    expect(await getJson('/applications?status=Completed&limit=2')).toEqual(all.slice(0, 2));
    expect(await getJson('/applications?limit=0')).toEqual([]);
  });

  it('sorts, filters and windows a task list like taskList', async () => {
    const path = `/applications/${TASKS_APP}/stages/0/0/taskList`;
    const byRuntime = await getJson<Array<{ taskId: number; taskMetrics: { executorRunTime: number } }>>(
      `${path}?sortBy=increasing_runtime&length=100`,
    );
    const runtimes = byRuntime.map((task) => task.taskMetrics.executorRunTime);
    expect(runtimes).toEqual([...runtimes].sort((a, b) => a - b));
    expect(await getJson(`${path}?sortBy=runtime&length=100`)).toEqual(byRuntime);
    expect(await getJson(`${path}?offset=3&length=2`)).toEqual((await getJson<unknown[]>(`${path}?length=5`)).slice(3));
    expect(await getJson(`${path}?status=failed`)).toEqual([]);
    expect((await get(`${path}?sortBy=fastest`)).status).toBe(404);
  });

  it('pages, sorts and searches the stage page task table like taskTable (counts as strings)', async () => {
    const base = `/applications/${TASKS_APP}/stages/0/0`;
    const stage = await getJson<{ numTasks: number }>(base);
    const table = (params: string) =>
      getJson<{ aaData: Array<{ taskId: number; duration?: number; host: string }>; recordsTotal: string; recordsFiltered: string }>(
        `${base}/taskTable?numTasks=${stage.numTasks}&${params}`,
      );
    const byId = await table('start=0&length=5&columnNameToSort=ID&order%5B0%5D%5Bdir%5D=asc');
    const list = await getJson<Array<{ taskId: number }>>(`${base}/taskList?length=5`);
    expect(byId.aaData).toEqual(list);
    expect(byId.recordsTotal).toBe(String(stage.numTasks));
    expect(byId.recordsFiltered).toBe(String(stage.numTasks));

    const slowest = await table('start=0&length=50&columnNameToSort=Duration&order%5B0%5D%5Bdir%5D=desc');
    const durations = slowest.aaData.map((task) => task.duration ?? 0);
    expect(durations).toEqual([...durations].sort((a, b) => b - a));
    const second = await table('start=1&length=1&columnNameToSort=Duration&order%5B0%5D%5Bdir%5D=desc');
    expect(second.aaData).toEqual([slowest.aaData[1]]);

    const found = await table(`start=0&length=10&columnNameToSort=Index&order%5B0%5D%5Bdir%5D=asc&search%5Bvalue%5D=${byId.aaData[0]!.taskId}`);
    expect(found.aaData.map((task) => task.taskId)).toContain(byId.aaData[0]!.taskId);
    expect(Number(found.recordsFiltered)).toBeLessThanOrEqual(stage.numTasks);

    expect(await get(`${base}/taskTable?numTasks=${stage.numTasks}&columnNameToSort=Bogus`)).toMatchObject({
      status: 400,
      text: 'Invalid sort column: Bogus',
    });
    expect((await get(`${base}/taskTable`)).status).toBe(400);
  });

  it('adds task and executor quantiles to a stage withSummaries, at the quantiles asked for', async () => {
    const stage = await getJson<{
      taskMetricsDistributions: { quantiles: number[] };
      executorMetricsDistributions: { quantiles: number[]; taskTime: number[] };
    }>('/applications/app-20200706201101-0003/stages/2/0?withSummaries=true&quantiles=0.5,0');
    expect(stage.taskMetricsDistributions.quantiles).toEqual([0, 0.5]);
    expect(stage.executorMetricsDistributions.quantiles).toEqual([0, 0.5]);
    expect(stage.executorMetricsDistributions.taskTime).toEqual([0, 30596]);
  });

  it('leaves details out of a stage when details=false', async () => {
    const [stage] = await getJson<Array<Record<string, unknown>>>(`/applications/${APP}/stages/1?details=false`);
    expect(stage).not.toHaveProperty('tasks');
    expect(stage).not.toHaveProperty('executorSummary');
    expect(stage).toHaveProperty('peakExecutorMetrics');
  });
});

describe('the same numbers as GraphQL', () => {
  it("a stage's metrics, the jobs' task counts and the executors' totals", async () => {
    const data = await graphql<{
      application: {
        stage: { executorRunTime: string; numCompleteTasks: number; shuffleWriteBytes: string };
        jobs: Array<{ jobId: number; numTasks: number; numCompletedTasks: number; status: string }>;
        executors: Array<{ id: string; totalDuration: string; totalGCTime: string; totalTasks: number; maxMemory: string }>;
      };
    }>(`{
      application(id: "${APP}") {
        stage(stageId: 1, attemptId: 0) { executorRunTime numCompleteTasks shuffleWriteBytes }
        jobs { jobId numTasks numCompletedTasks status }
        executors { id totalDuration totalGCTime totalTasks maxMemory }
      }
    }`);
    const stage = await getJson<Record<string, unknown>>(`/applications/${APP}/stages/1/0`);
    expect({
      executorRunTime: String(stage.executorRunTime),
      numCompleteTasks: stage.numCompleteTasks,
      shuffleWriteBytes: String(stage.shuffleWriteBytes),
    }).toEqual(data.application.stage);

    const jobs = await getJson<Array<Record<string, unknown>>>(`/applications/${APP}/jobs`);
    expect(jobs.map(({ jobId, numTasks, numCompletedTasks, status }) => ({ jobId, numTasks, numCompletedTasks, status }))).toEqual(
      data.application.jobs,
    );

    const executors = await getJson<Array<Record<string, unknown>>>(`/applications/${APP}/allexecutors`);
    expect(
      executors.map(({ id, totalDuration, totalGCTime, totalTasks, maxMemory }) => ({
        id,
        totalDuration: String(totalDuration),
        totalGCTime: String(totalGCTime),
        totalTasks,
        maxMemory: String(maxMemory),
      })),
    ).toEqual(data.application.executors);
  });

  it('a task summary', async () => {
    const data = await graphql<{ application: { stage: { taskSummary: { quantiles: number[]; executorRunTime: number[] } } } }>(`{
      application(id: "${TASKS_APP}") { stage(stageId: 0, attemptId: 0) { taskSummary { quantiles executorRunTime } } }
    }`);
    const summary = await getJson<{ quantiles: number[]; executorRunTime: number[] }>(
      `/applications/${TASKS_APP}/stages/0/0/taskSummary`,
    );
    expect({ quantiles: summary.quantiles, executorRunTime: summary.executorRunTime }).toEqual(data.application.stage.taskSummary);
  });
});
