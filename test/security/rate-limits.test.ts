import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/server/rate-limit.js';
import { UploadEventLogDocument } from '../generated/graphql.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, codeOf, createToken, query } from './helpers.js';

describe('RateLimiter', () => {
  it('allows a minute’s worth at once, then one more each 60/perMinute seconds, per client', () => {
    let now = 0;
    const limiter = new RateLimiter(6, () => now);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 10 });
    expect(limiter.take('b')).toBeNull();
    now += 4_000;
    expect(limiter.take('a')).toEqual({ retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take('a')).toBeNull();
    expect(limiter.take('a')).not.toBeNull();
  });

  it('is off at 0', () => {
    const limiter = new RateLimiter(0);
    for (let i = 0; i < 1000; i++) expect(limiter.take('a')).toBeNull();
  });
});

/** Per-client limits on uploads and expensive queries: 429 with Retry-After, other clients unaffected. */
describe('rate limits on a real server', () => {
  let server: TestServer;
  let scratch: string;
  let alice: string;
  let bob: string;
  beforeAll(async () => {
    server = await startTestServer({
      AUTH_MODE: 'token',
      RATE_LIMIT_UPLOADS_PER_MINUTE: '2',
      RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE: '1',
    });
    alice = await createToken(server, 'uploader', 'alice');
    bob = await createToken(server, 'uploader', 'bob');
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-rate-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('answers the third upload in a minute with 429 and Retry-After, before reading it; another token goes on', async () => {
    const notALog = join(scratch, 'notes.txt');
    writeFileSync(notALog, 'not a log\n');
    const send = (token: string) => gqlUpload(server.graphqlUrl, UploadEventLogDocument, notALog, { headers: bearer(token) });
    expect(codeOf(await send(alice))).toBe('BAD_USER_INPUT');
    expect(codeOf(await send(alice))).toBe('BAD_USER_INPUT');
    const limited = await send(alice);
    expect(limited.status).toBe(429);
    expect(codeOf(limited)).toBe('TOO_MANY_REQUESTS');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.errors![0]!.message).toMatch(/Too many uploads: at most 2 a minute per client \(RATE_LIMIT_UPLOADS_PER_MINUTE\); retry in \d+ s/);
    expect(codeOf(await send(bob))).toBe('BAD_USER_INPUT');
  });

  it('limits expensive queries, not cheap ones', async () => {
    const expensive = '{ applications(first: 100) { nodes { stages { stageId name } } } }';
    const first = await query(server, expensive, { token: alice });
    expect(first.body.errors).toBeUndefined();
    const second = await query(server, expensive, { token: alice });
    expect(second.status).toBe(429);
    expect(codeOf(second)).toBe('TOO_MANY_REQUESTS');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(second.body.errors![0]!.message).toMatch(/RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE/);
    for (let i = 0; i < 5; i++) expect((await query(server, '{ applications { totalCount } }', { token: alice })).status).toBe(200);
    expect((await query(server, expensive, { token: bob })).status).toBe(200);
  });
});
