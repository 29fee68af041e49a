import { buildSchema } from 'graphql';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIELD_COSTS, MAX_QUERY_COMPLEXITY } from '../../src/server/complexity-limit.js';
import { UploadEventLogDocument } from '../generated/graphql.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { codeOf, query } from './helpers.js';

const APP = 'app-20200706201101-0003';

function aliases(count: number, field: (index: number) => string): string {
  return Array.from({ length: count }, (_unused, index) => `a${index}: ${field(index)}`).join('\n');
}

/** The probes of a careless or hostile client: each refused before it runs, naming its cost and the limit. */
describe('bounded request cost', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    const uploaded = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', APP));
    expect(uploaded.errors).toBeUndefined();
  });
  afterAll(async () => {
    await server?.close();
  });

  const expectTooComplex = async (text: string): Promise<number> => {
    const answer = await query(server, text);
    expect(answer.status).toBe(400);
    expect(answer.body.data ?? null).toBeNull();
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    const match = /estimated cost is (\d+), the limit is (\d+)/.exec(answer.body.errors![0]!.message);
    expect(match).not.toBeNull();
    expect(Number(match![2])).toBe(MAX_QUERY_COMPLEXITY);
    expect(Number(match![1])).toBeGreaterThan(MAX_QUERY_COMPLEXITY);
    return Number(match![1]);
  };

  it('refuses 1,000 aliases of Application.simulation', async () => {
    await expectTooComplex(`{ application(id: "${APP}") { ${aliases(1000, () => 'simulation { criticalPathMs }')} } }`);
  });

  it('refuses 1,000 aliases of Stage.taskSummary', async () => {
    await expectTooComplex(`{ application(id: "${APP}") { stage(stageId: 0) { ${aliases(1000, () => 'taskSummary { quantiles }')} } } }`);
  });

  it('refuses five aliases of every task of an application', async () => {
    const everyTask = 'stages { tasks(first: 1000) { nodes { taskId index attempt executorId host status duration } } }';
    await expectTooComplex(`{ application(id: "${APP}") { ${aliases(5, () => everyTask)} } }`);
  });

  it('charges a task summary of more quantiles more', async () => {
    const quantiles = (n: number) => `[${Array.from({ length: n }, (_u, i) => (i + 1) / (n + 1)).join(', ')}]`;
    const few = await expectTooComplex(`{ application(id: "${APP}") { stage(stageId: 0) { ${aliases(200, () => `taskSummary(quantiles: ${quantiles(2)}) { quantiles }`)} } } }`);
    const many = await expectTooComplex(`{ application(id: "${APP}") { stage(stageId: 0) { ${aliases(200, () => `taskSummary(quantiles: ${quantiles(50)}) { quantiles }`)} } } }`);
    expect(many).toBeGreaterThan(few);
  });

  it('still answers the ordinary questions: a simulation, a task summary, a page of tasks', async () => {
    const answer = await query(
      server,
      `{ application(id: "${APP}") { simulation { criticalPathMs } stage(stageId: 0) { taskSummary { quantiles } tasks(first: 100) { nodes { taskId } } } } }`,
    );
    expect(answer.body.errors).toBeUndefined();
    expect(Number((answer.body.data!.application as { simulation: { criticalPathMs: string } }).simulation.criticalPathMs)).toBeGreaterThan(0);
  });

  it('answers a fragment cycle with a validation error, not a stack overflow', async () => {
    for (const text of [
      'query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
      'query { ...A } fragment A on Query { ...A }',
      'query { applications { nodes { ...X } } } fragment X on Application { ...Y } fragment Y on Application { ...X }',
    ]) {
      const answer = await query(server, text);
      expect(answer.status, text).toBe(400);
      expect(codeOf(answer), text).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(answer.body.errors!.map((error) => error.message).join(' '), text).toMatch(/Cannot spread fragment "[A-Z]" within itself/);
    }
  });

  it('refuses a fragment that doubles itself thirty times over, without expanding it', async () => {
    const fragments = Array.from({ length: 30 }, (_u, i) => `fragment F${i + 1} on Application { ...F${i} ...F${i} }`).join('\n');
    const text = `{ applications { nodes { ...F30 } } }\nfragment F0 on Application { id }\n${fragments}`;
    const answer = await query(server, text);
    expect(codeOf(answer)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.body.errors!.map((error) => error.message).join(' ')).toMatch(/selects more than \d+ fields with aliases and fragments expanded; the limit is 5000/);
  });

  it('stops parsing a document of more than 20,000 tokens', async () => {
    const answer = await query(server, `{ ${Array(30_000).fill('__typename').join(' ')} }`);
    expect(answer.status).toBe(400);
    expect(codeOf(answer)).toBe('GRAPHQL_PARSE_FAILED');
    expect(answer.body.errors![0]!.message).toMatch(/Document contains more tha[nt] 20000 tokens/);
  });

  it('costs only fields the schema has (a renamed field would silently cost 1)', () => {
    const schema = buildSchema(readFileSync('schema.graphql', 'utf8'));
    for (const key of Object.keys(FIELD_COSTS)) {
      const [typeName, fieldName] = key.split('.') as [string, string];
      const type = schema.getType(typeName) as { getFields?: () => Record<string, unknown> } | undefined;
      expect(type?.getFields?.()[fieldName], key).toBeDefined();
    }
  });
});

describe('response size limit', () => {
  it('replaces an answer larger than MAX_RESPONSE_BYTES with an error naming the size and the limit', async () => {
    const server = await startTestServer({ MAX_RESPONSE_BYTES: '2048' });
    try {
      const uploaded = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', APP));
      expect(uploaded.errors).toBeUndefined();
      const small = await query(server, '{ applications { totalCount } }');
      expect(small.body.data).toEqual({ applications: { totalCount: 1 } });
      const big = await query(server, `{ application(id: "${APP}") { stages { tasks(first: 50) { nodes { taskId host executorId status } } } } }`);
      expect(big.body.data, big.text.slice(0, 300)).toBeNull();
      expect(codeOf(big)).toBe('RESPONSE_TOO_LARGE');
      expect(big.body.errors![0]!.message).toMatch(/The response would be \d+ bytes; the limit is 2048 \(MAX_RESPONSE_BYTES\)/);
      expect(big.text.length).toBeLessThan(2048);
    } finally {
      await server.close();
    }
  });
});
