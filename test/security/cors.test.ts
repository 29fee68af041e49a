import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/cookies.js';
import { MeDocument, SignInWithGoogleDocument } from '../generated/graphql.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/google-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Browsers on ALLOWED_ORIGINS may send cookies (credentials) cross-origin; no other origin may read answers. */
describe('CORS with credentials', () => {
  const allowed = 'https://learn.sparksword.example';
  let google: FakeGoogle;
  let server: TestServer;

  beforeAll(async () => {
    google = await startFakeGoogle();
    server = await startTestServer({ ...google.serverEnv(), ALLOWED_ORIGINS: `${allowed}, http://localhost:5173` });
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
  });

  it('answers a preflight from an allowed origin with credentials allowed, and nothing for another origin', async () => {
    const preflight = (origin: string) =>
      fetch(server.graphqlUrl, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
    const ok = await preflight(allowed);
    expect(ok.status).toBe(204);
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-allow-methods')).toContain('POST');
    const other = await preflight('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('lets an allowed origin sign in and read `me` with its cookies; another origin gets no CORS grant', async () => {
    const jar = new CookieJar();
    const signIn = await jar.gql(
      server.graphqlUrl,
      SignInWithGoogleDocument,
      { idToken: await google.mintIdToken({ sub: 'cors-user' }) },
      { origin: allowed },
    );
    expect(signIn.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(signIn.headers.get('access-control-allow-credentials')).toBe('true');
    expect(signIn.headers.get('vary')).toMatch(/origin/i);
    expect(jar.get(SESSION_COOKIE)).toBeDefined();
    const me = await jar.gql(server.graphqlUrl, MeDocument, undefined, { origin: allowed });
    expect(me.data!.me!.id).toBe(signIn.data!.signInWithGoogle.id);

    const foreign = await jar.gql(server.graphqlUrl, MeDocument, undefined, { origin: 'https://evil.example' });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-credentials')).toBeNull();
  });
});
