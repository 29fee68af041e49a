import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthServices } from '../../src/auth/auth-services.js';
import { LEARNER_COOKIE, LEARNER_COOKIE_MAX_AGE_SECONDS } from '../../src/auth/cookies.js';
import { LearnerSession } from '../../src/auth/learner-session.js';
import { loadConfig } from '../../src/config.js';
import { anonymousLearnerId, newAnonymousToken } from '../../src/learning/progress/learner-id.js';
import { CookieJar, setCookiesOf } from '../helpers/cookie-jar.js';
import { TEST_JWT_SECRET } from '../helpers/google-idp.js';
import { openTempProgress, type TempProgress } from '../helpers/progress.js';

/**
 * The anonymous learner cookie, through a real node:http server whose handler does what a resolver does:
 * asks the request's LearnerSession for a learner id (twice, as two resolvers of one request would) or not.
 */
describe('LearnerSession: the anonymous learner', () => {
  let progress: TempProgress;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    progress = await openTempProgress();
    const config = loadConfig({ JWT_SECRET_KEY: TEST_JWT_SECRET, NODE_ENV: 'test' });
    const auth = createAuthServices(config);
    server = createServer((request, response) => {
      const learner = new LearnerSession({ cookieHeader: request.headers.cookie, response, config, progress: progress.store, auth });
      const needsId = request.url === '/need';
      void (async () => {
        const ids = needsId ? [await learner.learnerId(), await learner.learnerId()] : [];
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ ids, user: await learner.currentUser() }));
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    progress?.dispose();
  });

  async function visit(path: string, jar: CookieJar): Promise<{ ids: string[]; setCookies: ReturnType<typeof setCookiesOf> }> {
    const response = await fetch(`${url}${path}`, { headers: jar.headers() });
    const setCookies = jar.store(response.headers);
    const body = (await response.json()) as { ids: string[] };
    return { ids: body.ids, setCookies };
  }

  it('issues no cookie to a request that never needs a learner id', async () => {
    expect((await visit('/', new CookieJar())).setCookies).toEqual([]);
  });

  it('issues one HttpOnly, SameSite=Lax, long-lived cookie on first need, and the same id comes back with it', async () => {
    const jar = new CookieJar();
    const first = await visit('/need', jar);
    expect(first.setCookies).toHaveLength(1);
    expect(first.setCookies[0]).toMatchObject({
      name: LEARNER_COOKIE,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      maxAge: LEARNER_COOKIE_MAX_AGE_SECONDS,
    });
    const token = jar.get(LEARNER_COOKIE)!;
    expect(first.ids).toEqual([anonymousLearnerId(token), anonymousLearnerId(token)]);

    const second = await visit('/need', jar);
    expect(second.ids).toEqual(first.ids);
    expect(second.setCookies).toEqual([]);
  });

  it('gives two browsers two different ids', async () => {
    const a = await visit('/need', new CookieJar());
    const b = await visit('/need', new CookieJar());
    expect(a.ids[0]).not.toBe(b.ids[0]);
  });

  it.each([
    ['too short', 'abc'],
    ['a user id in disguise', 'user:0b6e2c4e-3f0a-4c55-9e43-2f6a3c1d9a10'],
    ['wrong characters', `${'a'.repeat(31)}!`],
  ])('ignores a malformed learner cookie (%s) and replaces it when an id is needed', async (_case, value) => {
    const jar = new CookieJar().set(LEARNER_COOKIE, value);
    const visitResult = await visit('/need', jar);
    expect(visitResult.setCookies.map((cookie) => cookie.name)).toEqual([LEARNER_COOKIE]);
    const replaced = jar.get(LEARNER_COOKIE)!;
    expect(replaced).not.toBe(value);
    expect(visitResult.ids[0]).toBe(anonymousLearnerId(replaced));
    expect(visitResult.ids[0]!.startsWith('anon:')).toBe(true);
  });

  it('accepts a well-formed token it did not issue: ids are unguessable, so choosing one only affects yourself', async () => {
    const token = newAnonymousToken();
    const result = await visit('/need', new CookieJar().set(LEARNER_COOKIE, token));
    expect(result.ids[0]).toBe(anonymousLearnerId(token));
    expect(result.setCookies).toEqual([]);
  });
});
