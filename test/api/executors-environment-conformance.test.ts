import { getNamedType, isObjectType, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApiSchema } from '../../src/api/schema.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import {
  ApplicationEnvironmentDocument,
  ApplicationExecutorsDocument,
  ApplicationListPageDocument,
  ApplicationsOverviewDocument,
  type ApplicationListPageQuery,
  type ApplicationStatus,
} from '../generated/graphql.js';
import {
  compareObject,
  compareValue,
  date,
  keyValueMap,
  keyValuePairs,
  long,
  readExpectation,
  shsDateToIso,
  type FieldRule,
  type JsonObject,
} from '../helpers/history-server.js';
import { spyOnQueries } from '../helpers/query-spy.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * Conformance of the GraphQL API with Spark History Server: every apache-spark/ log is ingested into a real
 * server, and executors, environments and the application list are asked for over HTTP and compared, field by
 * field, with the REST answers HistoryServerSuite recorded for the same logs (history-server-expectations/).
 * Every field the GraphQL type carries is compared; every History Server field we do not carry is listed with
 * why. A failure lists every differing field at once.
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
function fieldsOf(typeName: string): string[] {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return Object.keys(type.getFields()).sort();
}

/** The object type a field of `typeName` returns. */
function typeOfField(typeName: string, field: string): string {
  const type = schema.getType(typeName);
  if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
  return getNamedType(type.getFields()[field]!.type).name;
}

describe('Application.executors against History Server /executors', () => {
  const notCarried: Record<string, string> = {
    rddBlocks: 'cached RDD blocks come from SparkListenerBlockUpdated events, not stored yet',
    memoryUsed: 'storage memory in use comes from block updates, not stored yet',
    diskUsed: 'disk in use comes from block updates, not stored yet',
    peakMemoryMetrics: 'peak executor metrics are a later issue (task ends and stage_executor_metrics hold the data)',
  };
  const memoryInUse = ['usedOnHeapStorageMemory', 'usedOffHeapStorageMemory']; // from block updates, not stored yet

  const rules: Record<string, FieldRule> = {
    totalDuration: long,
    totalGCTime: long,
    totalInputBytes: long,
    totalShuffleRead: long,
    totalShuffleWrite: long,
    maxMemory: long,
    addTime: date,
    removeTime: date,
    executorLogs: keyValueMap,
    attributes: keyValueMap,
    resources: {
      actual: (value) =>
        Object.fromEntries((value as Array<{ name: string; addresses: string[] }>).map((r) => [r.name, r])),
    },
    memoryMetrics: {
      expected: (value) =>
        Object.fromEntries(
          Object.entries(value as JsonObject)
            .filter(([key]) => !memoryInUse.includes(key))
            .map(([key, bytes]) => [key, String(bytes as number)]),
        ),
    },
  };
  // Spark 3.1 renamed blacklisting to exclusion and History Server still writes both names.
  const aliases = { isBlacklisted: 'isExcluded', blacklistedInStages: 'excludedInStages' };

  const cases = [
    { name: 'executor_list_json', appId: 'local-1422981780767' },
    { name: 'executor_list_with_executor_metrics_json', appId: 'application_1553914137147_0018' },
    { name: 'executor_node_excludeOnFailure', appId: 'app-20161116163331-0000' },
    { name: 'executor_node_excludeOnFailure_unexcluding', appId: 'app-20161115172038-0000' },
    { name: 'executor_memory_usage', appId: 'app-20161116163331-0000' },
    { name: 'executor_resource_information', appId: 'application_1555004656427_0144' },
  ];

  it.each(cases)('$name', async ({ name, appId }) => {
    // /executors lists the executors still active; activeOnly asks for the same.
    const response = await gql(server.graphqlUrl, ApplicationExecutorsDocument, { id: appId, activeOnly: true });
    expect(response.errors).toBeUndefined();
    const executors = response.data!.application!.executors as unknown as JsonObject[];
    expect(executors.length).toBeGreaterThan(0);
    expect(Object.keys(executors[0]!).sort(), 'the operation asks for every Executor field').toEqual(fieldsOf('Executor'));
    for (const { memoryMetrics } of executors) {
      if (memoryMetrics) expect(Object.keys(memoryMetrics).sort()).toEqual(fieldsOf('ExecutorMemoryMetrics'));
    }

    const expected = readExpectation(name) as JsonObject[];
    const mismatches: string[] = [];
    const byId = new Map(executors.map((executor) => [executor.id as string, executor]));
    for (const want of expected) {
      const got = byId.get(want.id as string);
      if (!got) mismatches.push(`executor[${String(want.id)}]: missing from the API`);
      else compareObject(`executor[${String(want.id)}]`, want, got, rules, notCarried, mismatches, aliases);
      byId.delete(want.id as string);
    }
    for (const extra of byId.keys()) mismatches.push(`executor[${extra}]: in the API but not in History Server`);
    expect(mismatches).toEqual([]);
  });

  it('lists removed executors too unless activeOnly (History Server /allexecutors), driver first then by id', async () => {
    const appId = 'application_1628109047826_1317105'; // dynamic allocation removed 6 of its 10 executors
    const all = await gql(server.graphqlUrl, ApplicationExecutorsDocument, { id: appId });
    const active = await gql(server.graphqlUrl, ApplicationExecutorsDocument, { id: appId, activeOnly: true });
    const allExecutors = all.data!.application!.executors;
    const activeIds = active.data!.application!.executors.map((e) => e.id);
    expect(allExecutors.filter((e) => e.isActive).map((e) => e.id)).toEqual(activeIds);
    const removed = allExecutors.filter((e) => !e.isActive);
    expect(removed.length).toBeGreaterThan(0);
    for (const executor of removed) {
      expect(executor.removeTime).not.toBeNull();
      expect(executor.removeReason).not.toBeNull();
    }
    const ids = allExecutors.map((e) => e.id);
    expect(ids).toEqual(['driver', ...ids.slice(1).sort((a, b) => Number(a) - Number(b))]);
  });
});

