import { isObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../src/api/schema.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import {
  ApplicationJobDocument,
  ApplicationJobsDocument,
  ApplicationStageDocument,
  ApplicationStagesDocument,
  StageTasksDocument,
  StageTaskSummaryDocument,
  type JobStatus,
  type StageStatus,
  type StageTasksQuery,
  type StageTasksQueryVariables,
  type TaskSort,
  type TaskStatus,
} from '../generated/graphql.js';
import {
  compareObject,
  compareValue,
  date,
  isObject,
  long,
  readExpectation,
  type FieldRule,
  type JsonObject,
} from '../helpers/history-server.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * Conformance of jobs, stages, tasks and task summaries with Spark History Server: every apache-spark/ log is
 * ingested into a real server, and the API is asked over HTTP for what HistoryServerSuite asked History Server
 * (history-server-expectations/, MAPPING.txt), then compared field by field, in History Server's order. Every
 * field the GraphQL type carries is compared; History Server fields the API does not carry are listed with why;
 * fields only the API has are checked against the History Server fields they derive from.
 */

let server: TestServer;
let schema: GraphQLSchema;

beforeAll(async () => {
  server = await startTestServer();
  const report = await ingestPaths(server.temp.database, [eventLogPath('apache-spark')]);
  expect(report.failures).toEqual([]);
  schema = await buildApiSchema();
});
afterAll(async () => server?.close());

/** Field names of a GraphQL object type, to check an operation asks for all of them. */
function fieldsOf(typeName: string, resolvedApart: readonly string[] = []): string[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return Object.keys(type.getFields())
    .filter((field) => !resolvedApart.includes(field))
    .sort();
}

/** Every number in a History Server value as the decimal string a Long is on the wire. */
function longs(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(longs);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, longs(item)]));
  return value;
}

/** History Server's killedTasksSummary map; the API's list of {reason count}. */
const killedTasks: FieldRule = {
  actual: (value) => Object.fromEntries((value as Array<{ reason: string; count: number }>).map((e) => [e.reason, e.count])),
};

/** Accumulator ids are Longs on the wire. */
const accumulators: FieldRule = {
  expected: (value) => (value as JsonObject[]).map((accumulator) => ({ ...accumulator, id: String(accumulator.id as number) })),
};

/** Milliseconds between two ISO times, as the Long string `duration` fields carry; null when either is null. */
function millisBetween(from: unknown, to: unknown): string | null {
  if (typeof from !== 'string' || typeof to !== 'string') return null;
  return String(Date.parse(to) - Date.parse(from));
}

/** Compares two lists in order, after checking they hold the same keys in the same order. */
function compareList(
  kind: string,
  expected: JsonObject[],
  actual: JsonObject[],
  key: (row: JsonObject) => string,
  compare: (label: string, want: JsonObject, got: JsonObject, mismatches: string[]) => void,
): string[] {
  expect(actual.map(key), `${kind}: the same ${kind}s in History Server's order`).toEqual(expected.map(key));
  const mismatches: string[] = [];
  expected.forEach((want, i) => compare(`${kind}[${key(want)}]`, want, actual[i]!, mismatches));
  return mismatches;
}

