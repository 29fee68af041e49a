import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { openTempDatabase } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Each API request has a time budget and a place among a bounded number of requests in progress: beyond
 * MAX_CONCURRENT_REQUESTS the server answers 503 with Retry-After, a request that outlives REQUEST_TIMEOUT_MS
 * answers 504, and the DuckDB work of a cancelled request is interrupted. Real server on loopback.
 */

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const query = JSON.stringify({ query: '{ applications(first: 1) { totalCount } }' });

/** A GraphQL request whose body is only half sent: the server holds it in progress until `finish` or `abort`. */
function heldRequest(url: string): { request: ClientRequest; response: Promise<{ status: number; body: string }> } {
  const request = httpRequest(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(query) },
  });
  const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
    request.on('response', (incoming: IncomingMessage) => {
      let body = '';
      incoming.on('data', (chunk: Buffer) => (body += chunk.toString()));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
  request.write(query.slice(0, 10));
  return { request, response };
}

async function post(url: string): Promise<Response> {
  return fetch(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: query });
}

/** Repeats `attempt` until `done` holds (the server sees a held request once its headers arrive). */
async function eventually(attempt: () => Promise<Response>, done: (response: Response) => boolean): Promise<Response> {
  for (let i = 0; i < 200; i += 1) {
    const response = await attempt();
    if (done(response)) return response;
    await response.arrayBuffer();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the server never reached the expected state');
}

describe('MAX_CONCURRENT_REQUESTS', () => {
  it('answers 503 with Retry-After beyond the limit, and serves again once a request finishes', async () => {
    server = await startTestServer({ MAX_CONCURRENT_REQUESTS: '1' });
    const held = heldRequest(server.url);
    const busy = await eventually(() => post(server!.url), (response) => response.status === 503);
    expect(busy.headers.get('retry-after')).toBe('1');
    const body = (await busy.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.errors[0]!.message).toContain('MAX_CONCURRENT_REQUESTS is 1');
    // /health is not an API request: it answers while the API is busy.
    expect((await fetch(`${server.url}/health`)).status).toBe(200);

    held.request.end(query.slice(10));
    const first = await held.response;
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body)).toEqual({ data: { applications: { totalCount: 0 } } });
    const after = await eventually(() => post(server!.url), (response) => response.status === 200);
    expect(await after.json()).toEqual({ data: { applications: { totalCount: 0 } } });
  });

  it('frees the place of a request whose client disconnects', async () => {
    server = await startTestServer({ MAX_CONCURRENT_REQUESTS: '1' });
    const held = heldRequest(server.url);
    held.response.catch(() => undefined);
    await eventually(() => post(server!.url), (response) => response.status === 503);
    held.request.destroy();
    const after = await eventually(() => post(server!.url), (response) => response.status === 200);
    expect(await after.json()).toEqual({ data: { applications: { totalCount: 0 } } });
  });
});

describe('REQUEST_TIMEOUT_MS', () => {
  it('answers 504 naming the budget when a request outlives it, and frees its place', async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '200', MAX_CONCURRENT_REQUESTS: '1' });
    const held = heldRequest(server.url);
    const answer = await held.response;
    expect(answer.status).toBe(504);
    const body = JSON.parse(answer.body) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('REQUEST_TIMEOUT');
    expect(body.errors[0]!.message).toContain('REQUEST_TIMEOUT_MS = 200 ms');
    held.request.destroy();
    const after = await eventually(() => post(server!.url), (response) => response.status === 200);
    expect(await after.json()).toEqual({ data: { applications: { totalCount: 0 } } });
  });
});

describe('a request\'s handle on the database (forRequest)', () => {
  it('interrupts the DuckDB query running when the signal aborts, and rejects with its reason', async () => {
    const temp = await openTempDatabase();
    try {
      const controller = new AbortController();
      const reason = new Error('time budget ran out');
      // Summing hashes of 10^12 numbers runs for hours: only an interrupt ends it.
      const request = temp.database.forRequest(controller.signal);
      const running = request.query('SELECT sum(hash(i)) AS s FROM range(1000000000000) t(i)');
      setTimeout(() => controller.abort(reason), 300);
      await expect(running).rejects.toBe(reason);
      // The database still answers afterwards, and work under an aborted signal does not start.
      expect(await temp.database.query('SELECT 42 AS answer')).toEqual([{ answer: 42 }]);
      await expect(request.query('SELECT 1')).rejects.toBe(reason);
      await expect(request.withConnection((connection) => connection.run('SELECT 1'))).rejects.toBe(reason);
    } finally {
      temp.dispose();
    }
  });

  it('is the same database as the one it came from, with a memo of its own request', async () => {
    const temp = await openTempDatabase();
    try {
      const first = temp.database.forRequest(new AbortController().signal);
      const second = temp.database.forRequest(new AbortController().signal);
      expect(first.id).toBe(temp.database.id);
      // A write through one handle is seen by every handle's counter and rows.
      const before = temp.database.writeCount;
      await first.query('CREATE TABLE handle_check AS SELECT 7 AS n');
      expect(second.writeCount).toBeGreaterThan(before);
      expect(temp.database.writeCount).toBe(second.writeCount);
      expect(await second.query('SELECT n FROM handle_check')).toEqual([{ n: 7 }]);
      // Memos belong to one request; the database itself has none.
      first.requestMemo!.set('k', 1);
      expect(second.requestMemo!.has('k')).toBe(false);
      expect(temp.database.requestMemo).toBeUndefined();
    } finally {
      temp.dispose();
    }
  });
});