describe('Application.environment against History Server /environment', () => {
  const listSections = ['sparkProperties', 'hadoopProperties', 'systemProperties', 'metricsProperties', 'classpathEntries'];
  const byResourceName = (value: unknown): JsonObject =>
    Object.fromEntries((value as JsonObject[]).map((request) => [request.resourceName, request]));
  const rules: Record<string, FieldRule> = {
    ...Object.fromEntries(listSections.map((section) => [section, keyValuePairs])),
    resourceProfiles: {
      // History Server keys requests by resource name; a Long amount is a string on the wire.
      expected: (value) =>
        (value as JsonObject[]).map((profile) => ({
          ...profile,
          executorResources: Object.fromEntries(
            Object.entries(profile.executorResources as Record<string, JsonObject>).map(([key, request]) => [
              key,
              { ...request, amount: String(request.amount as number) },
            ]),
          ),
        })),
      actual: (value) =>
        (value as JsonObject[]).map((profile) => ({
          ...profile,
          executorResources: byResourceName(profile.executorResources),
          taskResources: byResourceName(profile.taskResources),
        })),
    },
  };

  const cases = [
    { name: 'app_environment', appId: 'app-20161116163331-0000' },
    { name: 'multiple_resource_profiles', appId: 'application_1578436911597_0052' },
  ];

  it.each(cases)('$name', async ({ name, appId }) => {
    const response = await gql(server.graphqlUrl, ApplicationEnvironmentDocument, { id: appId });
    expect(response.errors).toBeUndefined();
    const environment = response.data!.application!.environment as unknown as JsonObject;
    expect(Object.keys(environment).sort(), 'the operation asks for every field').toEqual(
      fieldsOf('ApplicationEnvironment'),
    );
    expect(Object.keys(environment.runtime as JsonObject).sort()).toEqual(fieldsOf('RuntimeInfo'));
    const expected = readExpectation(name) as JsonObject;
    const mismatches: string[] = [];
    compareObject('environment', expected, environment, rules, {}, mismatches);
    expect(mismatches).toEqual([]);
  });

  it('asks for every resource profile field', async () => {
    const response = await gql(server.graphqlUrl, ApplicationEnvironmentDocument, { id: 'application_1578436911597_0052' });
    const profile = response.data!.application!.environment!.resourceProfiles[0]!;
    expect(Object.keys(profile).sort()).toEqual(fieldsOf('ResourceProfile'));
    expect(Object.keys(profile.executorResources[0]!).sort()).toEqual(
      fieldsOf(typeOfField('ResourceProfile', 'executorResources')),
    );
    expect(Object.keys(profile.taskResources[0]!).sort()).toEqual(fieldsOf(typeOfField('ResourceProfile', 'taskResources')));
  });
});

