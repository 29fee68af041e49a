import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlPlansDocument, UploadEventLogDocument } from '../generated/graphql.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';

describe('SQL plan graph', () => {
  let server: TestServer;
  let appId: string;
  beforeAll(async () => {
    server = await startTestServer();
    const uploaded = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('formats', 'aqeshuffle_eventlog.zstd'));
    appId = uploaded.data!.uploadEventLog.application.id;
  });
  afterAll(async () => server.close());

  it("turns the final adaptive plan into Spark's plan graph (SparkPlanGraph node ids) with SQL metric values", async () => {
    const app = (await gql(server.graphqlUrl, SqlPlansDocument, { id: appId })).data!.application!;
    const first = app.sqlExecutions.find((execution) => execution.id === 0)!;
    const plan = first.plan!;
    // Three AdaptiveExecutionUpdate events follow the initial plan; the last one is shown.
    expect(plan.versions).toBe(4);
    expect(plan.nodes[0]!.name).toBe('AdaptiveSparkPlan');
    // Spark's SparkPlanGraph: ids dense from 0 in id order, no InputAdapter, edges between real operators
    // (a WholeStageCodegen cluster has none; its operators name it as their cluster).
    expect(plan.nodes.map((node) => node.id)).toEqual(plan.nodes.map((_, i) => i));
    expect(plan.nodes.some((node) => node.name === 'InputAdapter')).toBe(false);
    const byId = new Map(plan.nodes.map((node) => [node.id, node]));
    expect(plan.edges.every((edge) => byId.has(edge.from) && byId.has(edge.to) && edge.to < edge.from)).toBe(true);
    const clusters = plan.nodes.filter((node) => node.name.startsWith('WholeStageCodegen'));
    expect(clusters.length).toBeGreaterThan(0);
    expect(plan.edges.some((edge) => clusters.some((c) => c.id === edge.from || c.id === edge.to))).toBe(false);
    for (const node of plan.nodes.filter((n) => n.clusterId !== null)) {
      expect(byId.get(node.clusterId!)!.name).toMatch(/^WholeStageCodegen/);
    }
    const metric = (nodeName: string, metricName: string) =>
      plan.nodes.filter((node) => node.name === nodeName).map((node) => node.metrics.find((m) => m.name === metricName)?.value);
    expect(metric('SortMergeJoin', 'number of output rows')).toEqual(['10000000']);
    expect(plan.nodes.some((node) => node.name === 'AQEShuffleRead')).toBe(true);
  });

  it("agrees with the task metrics: each map-side Exchange wrote what its stage's tasks wrote", async () => {
    const app = (await gql(server.graphqlUrl, SqlPlansDocument, { id: appId })).data!.application!;
    const first = app.sqlExecutions.find((execution) => execution.id === 0)!;
    const plan = first.plan!;
    const exchangeWrites = plan.nodes
      .filter((node) => node.name === 'Exchange')
      .map((node) => node.metrics.find((m) => m.name === 'shuffle records written')!.value);
    const stageWrites = app.stages
      .filter((stage) => first.stageIds.includes(stage.stageId) && stage.shuffleWriteRecords !== '0')
      .map((stage) => stage.shuffleWriteRecords);
    expect(exchangeWrites.sort()).toEqual(stageWrites.sort());
  });

  it('maps each execution to the jobs and stages it ran', async () => {
    const app = (await gql(server.graphqlUrl, SqlPlansDocument, { id: appId })).data!.application!;
    const first = app.sqlExecutions.find((execution) => execution.id === 0)!;
    expect(first.jobIds.length).toBeGreaterThan(0);
    expect(first.stageIds).toEqual(expect.arrayContaining([0, 1]));
  });
});