describe('Application.jobs / job against History Server /jobs', () => {
  const rules: Record<string, FieldRule> = {
    submissionTime: date,
    completionTime: date,
    killedTasksSummary: killedTasks,
  };

  function compareJob(label: string, want: JsonObject, got: JsonObject, mismatches: string[]): void {
    const { duration, ...shsFields } = got;
    compareValue(`${label}.duration`, millisBetween(got.submissionTime, got.completionTime), duration, mismatches);
    compareObject(label, want, shsFields, rules, {}, mismatches);
  }

  const cases: Array<{ name: string; id: string; status?: JobStatus[] }> = [
    { name: 'job_list_json', id: 'local-1422981780767' },
    { name: 'succeeded_job_list_json', id: 'local-1422981780767', status: ['SUCCEEDED'] },
    { name: 'succeeded_failed_job_list_json', id: 'local-1422981780767', status: ['SUCCEEDED', 'FAILED'] },
    { name: 'job_list_from_multi_attempt_app_json_1_', id: 'local-1426533911241/1' },
    { name: 'job_list_from_multi_attempt_app_json_2_', id: 'local-1426533911241/2' },
  ];

  it.each(cases)('$name', async ({ name, id, status }) => {
    const response = await gql(server.graphqlUrl, ApplicationJobsDocument, { id, status });
    expect(response.errors).toBeUndefined();
    const jobs = response.data!.application!.jobs as unknown as JsonObject[];
    expect(jobs.length).toBeGreaterThan(0);
    expect(Object.keys(jobs[0]!).sort(), 'the operation asks for every Job field').toEqual(fieldsOf('Job', ['stages']));
    const mismatches = compareList('job', readExpectation(name) as JsonObject[], jobs, (job) => String(job.jobId), compareJob);
    expect(mismatches).toEqual([]);
  });

  it('one_job_json: one job by id, with the stages it planned', async () => {
    const response = await gql(server.graphqlUrl, ApplicationJobDocument, { id: 'local-1422981780767', jobId: 0 });
    expect(response.errors).toBeUndefined();
    const { stages, ...job } = response.data!.application!.job!;
    const mismatches: string[] = [];
    compareJob('job[0]', readExpectation('one_job_json') as JsonObject, job as unknown as JsonObject, mismatches);
    expect(mismatches).toEqual([]);
    expect(stages.map((stage) => stage.stageId)).toEqual(job.stageIds);
  });

  it('is null for a job the application does not have (History Server: 404)', async () => {
    const response = await gql(server.graphqlUrl, ApplicationJobDocument, { id: 'local-1422981780767', jobId: 12345 });
    expect(response.errors).toBeUndefined();
    expect(response.data!.application!.job).toBeNull();
  });
});

