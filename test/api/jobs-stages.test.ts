import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import {
  ApplicationDagDocument,
  ApplicationJobsDocument,
  ApplicationStagesDocument,
  ApplicationStagesWithTasksDocument,
  OneApplicationStagesWithTasksDocument,
  StageTasksDocument,
  StageTaskSummaryDocument,
  UploadEventLogDocument,
} from '../generated/graphql.js';
import { spyOnQueries } from '../helpers/query-spy.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * The stage DAG, per-request batching of jobs → stages → tasks, and argument errors, over HTTP on a real server.
 * The DAG log is Spark 4.1's local-1776286786993 (spark4/): 47 stages, 24 of them skipped, stages with two parents.
 */

const dagApp = 'local-1776286786993';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const upload = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('spark4', `${dagApp}.zstd`));
  expect(upload.errors).toBeUndefined();
  expect(upload.data!.uploadEventLog.application.id).toBe(dagApp);
  const report = await ingestPaths(server.temp.database, [
    eventLogPath('apache-spark', 'local-1422981780767'),
    eventLogPath('apache-spark', 'local-1430917381534'),
    eventLogPath('apache-spark', 'app-20161115172038-0000'),
  ]);
  expect(report.failures).toEqual([]);
});
afterAll(async () => server?.close());

describe('Application.dag', () => {
  it('has one node per stage id, skipped stages marked SKIPPED, and an edge from every known parent', async () => {
    const response = await gql(server.graphqlUrl, ApplicationDagDocument, { id: dagApp });
    expect(response.errors).toBeUndefined();
    const { nodes, edges } = response.data!.application!.dag;

    const stages = await gql(server.graphqlUrl, ApplicationStagesDocument, { id: dagApp });
    const allStages = stages.data!.application!.stages;
    const stageIds = [...new Set(allStages.map((stage) => stage.stageId))].sort((a, b) => a - b);
    expect(nodes.map((node) => node.stageId)).toEqual(stageIds);
    expect(nodes.length).toBe(47);

    const skipped = nodes.filter((node) => node.status === 'SKIPPED');
    expect(skipped.length).toBe(24);
    for (const node of skipped) expect(node.durationMs).toBeNull();
    for (const node of nodes.filter((n) => n.status === 'COMPLETE')) expect(Number(node.durationMs)).toBeGreaterThanOrEqual(0);
    expect(nodes.find((node) => node.stageId === 5)).toMatchObject({ status: 'FAILED', numTasks: 2 });

    // Every edge joins two nodes and mirrors the child's parentIds.
    const known = new Set(stageIds);
    for (const edge of edges) expect(known.has(edge.from) && known.has(edge.to), JSON.stringify(edge)).toBe(true);
    const byStage = new Map(allStages.map((stage) => [stage.stageId, stage]));
    const expectedEdges = stageIds.flatMap((to) =>
      [...byStage.get(to)!.parentIds].sort((a, b) => a - b).map((from) => ({ from, to })),
    );
    expect(edges).toEqual(expectedEdges);

    // Job 14 of the log (History Server: stages 29-34): two skipped roots join into 31, then a skipped chain.
    const parentsOf = (to: number) => edges.filter((edge) => edge.to === to).map((edge) => edge.from);
    expect(parentsOf(31)).toEqual([29, 30]);
    expect(parentsOf(34)).toEqual([33]);
    expect([29, 30, 31, 32, 33].map((id) => nodes.find((node) => node.stageId === id)!.status)).toEqual(
      Array(5).fill('SKIPPED'),
    );
    expect(nodes.find((node) => node.stageId === 34)!.status).toBe('COMPLETE');
    expect(parentsOf(14)).toEqual([12, 13]);
  });

  it('has no edges for a Spark 1.2 log, which records no parents', async () => {
    const response = await gql(server.graphqlUrl, ApplicationDagDocument, { id: 'local-1422981780767' });
    expect(response.data!.application!.dag).toMatchObject({ edges: [] });
    expect(response.data!.application!.dag.nodes.map((node) => node.stageId)).toEqual([0, 1, 2, 3]);
  });
});

