import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApplicationListDocument } from '../generated/graphql.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';

async function rawQuery(server: TestServer, query: string, variables?: unknown) {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { errors?: Array<{ message: string; extensions?: { code?: string } }> } };
}

describe('API conventions: error codes, limits, health', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  it('answers GET /health with the version and whether the database is reachable', async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), database: { reachable: true } });
  });

  it('says which argument is invalid without echoing the value back', async () => {
    const result = await gql(server.graphqlUrl, ApplicationListDocument, { first: 123 });
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(/first must not be greater than 100/);
    expect(JSON.stringify(result.errors)).not.toContain('123');
  });

  it('rejects a foreign cursor with BAD_USER_INPUT', async () => {
    const result = await gql(server.graphqlUrl, ApplicationListDocument, { after: 'bm90LWEtY3Vyc29y' });
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers variables with more wrong values than GraphQL counts (50) with BAD_USER_INPUT alone, the cut-off said', async () => {
    const wrong = Array.from({ length: 60 }, () => ({ op: 'JOIN', right: { source: { kind: null } } }));
    const { status, body } = await rawQuery(server, 'query Shape($input: ShapeInput) { simulateShape(input: $input) { stages { id } } }', {
      input: { source: { kind: 'FILES', totalBytes: 100, partitions: 2 }, operations: wrong },
    });
    expect(status).toBe(400);
    expect(body.errors!.length).toBeGreaterThan(50);
    expect(new Set(body.errors!.map((error) => error.extensions?.code))).toEqual(new Set(['BAD_USER_INPUT']));
    expect(body.errors!.at(-1)!.message).toMatch(/^Too many errors processing variables/);
  });

  it('rejects unknown fields at validation, before anything runs', async () => {
    const { body } = await rawQuery(server, '{ applications { nodes { notAField } } }');
    expect(body.errors![0]!.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('answers a bounded nested query and refuses one nested deeper than the limit', async () => {
    const bounded = await rawQuery(server, '{ applications { nodes { stages { tasks(first: 5) { nodes { taskMetrics { shuffleReadMetrics { localBytesRead } } } } } } } }');
    expect(bounded.body.errors).toBeUndefined();
    const deep = await rawQuery(
      server,
      '{ applications { nodes { stages { attempts { attempts { attempts { attempts { attempts { attempts { attempts { attempts { attempts { stageId } } } } } } } } } } } } }',
    );
    expect(deep.body.errors![0]!.message).toMatch(/exceeds maximum operation depth of 10/);
  });

  it('refuses a query whose estimated cost is too high, saying the cost and the limit', async () => {
    const { body } = await rawQuery(
      server,
      '{ applications(first: 100) { nodes { stages { tasks(first: 1000) { nodes { taskId duration executorId } } } } } }',
    );
    expect(body.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0]!.message).toMatch(/estimated cost is \d+, the limit is 100000/);
  });

  it('closes the connection of a body it refuses unread, so the same client\'s next requests are answered', async () => {
    const post = (query: string) =>
      fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
    const tooLarge = await post(`{ __typename ${' '.repeat(2 * 1024 * 1024)}}`);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('connection')).toBe('close');
    await tooLarge.text();
    // Kept alive, the socket of the refused body was reset under a later request (ECONNRESET in the client).
    for (let i = 0; i < 3; i += 1) expect((await post(`{ __typename ${' '.repeat(150_000)}}`)).status).toBe(200);
  });

  it('answers a multipart request whose content type cannot be read with 400, not 500', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=', 'apollo-require-preflight': 'true' },
      body: 'not multipart',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The multipart request cannot be read (Malformed content type)', extensions: { code: 'BAD_REQUEST' } }],
    });
  });

  it('never sends a stack trace, and masks unexpected errors as INTERNAL_SERVER_ERROR', async () => {
    const broken = await startTestServer();
    broken.temp.database.close(); // the database goes away under a running server
    try {
      const { body, text } = await rawQuery(broken, '{ applications { totalCount } }');
      expect(body.errors![0]).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
      expect(text).not.toMatch(/stacktrace|at .*\.js:\d+/i);
      expect((await fetch(`${broken.url}/health`)).status).toBe(503);
    } finally {
      await broken.stop();
    }
  });
});