describe('Application.stages / stage against History Server /stages', () => {
  const metricFields = fieldsOfStageMetrics();
  const rules: Record<string, FieldRule> = {
    ...Object.fromEntries(metricFields.map((field) => [field, long])),
    submissionTime: date,
    firstTaskLaunchedTime: date,
    completionTime: date,
    accumulatorUpdates: accumulators,
    killedTasksSummary: killedTasks,
  };
  const notCarried: Record<string, string> = {
    peakExecutorMetrics: 'stage peaks of executor metrics are a later issue (stage_executor_metrics holds the data)',
    executorSummary: 'per-executor stage summaries (ExecutorStageSummary) are a later issue',
    speculationSummary: 'the speculation summary of a stage is a later issue',
    tasks: 'History Server\'s details=true task map: the API pages tasks through Stage.tasks (compared below)',
  };
  /** Fields only the API has, and besides the fields resolved apart (attempts, tasks, taskSummary, insights). */
  const apiOnly = ['duration', 'jobIds', 'parentIds'];

  function compareStage(label: string, want: JsonObject, got: JsonObject, mismatches: string[]): void {
    const shsFields = Object.fromEntries(Object.entries(got).filter(([field]) => !apiOnly.includes(field)));
    compareValue(`${label}.duration`, millisBetween(got.submissionTime, got.completionTime), got.duration, mismatches);
    compareObject(label, want, shsFields, rules, notCarried, mismatches);
  }

  const stageKey = (stage: JsonObject): string => `${String(stage.stageId)}.${String(stage.attemptId)}`;

  const listCases: Array<{ name: string; id: string; status?: StageStatus[] }> = [
    { name: 'stage_list_json', id: 'local-1422981780767' },
    { name: 'complete_stage_list_json', id: 'local-1422981780767', status: ['COMPLETE'] },
    { name: 'failed_stage_list_json', id: 'local-1422981780767', status: ['FAILED'] },
    { name: 'stage_list_with_accumulable_json', id: 'local-1426533911241/1' },
    { name: 'stage_list_with_peak_metrics', id: 'app-20200706201101-0003' },
  ];

  it.each(listCases)('$name', async ({ name, id, status }) => {
    const response = await gql(server.graphqlUrl, ApplicationStagesDocument, { id, status });
    expect(response.errors).toBeUndefined();
    const stages = response.data!.application!.stages as unknown as JsonObject[];
    expect(Object.keys(stages[0]!).sort(), 'the operation asks for every Stage field').toEqual(
      fieldsOf('Stage', ['attempts', 'tasks', 'taskSummary', 'insights']),
    );
    const mismatches = compareList('stage', readExpectation(name) as JsonObject[], stages, stageKey, compareStage);
    expect(mismatches).toEqual([]);
  });

  const oneCases: Array<{ name: string; id: string; stageId: number; attemptId?: number }> = [
    { name: 'one_stage_attempt_json', id: 'local-1422981780767', stageId: 1, attemptId: 0 },
    { name: 'stage_with_accumulable_json', id: 'local-1426533911241/1', stageId: 0, attemptId: 0 },
    { name: 'excludeOnFailure_for_stage', id: 'app-20180109111548-0000', stageId: 0, attemptId: 0 },
    { name: 'excludeOnFailure_node_for_stage', id: 'application_1516285256255_0012', stageId: 0, attemptId: 0 },
    { name: 'stage_with_speculation_summary', id: 'application_1628109047826_1317105', stageId: 0, attemptId: 0 },
    { name: 'stage_with_peak_metrics', id: 'app-20200706201101-0003', stageId: 2, attemptId: 0 },
  ];

  it.each(oneCases)('$name', async ({ name, id, stageId, attemptId }) => {
    const response = await gql(server.graphqlUrl, ApplicationStageDocument, { id, stageId, attemptId });
    expect(response.errors).toBeUndefined();
    const { attempts, ...stage } = response.data!.application!.stage!;
    const mismatches: string[] = [];
    compareStage(`stage[${stageId}.${String(attemptId)}]`, readExpectation(name) as JsonObject, stage, mismatches);
    expect(mismatches).toEqual([]);
    expect(attempts.map((attempt) => attempt.attemptId)).toContain(attemptId);
  });

  it.each([
    { name: 'one_stage_json', id: 'local-1422981780767', stageId: 1 },
    { name: 'one_stage_json_with_partitionId', id: 'local-1642039451826', stageId: 2 },
  ])('$name: every attempt of a stage id, latest when no attempt is given', async ({ name, id, stageId }) => {
    const response = await gql(server.graphqlUrl, ApplicationStageDocument, { id, stageId });
    expect(response.errors).toBeUndefined();
    const { attempts, ...latest } = response.data!.application!.stage!;
    const mismatches = compareList(
      'stage',
      readExpectation(name) as JsonObject[],
      attempts as unknown as JsonObject[],
      stageKey,
      compareStage,
    );
    expect(mismatches).toEqual([]);
    expect(latest).toEqual(attempts.at(-1));
  });

  it('is null for a stage or attempt the application does not have (History Server: 404)', async () => {
    for (const variables of [
      { id: 'local-1422981780767', stageId: 12345 },
      { id: 'local-1422981780767', stageId: 1, attemptId: 1 },
    ]) {
      const response = await gql(server.graphqlUrl, ApplicationStageDocument, variables);
      expect(response.errors).toBeUndefined();
      expect(response.data!.application!.stage).toBeNull();
    }
  });
});

/** The Long metric totals of Stage: every Long field that is not a time or a duration. */
function fieldsOfStageMetrics(): string[] {
  return [
    'executorDeserializeTime', 'executorDeserializeCpuTime', 'executorRunTime', 'executorCpuTime', 'resultSize',
    'jvmGcTime', 'resultSerializationTime', 'memoryBytesSpilled', 'diskBytesSpilled', 'peakExecutionMemory',
    'inputBytes', 'inputRecords', 'outputBytes', 'outputRecords', 'shuffleRemoteBlocksFetched',
    'shuffleLocalBlocksFetched', 'shuffleFetchWaitTime', 'shuffleRemoteBytesRead', 'shuffleRemoteBytesReadToDisk',
    'shuffleLocalBytesRead', 'shuffleReadBytes', 'shuffleReadRecords', 'shuffleRemoteReqsDuration',
    'shuffleCorruptMergedBlockChunks', 'shuffleMergedFetchFallbackCount', 'shuffleMergedRemoteBlocksFetched',
    'shuffleMergedLocalBlocksFetched', 'shuffleMergedRemoteChunksFetched', 'shuffleMergedLocalChunksFetched',
    'shuffleMergedRemoteBytesRead', 'shuffleMergedLocalBytesRead', 'shuffleMergedRemoteReqsDuration',
    'shuffleWriteBytes', 'shuffleWriteTime', 'shuffleWriteRecords',
  ];
}

