import { randomBytes } from 'node:crypto';
import { generateKeyPair, SignJWT } from 'jose';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/cookies.js';
import { SessionTokens } from '../../src/auth/session-token.js';
import { MeDocument, SignInWithGoogleDocument, UploadEventLogDocument } from '../generated/graphql.js';
import { CookieJar, deletes } from '../helpers/cookie-jar.js';
import { epochSeconds, startFakeGoogle, TEST_JWT_SECRET, type FakeGoogle } from '../helpers/google-idp.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { codeOf } from './helpers.js';

const key = new TextEncoder().encode(TEST_JWT_SECRET);

/** A session JWT with chosen header and claims, signed with the server's own secret unless `secret` says otherwise. */
async function session(
  claims: { sub?: string; iss?: string; aud?: string; iat?: number; exp?: number; nbf?: number },
  options: { alg?: 'HS256' | 'HS512'; secret?: Uint8Array } = {},
): Promise<string> {
  const jwt = new SignJWT({ ...(claims.nbf !== undefined ? { nbf: claims.nbf } : {}) })
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'JWT' })
    .setIssuer(claims.iss ?? 'spark-sword')
    .setAudience(claims.aud ?? 'spark-sword-session')
    .setIssuedAt(claims.iat ?? epochSeconds(-10))
    .setExpirationTime(claims.exp ?? epochSeconds(3600));
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  return jwt.sign(options.secret ?? key);
}

/** The learner side held under probing: keep it so. Forged sessions, cross-site requests. */
describe('forged session cookies', () => {
  let google: FakeGoogle;
  let server: TestServer;
  beforeAll(async () => {
    google = await startFakeGoogle();
    server = await startTestServer(google.serverEnv());
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
  });

  it('never trusts any of a dozen forgeries, and clears each; the genuine cookie still works', async () => {
    const jar = new CookieJar();
    const signIn = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'victim' }) });
    const victim = signIn.data!.signInWithGoogle.id;
    const genuine = jar.get(SESSION_COOKIE)!;
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const rsa = await generateKeyPair('RS256');
    const forgeries: Record<string, string> = {
      'payload edited under the old signature': `${header}.${Buffer.from(JSON.stringify({ ...claims, exp: epochSeconds(9e6) })).toString('base64url')}.${signature}`,
      'signature removed': `${header}.${payload}.`,
      'alg none': `${none}.${payload}.`,
      'another secret': await new SessionTokens(randomBytes(32).toString('hex'), 3600).issue(victim),
      expired: await session({ sub: victim, iat: epochSeconds(-7200), exp: epochSeconds(-3600) }),
      'HS512 with the right secret': await session({ sub: victim }, { alg: 'HS512' }),
      'wrong audience': await session({ sub: victim, aud: 'another-app' }),
      'wrong issuer': await session({ sub: victim, iss: 'someone-else' }),
      'no subject': await session({}),
      'unknown user': await session({ sub: 'no-such-user' }),
      'not valid yet': await session({ sub: victim, nbf: epochSeconds(3600) }),
      'RS256 with a stranger key': await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256' })
        .setIssuer('spark-sword')
        .setAudience('spark-sword-session')
        .setSubject(victim)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(rsa.privateKey),
      garbage: 'not-a-jwt',
    };
    expect(Object.keys(forgeries).length).toBeGreaterThanOrEqual(12);
    for (const [name, forged] of Object.entries(forgeries)) {
      const response = await new CookieJar().set(SESSION_COOKIE, forged).gql(server.graphqlUrl, MeDocument);
      expect(response.data!.me, name).toBeNull();
      const cleared = response.setCookies.find((cookie) => cookie.name === SESSION_COOKIE);
      expect(cleared && deletes(cleared), name).toBe(true);
    }
    expect((await jar.gql(server.graphqlUrl, MeDocument)).data!.me!.id).toBe(victim);
  });
});

describe('cross-site request forgery', () => {
  let server: TestServer;
  let scratch: string;
  beforeAll(async () => {
    server = await startTestServer();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-csrf-'));
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses the requests a form or an <img> on another site can send', async () => {
    const mutation = 'mutation { deleteApplication(id: "x") }';
    const asForm = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `query=${encodeURIComponent(mutation)}`,
    });
    expect(asForm.status).toBe(400);
    const asText = await fetch(server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) });
    expect(asText.status).toBe(400);
    expect(await asText.text()).toMatch(/Cross-Site Request Forgery/);
    const asGet = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent('{ applications { totalCount } }')}`);
    expect(asGet.status).toBe(400);
    const mutationByGet = await fetch(`${server.graphqlUrl}?query=${encodeURIComponent(mutation)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(mutationByGet.status).toBe(405);
  });

  it('refuses a multipart upload without the preflight header, before reading it', async () => {
    const file = join(scratch, 'log.json');
    writeFileSync(file, '{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}\n');
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, file, { preflight: false });
    expect(result.status).toBe(400);
    expect(codeOf(result)).toBe('BAD_REQUEST');
    expect(result.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
  });
});
