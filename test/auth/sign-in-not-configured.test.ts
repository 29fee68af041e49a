import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../../src/auth/cookies.js';
import { MeDocument, SignInWithGoogleDocument, SignOutDocument } from '../generated/graphql.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/google-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** A server without GOOGLE_CLIENT_ID (nor JWT_SECRET_KEY): learners are anonymous and sign-in says why it cannot. */
describe('sign-in not configured', () => {
  let google: FakeGoogle;
  let server: TestServer;

  beforeAll(async () => {
    google = await startFakeGoogle();
    server = await startTestServer({ GOOGLE_CLIENT_ID: '', JWT_SECRET_KEY: '' });
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
  });

  it('answers SIGN_IN_NOT_CONFIGURED, even for a token that would otherwise be valid', async () => {
    const jar = new CookieJar();
    const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken() });
    expect(response.data).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        message: 'Google sign-in is not configured on this server (GOOGLE_CLIENT_ID is unset)',
        extensions: { code: 'SIGN_IN_NOT_CONFIGURED' },
      }),
    ]);
    expect(response.setCookies).toEqual([]);
    expect(google.jwksRequests).toBe(0);
  });

  it('keeps everything else working anonymously: me is null, signOut is true, a stray session cookie is ignored', async () => {
    const jar = new CookieJar().set(SESSION_COOKIE, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln');
    expect((await jar.gql(server.graphqlUrl, MeDocument)).data!.me).toBeNull();
    expect((await jar.gql(server.graphqlUrl, SignOutDocument)).data!.signOut).toBe(true);
  });
});