describe('Stage.tasks against History Server /stages/{id}/{attempt}/taskList', () => {
  type TaskPage = NonNullable<NonNullable<StageTasksQuery['application']>['stage']>['tasks'];

  const rules: Record<string, FieldRule> = {
    taskId: long,
    launchTime: date,
    duration: long,
    schedulerDelay: long,
    gettingResultTime: long,
    accumulatorUpdates: accumulators,
    taskMetrics: { expected: longs },
  };
  const notCarried = { executorLogs: 'log links belong to the executor (Application.executors, by executorId)' };

  function compareTask(label: string, want: JsonObject, got: JsonObject, mismatches: string[]): void {
    compareObject(label, want, got, rules, notCarried, mismatches);
  }

  async function page(variables: StageTasksQueryVariables): Promise<TaskPage> {
    const response = await gql(server.graphqlUrl, StageTasksDocument, variables);
    expect(response.errors).toBeUndefined();
    return response.data!.application!.stage!.tasks;
  }

  /** History Server's offset/length as cursor paging: a page of `offset` tasks, then `length` after its end. */
  async function window(
    variables: StageTasksQueryVariables,
    offset: number,
    length: number,
  ): Promise<{ skipped: TaskPage; tasks: TaskPage }> {
    const skipped = await page({ ...variables, first: offset });
    expect(skipped.pageInfo.hasNextPage).toBe(true);
    const tasks = await page({ ...variables, first: length, after: skipped.pageInfo.endCursor });
    return { skipped, tasks };
  }

  interface TaskListCase {
    name: string;
    id: string;
    stageId: number;
    status?: TaskStatus;
    sortBy?: TaskSort;
    offset?: number;
    length?: number;
  }
  // History Server's default page is 20 tasks.
  const cases: TaskListCase[] = [
    { name: 'stage_task_list', id: 'local-1430917381534', stageId: 0 },
    { name: 'stage_task_list_w__offset___length', id: 'local-1430917381534', stageId: 0, offset: 10, length: 50 },
    { name: 'stage_task_list_w__sortBy', id: 'local-1430917381534', stageId: 0, sortBy: 'DECREASING_RUNTIME' },
    { name: 'stage_task_list_w__sortBy_short_names___runtime', id: 'local-1430917381534', stageId: 0, sortBy: 'MINUS_RUNTIME' },
    { name: 'stage_task_list_w__sortBy_short_names__runtime', id: 'local-1430917381534', stageId: 0, sortBy: 'RUNTIME' },
    { name: 'stage_task_list_w__status', id: 'app-20161115172038-0000', stageId: 0, status: 'FAILED' },
    {
      name: 'stage_task_list_w__status___offset___length',
      id: 'local-1430917381534',
      stageId: 0,
      status: 'SUCCESS',
      offset: 1,
      length: 2,
    },
    {
      name: 'stage_task_list_w__status___sortBy_short_names__runtime',
      id: 'local-1430917381534',
      stageId: 0,
      status: 'SUCCESS',
      sortBy: 'RUNTIME',
    },
    { name: 'stage_task_list_with_partitionId', id: 'local-1642039451826', stageId: 0 },
    { name: 'stage_task_list_from_multi_attempt_app_json_1_', id: 'local-1426533911241/1', stageId: 0 },
    { name: 'stage_task_list_from_multi_attempt_app_json_2_', id: 'local-1426533911241/2', stageId: 0 },
  ];

  it.each(cases)('$name', async ({ name, id, stageId, status, sortBy, offset, length }) => {
    const variables: StageTasksQueryVariables = { id, stageId, attemptId: 0, status, sortBy };
    const tasks =
      offset === undefined ? await page({ ...variables, first: 20 }) : (await window(variables, offset, length!)).tasks;
    const expected = readExpectation(name) as JsonObject[];
    const nodes = tasks.nodes as unknown as JsonObject[];
    expect(Object.keys(nodes[0]!).sort(), 'the operation asks for every Task field').toEqual(fieldsOf('Task'));
    const mismatches = compareList('task', expected, nodes, (task) => String(task.taskId), compareTask);
    expect(mismatches).toEqual([]);
    expect(tasks.edges.map((edge) => edge.node.taskId)).toEqual(tasks.nodes.map((task) => task.taskId));
  });

  it('pages through a whole stage: cursors continue where the last page ended, totalCount counts them all', async () => {
    const variables = { id: 'local-1430917381534', stageId: 0, attemptId: 0, sortBy: 'DECREASING_RUNTIME' as const };
    const all = await page({ ...variables, first: 1000 });
    expect(all.totalCount).toBe(100);
    expect(all.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 20; i++) {
      const next: TaskPage = await page({ ...variables, first: 30, after });
      expect(next.totalCount).toBe(100);
      expect(next.pageInfo.hasPreviousPage).toBe(i > 0);
      walked.push(...next.nodes.map((task) => task.taskId));
      if (!next.pageInfo.hasNextPage) break;
      after = next.pageInfo.endCursor;
    }
    expect(walked).toEqual(all.nodes.map((task) => task.taskId));
  });

  it("counts every task of each stage attempt of every application, and each status's tasks add up to that", async () => {
    const applications = (await (await fetch(`${server.url}/api/v1/applications`)).json()) as Array<{ id: string }>;
    let counted = 0;
    for (const { id } of applications) {
      const stages = (await gql(server.graphqlUrl, ApplicationStagesDocument, { id })).data?.application?.stages ?? [];
      for (const stage of stages) {
        const all = await page({ id, stageId: stage.stageId, attemptId: stage.attemptId, first: 1000 });
        expect(all.pageInfo.hasNextPage).toBe(false);
        expect(all.totalCount, `${id} stage ${stage.stageId}.${stage.attemptId}`).toBe(all.nodes.length);
        if (stage.numFailedTasks + stage.numKilledTasks + stage.numActiveTasks === 0) continue;
        let byStatus = 0;
        for (const status of ['SUCCESS', 'FAILED', 'KILLED', 'RUNNING'] as const) {
          byStatus += (await page({ id, stageId: stage.stageId, attemptId: stage.attemptId, status, first: 1 })).totalCount;
        }
        expect(byStatus, `${id} stage ${stage.stageId}.${stage.attemptId} by status`).toBe(all.totalCount);
        counted += 1;
      }
    }
    // Stage attempts with failed, killed or running tasks were among them.
    expect(counted).toBeGreaterThan(0);
  }, 120_000);

  it('a running or metric-less task has no taskMetrics; failed ones say why (errorMessage)', async () => {
    const failed = await page({ id: 'app-20161115172038-0000', stageId: 0, status: 'FAILED', first: 100 });
    expect(failed.totalCount).toBe(10);
    for (const task of failed.nodes) expect(task.errorMessage).toMatch(/\S/);
    const succeeded = await page({ id: 'app-20161115172038-0000', stageId: 0, status: 'SUCCESS', first: 100 });
    for (const task of succeeded.nodes) expect(task.errorMessage).toBeNull();
  });
});

describe('Stage.taskSummary against History Server /stages/{id}/{attempt}/taskSummary', () => {
  const cases = [
    { name: 'stage_task_summary_w_shuffle_write', stageId: 0, quantiles: undefined },
    { name: 'stage_task_summary_w_shuffle_read', stageId: 1, quantiles: undefined },
    // History Server was asked for quantiles=0.01,0.5,0.99; any order gives the same answer.
    { name: 'stage_task_summary_w__custom_quantiles', stageId: 0, quantiles: [0.99, 0.01, 0.5] },
  ];

  it.each(cases)('$name', async ({ name, stageId, quantiles }) => {
    const response = await gql(server.graphqlUrl, StageTaskSummaryDocument, {
      id: 'local-1430917381534',
      stageId,
      attemptId: 0,
      quantiles,
    });
    expect(response.errors).toBeUndefined();
    const summary = response.data!.application!.stage!.taskSummary as unknown as JsonObject;
    expect(Object.keys(summary).sort(), 'the operation asks for every field').toEqual(fieldsOf('TaskMetricDistributions'));
    const mismatches: string[] = [];
    compareObject('taskSummary', readExpectation(name) as JsonObject, summary, {}, {}, mismatches);
    expect(mismatches).toEqual([]);
  });
});
