import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { MAX_PLAN_DEPTH } from '../../src/model/plan-tree.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { gql, useServerWithLogs } from '../helpers/server.js';

/** A SparkPlanInfo `depth` nodes deep, every 50th an Exchange, as JSON text (built flat: a nested object this deep is no JS value to build). */
function deepPlan(depth: number): string {
  const opening = Array.from({ length: depth - 1 }, (_, i) =>
    `{"nodeName":"${i % 50 === 0 ? 'Exchange' : 'Project'}","simpleString":"p","metadata":{},"metrics":[],"children":[`);
  return `${opening.join('')}{"nodeName":"Scan parquet","simpleString":"Scan","metadata":{},"metrics":[],"children":[]}${']}'.repeat(depth - 1)}`;
}

/**
 * A log whose SQL execution's plan is `depth` nodes deep; with `replanned`, so is the first of two adaptive re-plans,
 * and the second, final one is a normal plan.
 */
function logWithDeepPlans(appId: string, depth: number, replanned: boolean): string {
  const lines = buildEventLog({
    appId,
    sqlExecutions: [{ executionId: 0, jobIds: [0], plan: { name: 'DEEP' }, ...(replanned ? { adaptivePlan: { name: 'Scan parquet' } } : {}) }],
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 1_000 }, { durationMs: 1_200 }] }] }],
  }).split('\n');
  const update = lines.findIndex((line) => line.includes('SparkListenerSQLAdaptiveExecutionUpdate'));
  if (replanned) lines.splice(update, 0, lines[update]!.replace(/"nodeName":"Scan parquet"/, '"nodeName":"DEEP"'));
  const deep = deepPlan(depth);
  const node = /\{"nodeName":"DEEP","simpleString":"[^"]*","children":\[\],"metadata":\{\},"metrics":\[\]\}/;
  return lines.map((line) => line.replace(node, deep)).join('\n');
}

const sqlOfApplication = parse(`query SqlOfApplication($id: ID!) {
  application(id: $id) { sqlExecutions { id physicalPlanDescription plan { nodes { id name } versions } } insights(first: 5) { type } }
}`) as unknown as TypedDocumentNode<{ application: { sqlExecutions: Array<{ plan: { nodes: unknown[] } | null }> } }, { id: string }>;

describe('SQL plans nested deeper than any Spark writes', () => {
  const suite = useServerWithLogs('deep-plans');

  it('are stored and answered as no plan: the application and its SQL answer without an error', async () => {
    const path = join(suite.scratch(), 'deep.json');
    const log = logWithDeepPlans('app-deep', 20 * MAX_PLAN_DEPTH, true);
    expect(log.match(/"nodeName":"Exchange"/g)).toHaveLength(2 * 20 * MAX_PLAN_DEPTH / 50);
    writeFileSync(path, log);
    const report = await ingestPaths(suite.server().temp.database, [path]);
    expect(report.failures).toEqual([]);

    const answer = await gql(suite.server().graphqlUrl, sqlOfApplication, { id: 'app-deep' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.application.sqlExecutions).toHaveLength(1);
    // The final plan is a normal one: it is drawn; the deep versions before it are passed over.
    expect(answer.data!.application.sqlExecutions[0]!.plan?.nodes).toHaveLength(1);
    for (const path of ['sql', 'sql?details=true&planDescription=true', 'sql/0']) {
      const response = await fetch(`${suite.server().url}/api/v1/applications/app-deep/${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 200 });
    }
  });

  it('as the final plan: the execution answers with no plan', async () => {
    const path = join(suite.scratch(), 'deep-final.json');
    writeFileSync(path, logWithDeepPlans('app-deep-final', 20 * MAX_PLAN_DEPTH, false));
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const answer = await gql(suite.server().graphqlUrl, sqlOfApplication, { id: 'app-deep-final' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.application.sqlExecutions[0]!.plan).toBeNull();
    const response = await fetch(`${suite.server().url}/api/v1/applications/app-deep-final/sql/0?details=true`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { nodes: unknown[] }).nodes).toEqual([]);
  });

  it('as deep as the limit are drawn', async () => {
    const path = join(suite.scratch(), 'at-limit.json');
    writeFileSync(path, logWithDeepPlans('app-at-limit', MAX_PLAN_DEPTH, false));
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const response = await fetch(`${suite.server().url}/api/v1/applications/app-at-limit/sql/0?details=true`);
    expect(response.status).toBe(200);
    // Without re-plans the execution's own plan is the final one: a chain, one graph node per plan node.
    expect(((await response.json()) as { nodes: unknown[] }).nodes).toHaveLength(MAX_PLAN_DEPTH);
  });
});
