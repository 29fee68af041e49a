import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { plantedRegressionPair } from '../helpers/comparison-pair.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

interface CompareResult {
  compareApplications: {
    durationDeltaMs: number;
    base: { appKey: string; executors: number };
    stagesOnlyInCandidate: Array<{ id: number; name: string }>;
    propertyChanges: Array<{ key: string; base: string; candidate: string }>;
    explanations: Array<{ rank: number; kind: string; candidateStageId: number; shareOfChange: number; evidence: string[] }>;
    stages: Array<{ baseStageId: number; candidateStageId: number; metrics: Array<{ metric: string; ratio: number | null }> }>;
  };
}

const CompareDocument = parse(`query CompareRuns($base: ID!, $candidate: ID!) {
  compareApplications(base: $base, candidate: $candidate) {
    durationDeltaMs
    base { appKey executors }
    stagesOnlyInCandidate { id name }
    propertyChanges { key base candidate }
    explanations { rank kind candidateStageId shareOfChange evidence }
    stages { baseStageId candidateStageId metrics { metric ratio } }
  }
}`) as TypedDocumentNode<CompareResult, { base: string; candidate: string }>;

describe('compareApplications over GraphQL', () => {
  let server: TestServer;
  let dir: string;
  beforeAll(async () => {
    server = await startTestServer();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-compare-api-'));
    const { base, candidate } = plantedRegressionPair();
    await ingestPaths(server.temp.database, [writeEventLog(dir, base), writeEventLog(dir, candidate)]);
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers with the planted stage ranked first', async () => {
    const result = await gql(server.graphqlUrl, CompareDocument, { base: 'app-etl-monday', candidate: 'app-etl-tuesday' });
    expect(result.errors).toBeUndefined();
    const comparison = result.data!.compareApplications;
    expect(comparison.explanations[0]).toMatchObject({ rank: 1, kind: 'stage', candidateStageId: 3 });
    expect(comparison.stagesOnlyInCandidate).toEqual([{ id: 0, name: 'cache at Etl.scala:5' }]);
    const join = comparison.stages.find((s) => s.candidateStageId === 3)!;
    expect(join.metrics.find((m) => m.metric === 'shuffleReadBytes')!.ratio).toBe(3);
  });

  it('answers NOT_FOUND for an unknown run', async () => {
    const result = await gql(server.graphqlUrl, CompareDocument, { base: 'app-etl-monday', candidate: 'nope' });
    expect(result.errors![0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    expect(result.errors![0]!.message).toContain('"nope"');
  });
});
