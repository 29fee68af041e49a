import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectors } from '../../src/analysis/registry.js';
import { ApplicationInsightsDocument, InsightTypesDocument, StageZeroInsightsDocument, UploadAndAdviseDocument } from '../generated/graphql.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;

describe('insights through GraphQL', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-insights-api-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('goes from an uploaded log to advice in one request, with evidence and a docs link', async () => {
    const log = writeEventLog(dir, {
      appId: 'app-advice',
      sparkVersion: '3.1.2',
      jobs: [{
        jobId: 0,
        stages: [{
          stageId: 1,
          name: 'groupBy at etl.scala:42',
          tasks: [
            ...Array.from({ length: 59 }, () => ({ durationMs: 2_000, shuffleReadBytes: 50 * MB })),
            { durationMs: 60_000, shuffleReadBytes: 900 * MB },
          ],
        }],
      }],
    });
    const result = await gqlUpload(server.graphqlUrl, UploadAndAdviseDocument, log);
    expect(result.errors).toBeUndefined();
    const skew = result.data!.uploadEventLog.application.insights.find((insight) => insight.type === 'data-skew');
    expect(skew).toMatchObject({
      id: 'data-skew:stage-1.0',
      appId: 'app-advice',
      stageId: 1,
      stageAttemptId: 0,
      confidence: 'HIGH',
      sparkDocsRef: expect.stringMatching(/^https:\/\/spark\.apache\.org\/docs\//),
      impactMs: String(54_000 - 1_800),
    });
    expect(skew!.evidence).toMatchObject({ maxBytes: 900 * MB, thresholds: { skewedPartitionFactor: 5 } });
    expect(skew!.impact).toBeGreaterThan(0);
    expect(skew!.impact).toBeLessThanOrEqual(1);
  });

  it('filters by confidence and type, and shows a stage its own insights', async () => {
    const all = await gql(server.graphqlUrl, ApplicationInsightsDocument, { id: 'app-advice' });
    expect(all.data!.application!.stage!.insights.map((i) => i.id)).toContain('data-skew:stage-1.0');
    const onlyOther = await gql(server.graphqlUrl, ApplicationInsightsDocument, { id: 'app-advice', types: ['no-such-type'] });
    expect(onlyOther.data!.application!.insights).toEqual([]);
    const high = await gql(server.graphqlUrl, ApplicationInsightsDocument, { id: 'app-advice', minConfidence: 'HIGH' });
    expect(high.data!.application!.insights.every((i) => i.confidence === 'HIGH')).toBe(true);
    const ordered = all.data!.application!.insights.map((i) => i.impact);
    expect(ordered).toEqual([...ordered].sort((a, b) => b - a));
  });

  it('keeps application-wide insights (no stage) out of stage 0', async () => {
    const log = writeEventLog(dir, {
      appId: 'app-stage-zero',
      sparkVersion: '3.1.2',
      // Four executors held for ten minutes that ran four 30 s tasks: idle-executors, an application-wide finding.
      executors: [1, 2, 3, 4].map((i) => ({ id: String(i), cores: 4 })),
      durationMs: 600_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: 4 }, () => ({ durationMs: 30_000 })) }] }],
    });
    expect((await gqlUpload(server.graphqlUrl, UploadAndAdviseDocument, log)).errors).toBeUndefined();
    const result = await gql(server.graphqlUrl, StageZeroInsightsDocument, { id: 'app-stage-zero' });
    const appWide = result.data!.application!.insights.filter((insight) => insight.stageId === null);
    expect(appWide.length).toBeGreaterThan(0);
    expect(result.data!.application!.stage!.insights.every((insight) => insight.stageId === 0)).toBe(true);
  });

  it('lists every registered insight type with its docs link', async () => {
    const types = (await gql(server.graphqlUrl, InsightTypesDocument)).data!.insightTypes;
    expect(types.map((t) => t.type)).toEqual(detectors.map((d) => d.type));
    expect(types.every((t) => t.sparkDocsRef.startsWith('https://spark.apache.org/docs/'))).toBe(true);
  });
});
