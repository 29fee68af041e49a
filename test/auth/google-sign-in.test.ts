import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEARNER_COOKIE, SESSION_COOKIE } from '../../src/auth/cookies.js';
import { SessionTokens } from '../../src/auth/session-token.js';
import { anonymousLearnerId, newAnonymousToken } from '../../src/learning/progress/learner-id.js';
import { MeDocument, SignInWithGoogleDocument, SignOutDocument } from '../generated/graphql.js';
import { CookieJar, deletes } from '../helpers/cookie-jar.js';
import { epochSeconds, startFakeGoogle, TEST_JWT_SECRET, type FakeGoogle } from '../helpers/google-idp.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Sign-in through real HTTP against a real server, with a local JWKS standing in for Google's keys. */
describe('Google sign-in', () => {
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

  async function signIn(jar: CookieJar, sub: string) {
    const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub }) });
    expect(response.errors).toBeUndefined();
    return response;
  }

  it('signs in with a valid token: creates the user, sets an HttpOnly SameSite session cookie, and `me` answers it', async () => {
    const jar = new CookieJar();
    const idToken = await google.mintIdToken({ sub: 'alice', email: 'alice@example.com', name: 'Alice', picture: 'https://p/a.png' });
    const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken });
    expect(response.errors).toBeUndefined();
    expect(response.data!.signInWithGoogle).toMatchObject({
      email: 'alice@example.com',
      emailVerified: true,
      name: 'Alice',
      pictureUrl: 'https://p/a.png',
    });
    const session = response.setCookies.find((cookie) => cookie.name === SESSION_COOKIE)!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'lax', path: '/', maxAge: 7 * 24 * 3600 });
    // NODE_ENV=test serves plain http: not Secure here (see the production test below).
    expect(session.secure).toBeUndefined();
    expect(session.domain).toBeUndefined();

    const me = await jar.gql(server.graphqlUrl, MeDocument);
    expect(me.data!.me).toEqual(response.data!.signInWithGoogle);
    expect(Date.parse(me.data!.me!.signedInAt)).toBeGreaterThan(Date.now() - 60_000);

    // The same Google account again is the same user.
    const again = await signIn(new CookieJar(), 'alice');
    expect(again.data!.signInWithGoogle.id).toBe(response.data!.signInWithGoogle.id);
    expect(google.jwksRequests).toBeGreaterThanOrEqual(1);
  });

  it('is anonymous without a session cookie', async () => {
    const response = await new CookieJar().gql(server.graphqlUrl, MeDocument);
    expect(response.data!.me).toBeNull();
    // `me` needs no learner id: no anonymous cookie is issued for it.
    expect(response.setCookies).toEqual([]);
  });

  it.each([
    ['a wrong audience', { aud: 'someone-else.apps.googleusercontent.com' }, {}, /issued for another application/],
    ['an expired token', { iat: epochSeconds(-7200), exp: epochSeconds(-3600) }, {}, /has expired/],
    ['a forged signature (unpublished key, Google\'s key id)', {}, { signedBy: 'stranger' as const }, /signature does not match/],
    ['an unknown key id', {}, { signedBy: 'stranger' as const, kid: 'not-published' }, /signature does not match/],
    ['an issuer other than Google', { iss: 'https://accounts.example.com' }, {}, /not issued by Google/],
  ])('refuses %s with UNAUTHENTICATED and sets no session', async (_case, claims, options, message) => {
    const jar = new CookieJar();
    const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, {
      idToken: await google.mintIdToken({ sub: 'mallory', ...claims }, options),
    });
    expect(response.data).toBeNull();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0]!.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors![0]!.message).toMatch(message);
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
    expect((await jar.gql(server.graphqlUrl, MeDocument)).data!.me).toBeNull();
  });

  it('answers BAD_USER_INPUT for something that is not a JWT', async () => {
    const response = await new CookieJar().gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: 'not-a-token' });
    expect(response.errors![0]).toMatchObject({
      message: expect.stringMatching(/idToken is not a Google ID token/),
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const empty = await new CookieJar().gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: '' });
    expect(empty.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('never trusts a tampered, foreign-signed, unsigned or expired session cookie, and clears it', async () => {
    const jar = new CookieJar();
    await signIn(jar, 'bob');
    const bobId = (await signIn(new CookieJar(), 'bob')).data!.signInWithGoogle.id;
    const carolId = (await signIn(new CookieJar(), 'carol')).data!.signInWithGoogle.id;
    const genuine = jar.get(SESSION_COOKIE)!;
    const [header, payload, signature] = genuine.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub: string };
    expect(claims.sub).toBe(bobId);
    const asCarol = Buffer.from(JSON.stringify({ ...claims, sub: carolId })).toString('base64url');
    const unsignedHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const past = new Date(Date.now() - 8 * 24 * 3600 * 1000);

    const forgeries = {
      'payload swapped to another user': `${header}.${asCarol}.${signature}`,
      'signature cut': `${header}.${payload}.`,
      'alg none': `${unsignedHeader}.${asCarol}.`,
      'signed with another secret': await new SessionTokens('another-secret-that-is-32-characters-or-more', 3600).issue(carolId),
      expired: await new SessionTokens(TEST_JWT_SECRET, 7 * 24 * 3600).issue(carolId, past),
      garbage: 'garbage',
    };
    for (const [name, forged] of Object.entries(forgeries)) {
      const forgedJar = new CookieJar().set(SESSION_COOKIE, forged);
      const response = await forgedJar.gql(server.graphqlUrl, MeDocument);
      expect(response.data!.me, name).toBeNull();
      const cleared = response.setCookies.find((cookie) => cookie.name === SESSION_COOKIE);
      expect(cleared && deletes(cleared), name).toBe(true);
    }
    // The genuine one still works.
    expect((await jar.gql(server.graphqlUrl, MeDocument)).data!.me!.id).toBe(bobId);
  });

  it('signs out: clears the session cookie and `me` is null again', async () => {
    const jar = new CookieJar();
    await signIn(jar, 'dave');
    const response = await jar.gql(server.graphqlUrl, SignOutDocument);
    expect(response.data!.signOut).toBe(true);
    const cleared = response.setCookies.find((cookie) => cookie.name === SESSION_COOKIE)!;
    expect(deletes(cleared)).toBe(true);
    expect(cleared).toMatchObject({ httpOnly: true, path: '/' });
    expect(jar.get(SESSION_COOKIE)).toBeUndefined();
    expect((await jar.gql(server.graphqlUrl, MeDocument)).data!.me).toBeNull();
    // Signing out while anonymous is harmless.
    expect((await new CookieJar().gql(server.graphqlUrl, SignOutDocument)).data!.signOut).toBe(true);
  });

  it("merges the browser's anonymous progress into the user's and clears the anonymous cookie", async () => {
    const jar = new CookieJar();
    const token = newAnonymousToken();
    jar.set(LEARNER_COOKIE, token);
    const anonymous = anonymousLearnerId(token);
    await server.progress.recordAttempt(anonymous, { scenarioId: 'skew', passed: false, score: 0.4, result: { try: 1 } });
    await server.progress.recordAttempt(anonymous, { scenarioId: 'skew', passed: true, score: 0.8, result: { try: 2 } });
    await server.progress.recordAttempt(anonymous, { scenarioId: 'spill', passed: false, score: 0.1, result: {} });

    const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'erin' }) });
    expect(response.errors).toBeUndefined();
    const learnerCookie = response.setCookies.find((cookie) => cookie.name === LEARNER_COOKIE)!;
    expect(deletes(learnerCookie)).toBe(true);
    expect(jar.get(LEARNER_COOKIE)).toBeUndefined();

    const user = (await server.progress.userById(response.data!.signInWithGoogle.id))!;
    expect((await server.progress.progressOf(user.learnerId)).map((p) => [p.scenarioId, p.attempts, p.status, p.bestResult])).toEqual([
      ['skew', 2, 'COMPLETED', { try: 2 }],
      ['spill', 1, 'ATTEMPTED', {}],
    ]);
    expect(await server.progress.progressOf(anonymous)).toEqual([]);

    // Later, signed out on another visit: new anonymous progress overlapping the account's merges on sign-in,
    // counts adding up and the best attempt of both kept.
    await jar.gql(server.graphqlUrl, SignOutDocument);
    const secondToken = newAnonymousToken();
    jar.set(LEARNER_COOKIE, secondToken);
    await server.progress.recordAttempt(anonymousLearnerId(secondToken), { scenarioId: 'skew', passed: true, score: 1, result: { try: 3 } });
    await server.progress.recordAttempt(anonymousLearnerId(secondToken), { scenarioId: 'spill', passed: false, score: 0.05, result: { worse: true } });
    await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'erin' }) });
    expect((await server.progress.progressOf(user.learnerId)).map((p) => [p.scenarioId, p.attempts, p.bestScore, p.bestResult])).toEqual([
      ['skew', 3, 1, { try: 3 }],
      ['spill', 2, 0.1, {}],
    ]);
  });

  it('keeps two learners apart: each sees only their own user, and only their own anonymous progress moves', async () => {
    const frank = new CookieJar().set(LEARNER_COOKIE, newAnonymousToken());
    const grace = new CookieJar().set(LEARNER_COOKIE, newAnonymousToken());
    const frankAnonymous = anonymousLearnerId(frank.get(LEARNER_COOKIE)!);
    const graceAnonymous = anonymousLearnerId(grace.get(LEARNER_COOKIE)!);
    await server.progress.recordAttempt(frankAnonymous, { scenarioId: 'a', passed: true, score: 1, result: { who: 'frank' } });
    await server.progress.recordAttempt(graceAnonymous, { scenarioId: 'a', passed: false, score: 0.3, result: { who: 'grace' } });

    const frankUser = (await frank.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'frank' }) }))
      .data!.signInWithGoogle;
    // Grace is still anonymous and keeps her own progress.
    expect((await server.progress.progressOf(graceAnonymous)).map((p) => p.bestResult)).toEqual([{ who: 'grace' }]);
    const graceUser = (await grace.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'grace' }) }))
      .data!.signInWithGoogle;

    expect((await frank.gql(server.graphqlUrl, MeDocument)).data!.me!.id).toBe(frankUser.id);
    expect((await grace.gql(server.graphqlUrl, MeDocument)).data!.me!.id).toBe(graceUser.id);
    const frankLearner = (await server.progress.userById(frankUser.id))!.learnerId;
    const graceLearner = (await server.progress.userById(graceUser.id))!.learnerId;
    expect((await server.progress.progressOf(frankLearner)).map((p) => p.bestResult)).toEqual([{ who: 'frank' }]);
    expect((await server.progress.progressOf(graceLearner)).map((p) => p.bestResult)).toEqual([{ who: 'grace' }]);
  });
});