describe('batching: jobs → stages → tasks per request', () => {
  /** Runs an operation and returns its data with the DuckDB queries it made. */
  async function withQueries<T>(run: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
    const queries = spyOnQueries(server.temp.database);
    try {
      const result = await run();
      return { result, sql: queries.sql() };
    } finally {
      queries.restore();
    }
  }

  const batched = (sql: string[]) => ({
    total: sql.length,
    stages: sql.filter((text) => text.includes('JOIN v_stages')).length,
    tasks: sql.filter((text) => text.includes('JOIN v_tasks')).length,
    jobs: sql.filter((text) => text.includes('JOIN v_jobs')).length,
  });

  it('makes as many queries for 47 stages as for 4', async () => {
    // Stage records are kept in memory once read: read both applications once so both answer from there.
    for (const id of ['local-1422981780767', dagApp]) {
      await gql(server.graphqlUrl, OneApplicationStagesWithTasksDocument, { id, taskPage: 3 });
    }
    const small = await withQueries(() =>
      gql(server.graphqlUrl, OneApplicationStagesWithTasksDocument, { id: 'local-1422981780767', taskPage: 3 }),
    );
    const large = await withQueries(() =>
      gql(server.graphqlUrl, OneApplicationStagesWithTasksDocument, { id: dagApp, taskPage: 3 }),
    );
    expect(small.result.errors).toBeUndefined();
    expect(large.result.errors).toBeUndefined();
    expect(small.result.data!.application!.stages.length).toBe(4);
    expect(large.result.data!.application!.stages.length).toBe(47);
    // The stages of jobs (1); a task page (1, its count is the stage's). The application's key and number (kept since
    // the last write), its row, its jobs, its stages and each stage's attempts (found among its stages) come from memory.
    expect(batched(small.sql)).toEqual({ total: 2, stages: 1, tasks: 1, jobs: 0 });
    expect(batched(large.sql)).toEqual(batched(small.sql));
  });

  it('batches across applications too, and gives each stage its own tasks in order', async () => {
    const { result, sql } = await withQueries(() =>
      gql(server.graphqlUrl, ApplicationStagesWithTasksDocument, { first: 10, taskPage: 3 }),
    );
    expect(result.errors).toBeUndefined();
    const applications = result.data!.applications.nodes;
    expect(applications.length).toBe(4);
    // The stages of the applications not kept yet, and the stages of jobs: each stage's attempts are found among the
    // stages just read.
    expect(batched(sql)).toMatchObject({ stages: 2, tasks: 1, jobs: 1 });

    for (const application of applications) {
      const alone = await gql(server.graphqlUrl, OneApplicationStagesWithTasksDocument, { id: application.id, taskPage: 3 });
      const { id: _id, ...fields } = application;
      expect(fields, application.id).toEqual({
        stages: alone.data!.application!.stages,
        jobs: alone.data!.application!.jobs,
      });
    }
    const stage = applications.find((app) => app.id === 'local-1430917381534')!.stages.find((s) => s.stageId === 0)!;
    expect(stage.tasks).toEqual({
      totalCount: 100,
      nodes: [
        { taskId: '0', status: 'SUCCESS' },
        { taskId: '1', status: 'SUCCESS' },
        { taskId: '2', status: 'SUCCESS' },
      ],
    });
  });

  it('keeps different arguments apart in one request', async () => {
    const { result } = await withQueries(() =>
      gql(server.graphqlUrl, ApplicationJobsDocument, { id: 'local-1422981780767', status: ['FAILED'] }),
    );
    expect(result.data!.application!.jobs.map((job) => [job.jobId, job.status])).toEqual([[1, 'FAILED']]);
  });
});

describe('argument errors', () => {
  const summary = (quantiles: number[]) =>
    gql(server.graphqlUrl, StageTaskSummaryDocument, { id: 'local-1430917381534', stageId: 0, quantiles });

  it.each([[[1.5]], [[-0.01, 0.5]], [[]]])('refuses quantiles %j with BAD_USER_INPUT', async (quantiles) => {
    const response = await summary(quantiles);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(/quantiles/);
    expect(response.data!.application!.stage!.taskSummary).toBeNull();
  });

  it('accepts the bounds 0 and 1', async () => {
    const response = await summary([1, 0]);
    expect(response.errors).toBeUndefined();
    const { quantiles, executorRunTime } = response.data!.application!.stage!.taskSummary!;
    expect(quantiles).toEqual([0, 1]);
    expect(executorRunTime[0]).toBeLessThanOrEqual(executorRunTime[1]!);
  });

  it('answers a null summary for a stage without successful tasks (a skipped one)', async () => {
    const response = await gql(server.graphqlUrl, StageTaskSummaryDocument, { id: dagApp, stageId: 2 });
    expect(response.errors).toBeUndefined();
    expect(response.data!.application!.stage).toMatchObject({ stageId: 2, taskSummary: null });
  });

  const tasks = { id: 'local-1430917381534', stageId: 0 };

  it.each([
    ['a page of 0', { ...tasks, first: 0 }, /first must not be less than 1/],
    ['a page over 1000', { ...tasks, first: 1001 }, /first must not be greater than 1000/],
    ['a foreign cursor', { ...tasks, after: 'bm90LWEtY3Vyc29y' }, /not a cursor/],
    ['a negative stage id', { ...tasks, stageId: -1 }, /stageId must not be less than 0/],
    ['a negative attempt', { ...tasks, attemptId: -1 }, /attemptId must not be less than 0/],
  ])('refuses %s with BAD_USER_INPUT', async (_name, variables, message) => {
    const response = await gql(server.graphqlUrl, StageTasksDocument, variables);
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.errors![0]!.message).toMatch(message);
  });

  it('refuses a sort that is not one of the enum values (History Server\'s "-runtime" is MINUS_RUNTIME)', async () => {
    const response = await gql(server.graphqlUrl, StageTasksDocument, {
      ...tasks,
      sortBy: '-runtime' as unknown as 'MINUS_RUNTIME',
    });
    expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(response.data ?? null).toBeNull();
  });
});
