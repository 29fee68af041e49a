import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UploadEventLogDocument } from '../generated/graphql.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { bearer, codeOf, createToken, query } from './helpers.js';

const LOG_A = eventLogPath('apache-spark', 'local-1422981780767');
const LOG_B = eventLogPath('apache-spark', 'local-1426533911241');
const ID_A = 'local-1422981780767';
const ID_B = 'local-1426533911241/1';

/** AUTH_MODE=token against a real server: who may read, upload, replace and delete. */
describe('AUTH_MODE=token', () => {
  let server: TestServer;
  let viewer: string;
  let alice: string;
  let bob: string;
  let admin: string;

  beforeAll(async () => {
    server = await startTestServer({ AUTH_MODE: 'token' });
    viewer = await createToken(server, 'viewer', 'viewer-1');
    alice = await createToken(server, 'uploader', 'alice');
    bob = await createToken(server, 'uploader', 'bob');
    admin = await createToken(server, 'admin', 'root');
  });
  afterAll(async () => {
    await server?.close();
  });

  const upload = (path: string, token: string | null, replace = false) =>
    gqlUpload(server.graphqlUrl, UploadEventLogDocument, path, {
      variables: { replace },
      headers: token ? bearer(token) : {},
    });
  const stored = async (): Promise<string[]> => {
    const answer = await query(server, '{ applications(first: 100) { nodes { id } } }', { token: admin });
    return (answer.body.data!.applications as { nodes: Array<{ id: string }> }).nodes.map((node) => node.id).sort();
  };

  it('reads nothing without a token: GraphQL and REST answer 401 with WWW-Authenticate: Bearer', async () => {
    for (const text of [
      '{ applications { totalCount } }',
      '{ application(id: "x") { id } }',
      // A public field cannot carry a private one along.
      '{ me { id } hidden: applications { totalCount } }',
      'query { ...Q } fragment Q on Query { applications { totalCount } }',
    ]) {
      const answer = await query(server, text);
      expect(answer.status, text).toBe(401);
      expect(codeOf(answer), text).toBe('UNAUTHENTICATED');
      expect(answer.headers.get('www-authenticate'), text).toMatch(/^Bearer/);
      expect(answer.body.data ?? null, text).toBeNull();
    }
    const rest = await fetch(`${server.url}/api/v1/applications`);
    expect(rest.status).toBe(401);
    expect(rest.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await rest.text()).toMatch(/viewer role/);
  });

  it('refuses an unknown token, a malformed header and another scheme with 401', async () => {
    for (const authorization of ['Bearer sst_' + 'A'.repeat(43), 'Bearer nonsense', 'Basic dXNlcjpwYXNz', `Bearer ${viewer}x`]) {
      const answer = await query(server, '{ applications { totalCount } }', { headers: { authorization } });
      expect(answer.status, authorization).toBe(401);
      expect(codeOf(answer)).toBe('UNAUTHENTICATED');
    }
  });

  it('still serves the learner side, sign-in status and introspection without a token', async () => {
    const answer = await query(server, '{ scenarios { id } me { id } access { mode role subject } __schema { queryType { name } } }');
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data!.access).toEqual({ mode: 'TOKEN', role: null, subject: null });
  });

  it('tells each client its role through `me` and `access`', async () => {
    const answer = await query(server, '{ me { id name role } access { mode role subject } }', { token: alice });
    expect(answer.body.data).toEqual({
      me: { id: 'token:alice', name: 'alice', role: 'UPLOADER' },
      access: { mode: 'TOKEN', role: 'UPLOADER', subject: 'token:alice' },
    });
  });

  it('lets a viewer read (GraphQL and REST) but not upload or delete', async () => {
    expect((await query(server, '{ applications { totalCount } }', { token: viewer })).body.errors).toBeUndefined();
    const rest = await fetch(`${server.url}/api/v1/applications`, { headers: bearer(viewer) });
    expect(rest.status).toBe(200);
    const refused = await upload(LOG_A, viewer);
    expect(refused.status).toBe(403);
    expect(codeOf(refused)).toBe('FORBIDDEN');
    expect(refused.errors![0]!.message).toMatch(/uploadEventLog needs the uploader role; this caller is viewer/);
    const deleted = await query(server, 'mutation { deleteApplication(id: "x") }', { token: viewer });
    expect(deleted.status).toBe(403);
    expect(await stored()).toEqual([]);
  });

  it('refuses an upload without a token before reading its body', async () => {
    const refused = await upload(LOG_A, null);
    expect(refused.status).toBe(401);
    expect(codeOf(refused)).toBe('UNAUTHENTICATED');
    expect(await stored()).toEqual([]);
  });

  it('records the uploader; replacing needs replace: true and is its uploader’s or an admin’s right', async () => {
    const first = await upload(LOG_A, alice);
    expect(first.errors).toBeUndefined();
    expect(first.data!.uploadEventLog.application.uploadedBy).toBe('token:alice');

    const again = await upload(LOG_A, alice);
    expect(codeOf(again)).toBe('BAD_USER_INPUT');
    expect(again.errors![0]!.message).toMatch(`Application "${ID_A}" is already stored; pass replace: true`);

    const byBob = await upload(LOG_A, bob, true);
    expect(codeOf(byBob)).toBe('FORBIDDEN');
    expect(byBob.errors![0]!.message).toMatch(`Cannot replace application "${ID_A}": it was uploaded by token:alice`);

    const replaced = await upload(LOG_A, alice, true);
    expect(replaced.errors).toBeUndefined();
    const byAdmin = await upload(LOG_A, admin, true);
    expect(byAdmin.errors).toBeUndefined();
    expect(byAdmin.data!.uploadEventLog.application.uploadedBy).toBe('token:root');
    expect(await stored()).toEqual([ID_A]);
  });

  it('lets an uploader delete only what it uploaded, and an admin anything', async () => {
    expect((await upload(LOG_B, bob)).errors).toBeUndefined();
    const aliceDeletesBob = await query(server, `mutation { deleteApplication(id: "${ID_B}") }`, { token: alice });
    expect(codeOf(aliceDeletesBob)).toBe('FORBIDDEN');
    expect(aliceDeletesBob.body.errors![0]!.message).toMatch(/uploaded by token:bob; only its uploader or an admin may/);
    expect(await stored()).toEqual([ID_A, ID_B]);

    const bobDeletes = await query(server, `mutation { deleteApplication(id: "${ID_B}") }`, { token: bob });
    expect(bobDeletes.body.data).toEqual({ deleteApplication: [ID_B] });
    // ID_A now belongs to root (the admin replaced it): alice may no longer delete it, root may.
    expect(codeOf(await query(server, `mutation { deleteApplication(id: "${ID_A}") }`, { token: alice }))).toBe('FORBIDDEN');
    const adminDeletes = await query(server, `mutation { deleteApplication(id: "${ID_A}") }`, { token: admin });
    expect(adminDeletes.body.data).toEqual({ deleteApplication: [ID_A] });
    expect(await stored()).toEqual([]);
  });

  it('manages tokens through admin-only mutations; a revoked token is refused on the next request', async () => {
    expect(codeOf(await query(server, '{ apiTokens { name } }', { token: alice }))).toBe('FORBIDDEN');
    const created = await query(server, 'mutation { createApiToken(name: "ci", role: VIEWER) { name role secret } }', { token: admin });
    const { secret } = created.body.data!.createApiToken as { secret: string };
    expect(secret).toMatch(/^sst_/);
    expect((await query(server, '{ applications { totalCount } }', { token: secret })).status).toBe(200);
    const listed = await query(server, '{ apiTokens { name role revokedAt } }', { token: admin });
    expect(JSON.stringify(listed.body.data)).not.toContain(secret);
    await query(server, 'mutation { revokeApiToken(nameOrId: "ci") { revokedAt } }', { token: admin });
    expect((await query(server, '{ applications { totalCount } }', { token: secret })).status).toBe(401);
  });

  it('stores only a SHA-256 of each secret', async () => {
    const rows = await server.progress.database.query('SELECT secret_hash FROM api_tokens');
    const hashes = rows.map((row) => row.secret_hash as string);
    expect(hashes.every((hash) => /^[0-9a-f]{64}$/.test(hash))).toBe(true);
    expect(hashes).not.toContain(viewer);
  });
});
