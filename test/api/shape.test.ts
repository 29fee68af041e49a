import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulateShapeDocument, SimulateShapeFromLogDocument, type ShapeInput } from '../generated/graphql.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

describe('Query.simulateShape through GraphQL', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('explains a broadcast join followed by an aggregation, with derivations and assumptions', async () => {
    const input: ShapeInput = {
      source: { kind: 'FILES', totalBytes: 10 * GiB, fileCount: 80, format: 'PARQUET' },
      operations: [
        { op: 'FILTER', selectivity: 0.2 },
        { op: 'JOIN', keys: ['country'], joinType: 'INNER', hint: 'NONE', right: { source: { kind: 'TABLE', totalBytes: 5 * MiB, partitions: 1 }, operations: [] } },
        { op: 'GROUP_BY', keys: ['country'], distinctGroups: 200 },
        { op: 'WRITE' },
      ],
      config: { executors: 4, coresPerExecutor: 2, adaptiveEnabled: true },
    };
    const result = await gql(server.graphqlUrl, SimulateShapeDocument, { input });
    expect(result.errors).toBeUndefined();
    const simulation = result.data!.simulateShape;
    expect(simulation.stages.map((stage) => stage.boundary.op)).toEqual(['scan', 'scan', 'groupBy']);
    expect(simulation.stages[1]!.tasks.value).toBe(80);
    expect(simulation.stages[1]!.tasks.derivation).toContain('maxSplitBytes');
    expect(simulation.joins).toEqual([
      expect.objectContaining({ operationIndex: 1, strategy: 'BROADCAST_HASH', broadcastSide: 'RIGHT', shufflesLeft: false, shufflesRight: false }),
    ]);
    expect(simulation.aqe[0]).toMatchObject({ stageId: 2, kind: 'COALESCE', before: { value: 200 } });
    expect(simulation.filesWritten!.value).toBe(simulation.stages[2]!.tasks.value);
    expect(simulation.assumptions.some((text) => text.startsWith('Spark 3.5 defaults used'))).toBe(true);
  });

  it('serves insights with their evidence', async () => {
    const input: ShapeInput = {
      source: { kind: 'TABLE', totalBytes: 10 * MiB, partitions: 4 },
      operations: [{ op: 'GROUP_BY', keys: ['k'] }],
      config: { adaptiveEnabled: false, executors: 4, coresPerExecutor: 2 },
    };
    const result = await gql(server.graphqlUrl, SimulateShapeDocument, { input });
    expect(result.errors).toBeUndefined();
    const insight = result.data!.simulateShape.insights.find((found) => found.type === 'partition-count');
    expect(insight).toMatchObject({ id: 'partition-count:too-many:stage-1', stageId: 1, confidence: 'MEDIUM' });
    expect(insight!.evidence).toMatchObject({ tasks: 200, taskSlots: 8 });
  });

  it('answers BAD_USER_INPUT naming every problem of an invalid shape', async () => {
    const input: ShapeInput = {
      source: { kind: 'TABLE', totalBytes: -1, partitions: 2 },
      operations: [{ op: 'FILTER', partitions: 3 }, { op: 'JOIN' }, { op: 'REPARTITION', partitions: 0 }],
    };
    const result = await gql(server.graphqlUrl, SimulateShapeDocument, { input });
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const message = result.errors![0]!.message;
    expect(message).toContain('source.totalBytes must be ≥ 0');
    expect(message).toContain('operations[0].partitions does not apply to filter');
    expect(message).toContain('operations[1] (join) needs a right side');
    expect(message).toContain('operations[2].partitions must be a positive integer');
  });

  it('rejects a source field that does not apply to its kind', async () => {
    const input: ShapeInput = { source: { kind: 'FILES', totalBytes: GiB, fileCount: 4, partitions: 8 }, operations: [] };
    const result = await gql(server.graphqlUrl, SimulateShapeDocument, { input });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toContain('source.partitions does not apply to a files source');
  });

  it('derives the shape of a stored SQL execution, then answers a what-if on one of its settings', async () => {
    await ingestPaths(server.temp.database, [eventLogPath('spark4', 'local-1776286786993.zstd')]);
    const from = { appId: 'local-1776286786993', sqlExecutionId: 7 };
    const asRun = await gql(server.graphqlUrl, SimulateShapeFromLogDocument, { from });
    expect(asRun.errors).toBeUndefined();
    const simulation = asRun.data!.simulateShape;
    expect(simulation.fromLog).toMatchObject({ appId: 'local-1776286786993', sqlExecutionId: 7, planJoinStrategies: ['sort_merge'] });
    expect(simulation.joins.map((join) => join.strategy)).toEqual(['SORT_MERGE']);
    expect(simulation.assumptions[0]).toMatch(/^Shape derived from SQL execution 7 of local-1776286786993/);
    expect((simulation.input as { operations: Array<{ op: string }> }).operations.map((operation) => operation.op)).toContain('join');
    const whatIf = await gql(server.graphqlUrl, SimulateShapeFromLogDocument, { from, config: { autoBroadcastJoinThresholdBytes: 1024 ** 3 } });
    expect(whatIf.errors).toBeUndefined();
    expect(whatIf.data!.simulateShape.joins.map((join) => join.strategy)).toEqual(['BROADCAST_HASH']);
    const missing = await gql(server.graphqlUrl, SimulateShapeFromLogDocument, { from: { appId: 'local-1776286786993', sqlExecutionId: 999 } });
    expect(missing.errors![0]!.message).toMatch(/has no SQL execution 999/);
  });
});