describe('Query.applications against History Server /applications', () => {
  type Node = ApplicationListPageQuery['applications']['nodes'][number];

  /**
   * History Server lists applications with their attempts nested, newest first; the API lists attempts, newest
   * first. Flattening History Server's list must give the API's list in the same order.
   */
  function expectedAttempts(name: string): Node[] {
    return (readExpectation(name) as JsonObject[]).flatMap((app) =>
      (app.attempts as JsonObject[]).map((attempt): Node => {
        const attemptId = (attempt.attemptId as string | undefined) ?? null;
        expect(shsDateToIso(attempt.startTime as string)).toBe(new Date(attempt.startTimeEpoch as number).toISOString());
        return {
          id: attemptId === null ? (app.id as string) : `${String(app.id)}/${attemptId}`,
          appId: app.id as string,
          attemptId,
          name: app.name as string,
          sparkUser: attempt.sparkUser as string,
          startTime: shsDateToIso(attempt.startTime as string),
          endTime: attempt.endTime ? shsDateToIso(attempt.endTime as string) : null,
          duration: String(attempt.duration as number),
          completed: attempt.completed as boolean,
          // History Server says "" when the log has no SparkListenerLogStart (Spark 1.2-1.3); the API says null.
          sparkVersion: (attempt.appSparkVersion as string) || null,
        };
      }),
    );
  }

  /** Walks every page of `size` and checks each page's pageInfo, edges and totalCount on the way. */
  async function allPages(size: number, status?: ApplicationStatus): Promise<Node[]> {
    const nodes: Node[] = [];
    let after: string | null = null;
    let totalCount = -1;
    for (let page = 0; page < 100; page++) {
      const response: Awaited<ReturnType<typeof gql<ApplicationListPageQuery, unknown>>> = await gql(
        server.graphqlUrl,
        ApplicationListPageDocument,
        { first: size, after, status },
      );
      expect(response.errors).toBeUndefined();
      const { applications } = response.data!;
      if (page === 0) totalCount = applications.totalCount;
      expect(applications.totalCount, 'totalCount is the same on every page').toBe(totalCount);
      expect(applications.pageInfo.hasPreviousPage).toBe(page > 0);
      expect(applications.edges.length).toBe(applications.nodes.length);
      expect(applications.pageInfo.startCursor).toBe(applications.edges[0]?.cursor ?? null);
      expect(applications.pageInfo.endCursor).toBe(applications.edges.at(-1)?.cursor ?? null);
      nodes.push(...applications.nodes);
      const { hasNextPage, endCursor } = applications.pageInfo;
      expect(hasNextPage).toBe(nodes.length < totalCount);
      expect(applications.nodes.length).toBe(hasNextPage ? size : totalCount - page * size);
      if (!hasNextPage) break;
      after = endCursor;
    }
    expect(nodes.length).toBe(totalCount);
    return nodes;
  }

  const cases: Array<{ name: string; status?: ApplicationStatus }> = [
    { name: 'application_list_json' },
    { name: 'completed_app_list_json', status: 'COMPLETED' },
    { name: 'running_app_list_json', status: 'RUNNING' },
  ];

  it.each(cases)('$name, in pages of 5', async ({ name, status }) => {
    const expected = expectedAttempts(name);
    const nodes = await allPages(5, status);
    const mismatches: string[] = [];
    compareValue('applications', expected, nodes, mismatches);
    expect(mismatches).toEqual([]);
  });

  it('limit_app_list_json: the first page of 3 is History Server\'s list limited to 3', async () => {
    const response = await gql(server.graphqlUrl, ApplicationListPageDocument, { first: 3 });
    expect(response.data!.applications.nodes.map((node) => node.id)).toEqual(
      (readExpectation('limit_app_list_json') as JsonObject[]).map((app) => app.id),
    );
    expect(response.data!.applications.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
  });

  it('a page past the end is empty and says there is nothing after it', async () => {
    const first = await gql(server.graphqlUrl, ApplicationListPageDocument, { first: 100 });
    const { endCursor } = first.data!.applications.pageInfo;
    const past = await gql(server.graphqlUrl, ApplicationListPageDocument, { first: 5, after: endCursor });
    expect(past.data!.applications).toMatchObject({
      nodes: [],
      totalCount: first.data!.applications.totalCount,
      pageInfo: { hasNextPage: false, hasPreviousPage: true, startCursor: null, endCursor: null },
    });
  });
});

describe('batching: one request for many applications', () => {
  it('reads executors, environments and SQL executions of a whole page with one query each', async () => {
    const queries = spyOnQueries(server.temp.database);
    try {
      const response = await gql(server.graphqlUrl, ApplicationsOverviewDocument, { first: 20 });
      expect(response.errors).toBeUndefined();
      const nodes = response.data!.applications.nodes;
      expect(nodes.length).toBe(18);

      const sqlTexts = queries.sql();
      expect(sqlTexts.filter((sql) => sql.includes('FROM v_executors')).length).toBe(1);
      expect(sqlTexts.filter((sql) => sql.includes('FROM environment')).length).toBe(1);
      expect(sqlTexts.filter((sql) => sql.includes('FROM sql_executions')).length).toBe(1);

      // Each application got its own rows, in key order.
      for (const node of nodes) {
        const alone = await gql(server.graphqlUrl, ApplicationExecutorsDocument, { id: node.id });
        expect(node.executors.map((e) => e.id), node.id).toEqual(alone.data!.application!.executors.map((e) => e.id));
        expect(node.activeExecutors.map((e) => e.id)).toEqual(node.executors.filter((e) => e.isActive).map((e) => e.id));
      }
      const byId = new Map(nodes.map((node) => [node.id, node]));
      expect(byId.get('app-20161116163331-0000')!.environment!.runtime.javaVersion).toBe('1.8.0_92 (Oracle Corporation)');
      expect(byId.get('application_1578436911597_0052')!.environment!.runtime.javaVersion).toBe('1.8.0_232 (Private Build)');
      expect(byId.get('app-20200706201101-0003')!.sqlExecutions).toEqual([{ id: 0, jobIds: [0, 1, 2] }]);
      expect(byId.get('local-1422981780767')!.sqlExecutions).toEqual([]);
    } finally {
      queries.restore();
    }
  });
});