describe('sessions and progress across a restart', () => {
  it('a session cookie and progress survive restarting the server on the same progress file', async () => {
    const google = await startFakeGoogle();
    const first = await startTestServer(google.serverEnv());
    const progressPath = first.progressPath;
    const jar = new CookieJar();
    const user = (await jar.gql(first.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'heidi' }) }))
      .data!.signInWithGoogle;
    const learnerId = (await first.progress.userById(user.id))!.learnerId;
    await first.progress.recordAttempt(learnerId, { scenarioId: 'a', passed: true, score: 1, result: { kept: true } });
    // Stop the first server without deleting its progress file: the second one takes it over.
    await first.stop();
    first.progress.close();
    first.temp.dispose();

    const second = await startTestServer(google.serverEnv(), { progressPath });
    try {
      expect((await jar.gql(second.graphqlUrl, MeDocument)).data!.me!.id).toBe(user.id);
      expect(await second.progress.progressFor(learnerId, 'a')).toMatchObject({ attempts: 1, bestResult: { kept: true } });
    } finally {
      await second.close();
      await google.close();
    }
  });
});

describe('cookies outside development', () => {
  it('are Secure and scoped to COOKIE_DOMAIN', async () => {
    const google = await startFakeGoogle();
    const server = await startTestServer({ ...google.serverEnv(), NODE_ENV: 'production', COOKIE_DOMAIN: 'sparksword.example' });
    try {
      const jar = new CookieJar().set(LEARNER_COOKIE, newAnonymousToken());
      const response = await jar.gql(server.graphqlUrl, SignInWithGoogleDocument, { idToken: await google.mintIdToken({ sub: 'ivan' }) });
      expect(response.errors).toBeUndefined();
      const byName = Object.fromEntries(response.setCookies.map((cookie) => [cookie.name, cookie]));
      expect(byName[SESSION_COOKIE]).toMatchObject({ secure: true, httpOnly: true, sameSite: 'lax', domain: 'sparksword.example', path: '/' });
      // The anonymous cookie is deleted with the same domain and path it was set with, or the browser keeps it.
      expect(byName[LEARNER_COOKIE]).toMatchObject({ secure: true, domain: 'sparksword.example', path: '/', maxAge: 0 });
    } finally {
      await server.close();
      await google.close();
    }
  });
});
