import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationSimulationDocument, UploadAndAdviseDocument } from '../generated/graphql.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

describe('Application.simulation through GraphQL', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-simulation-api-'));
    const log = writeEventLog(dir, {
      appId: 'app-what-if',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: 8 }, () => ({ durationMs: 1000 })) }] }],
    });
    const uploaded = await gqlUpload(server.graphqlUrl, UploadAndAdviseDocument, log);
    expect(uploaded.errors).toBeUndefined();
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the what-if with its bounds and assumptions', async () => {
    const result = await gql(server.graphqlUrl, ApplicationSimulationDocument, {
      id: 'app-what-if',
      executorCounts: [2, 4],
      coresPerExecutor: 1,
    });
    expect(result.errors).toBeUndefined();
    const simulation = result.data!.application!.simulation;
    expect(simulation.points).toEqual([
      { executors: 2, estimatedWallTimeMs: '4226', estimatedUtilization: 0.9465 },
      { executors: 4, estimatedWallTimeMs: '2226', estimatedUtilization: 0.8985 },
    ]);
    expect(simulation).toMatchObject({ criticalPathMs: '1226', idealTimeMs: '2210', driverOnlyMs: '210', coresPerExecutor: 1 });
    expect(simulation.assumptions.length).toBeGreaterThanOrEqual(5);
  });

  it('defaults to powers of two around the actual executor count', async () => {
    const result = await gql(server.graphqlUrl, ApplicationSimulationDocument, { id: 'app-what-if' });
    expect(result.errors).toBeUndefined();
    expect(result.data!.application!.simulation.points.map((point) => point.executors)).toEqual([1, 2]);
    expect(result.data!.application!.simulation.coresPerExecutor).toBe(4);
  });

  it.each([
    [{ executorCounts: [0] }, /between 1 and 10000/],
    [{ executorCounts: [10_001] }, /between 1 and 10000/],
    [{ executorCounts: Array.from({ length: 51 }, (_, i) => i + 1) }, /at most 50/],
    [{ coresPerExecutor: 0 }, /between 1 and 256/],
    [{ coresPerExecutor: 257 }, /between 1 and 256/],
  ])('rejects %j with BAD_USER_INPUT', async (variables, message) => {
    const result = await gql(server.graphqlUrl, ApplicationSimulationDocument, { id: 'app-what-if', ...variables });
    expect(result.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors?.[0]?.message).toMatch(message);
  });
});
