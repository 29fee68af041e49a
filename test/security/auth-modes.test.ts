import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ProgressStore } from '../../src/learning/progress/progress-store.js';
import { startServer } from '../../src/server/http-server.js';
import { checkOpenModeExposure, isLoopbackHost } from '../../src/server/request-access.js';
import { UploadEventLogDocument } from '../generated/graphql.js';
import { capturedCli } from '../helpers/cli.js';
import { CookieJar } from '../helpers/cookie-jar.js';
import { openTempDatabase } from '../helpers/database.js';
import { startFakeGoogle, type FakeGoogle } from '../helpers/google-idp.js';
import { gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { codeOf, query } from './helpers.js';

describe('AUTH_MODE=open', () => {
  it('is refused at start-up on a non-loopback interface, before anything listens', async () => {
    const temp = await openTempDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-open-'));
    const progress = await ProgressStore.open(join(dir, 'progress.duckdb'));
    try {
      const config = loadConfig({ PORT: '0', HOST: '0.0.0.0', LOG_LEVEL: 'silent', NODE_ENV: 'test' });
      const start = startServer({ config, db: temp.database, progress });
      await expect(start).rejects.toThrow(ConfigError);
      await expect(start).rejects.toThrow(/AUTH_MODE=open .* HOST=0\.0\.0\.0 is not\. Set AUTH_MODE=token/);
    } finally {
      progress.close();
      temp.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is allowed on the network only with ALLOW_OPEN_ON_NETWORK=true, with a warning in the log', () => {
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, new Writable({
        write: (chunk: Buffer, _encoding, done) => {
          lines.push(String(chunk));
          done();
        },
      }));
    const exposed = loadConfig({ HOST: '0.0.0.0', ALLOW_OPEN_ON_NETWORK: 'true' });
    expect(() => checkOpenModeExposure(exposed, log)).not.toThrow();
    expect(lines.join('')).toMatch(/"level":40.*anyone who reaches this port is admin/);
    expect(() => checkOpenModeExposure(loadConfig({ HOST: '0.0.0.0', ALLOW_OPEN_ON_NETWORK: 'false' }), log)).toThrow(ConfigError);
    // Token mode may listen anywhere.
    expect(() => checkOpenModeExposure(loadConfig({ HOST: '0.0.0.0', AUTH_MODE: 'token' }), log)).not.toThrow();
    expect(['localhost', '127.0.0.1', '127.1.2.3', '::1'].every(isLoopbackHost)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.5', 'example.com'].some(isLoopbackHost)).toBe(false);
  });

  it('is the default: on loopback everyone is the local admin, and uploads are recorded as "local"', async () => {
    const server = await startTestServer();
    try {
      const access = await query(server, '{ access { mode role subject } }');
      expect(access.body.data!.access).toEqual({ mode: 'OPEN', role: 'ADMIN', subject: 'local' });
      const uploaded = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', 'local-1422981780767'));
      expect(uploaded.data!.uploadEventLog.application.uploadedBy).toBe('local');
      // Even open, replacing is explicit.
      const again = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', 'local-1422981780767'));
      expect(codeOf(again)).toBe('BAD_USER_INPUT');
    } finally {
      await server.close();
    }
  });
});

describe('configuration of the modes', () => {
  it('refuses an unknown mode, and Google mode without a client id or anyone to let in', () => {
    expect(() => loadConfig({ AUTH_MODE: 'everyone' })).toThrow(/AUTH_MODE/);
    expect(() => loadConfig({ AUTH_MODE: 'google' })).toThrow(/GOOGLE_CLIENT_ID: AUTH_MODE=google needs GOOGLE_CLIENT_ID/);
    expect(() =>
      loadConfig({ AUTH_MODE: 'google', GOOGLE_CLIENT_ID: 'x', JWT_SECRET_KEY: 'k'.repeat(32) }),
    ).toThrow(/ADMIN_EMAILS: AUTH_MODE=google needs ADMIN_EMAILS or GOOGLE_ALLOWED_DOMAINS/);
    expect(() => loadConfig({ MAX_UPLOAD_BYTES: '1000', MAX_DECOMPRESSED_BYTES: '10' })).toThrow(/MAX_DECOMPRESSED_BYTES must be at least/);
  });
});

describe('AUTH_MODE=google', () => {
  let google: FakeGoogle;
  let server: TestServer;
  beforeAll(async () => {
    google = await startFakeGoogle();
    server = await startTestServer({
      ...google.serverEnv(),
      AUTH_MODE: 'google',
      ADMIN_EMAILS: 'Boss@Example.com',
      GOOGLE_ALLOWED_DOMAINS: 'example.com',
      GOOGLE_DOMAIN_ROLE: 'viewer',
    });
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
  });

  async function signedIn(sub: string, email: string, verified = true): Promise<CookieJar> {
    const jar = new CookieJar();
    const idToken = await google.mintIdToken({ sub, email, email_verified: verified });
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($t: String!) { signInWithGoogle(idToken: $t) { role } }', variables: { t: idToken } }),
    });
    jar.store(response.headers);
    return jar;
  }
  const ask = async (jar: CookieJar, text: string) =>
    query(server, text, { headers: jar.headers() });

  it('gives ADMIN_EMAILS the admin role and the allowed domain GOOGLE_DOMAIN_ROLE', async () => {
    const boss = await signedIn('boss', 'boss@example.com');
    expect((await ask(boss, '{ me { role } access { role subject } }')).body.data).toEqual({
      me: { role: 'ADMIN' },
      access: { role: 'ADMIN', subject: 'google:boss@example.com' },
    });
    const dev = await signedIn('dev', 'dev@example.com');
    const read = await ask(dev, '{ applications { totalCount } access { role } }');
    expect(read.body.data).toEqual({ applications: { totalCount: 0 }, access: { role: 'VIEWER' } });
    const remove = await ask(dev, 'mutation { deleteApplication(id: "x") }');
    expect(remove.status).toBe(403);
  });

  it('lets in no one else: another domain, an unverified email, or no sign-in at all', async () => {
    for (const jar of [await signedIn('out', 'someone@elsewhere.org'), await signedIn('unv', 'unverified@example.com', false), new CookieJar()]) {
      const answer = await ask(jar, '{ applications { totalCount } }');
      expect(answer.status).toBe(401);
      expect(codeOf(answer)).toBe('UNAUTHENTICATED');
    }
  });
});

/** Another process with `path` open in DuckDB (as a running server has), until killed. */
async function holdDuckDbFile(path: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['-e', `require('@duckdb/node-api').DuckDBInstance.create(${JSON.stringify(path)}).then(() => console.log('ready')); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the DuckDB holder exited with ${code}`)));
  });
  return child;
}

describe('spark-sword token', () => {
  it('creates a token a server accepts, lists it without its secret, and revokes it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-token-cli-'));
    const progressPath = join(dir, 'progress.duckdb');
    const cli = capturedCli();
    try {
      expect(await cli.run(['token', 'create', '--role', 'uploader', '--name', 'ci-nightly', '--progress-db', progressPath, '--json'])).toBe(0);
      const created = JSON.parse(cli.stdout) as { token: string; role: string; name: string };
      expect(created).toMatchObject({ role: 'uploader', name: 'ci-nightly' });
      expect(await cli.run(['token', 'create', '--role', 'owner', '--name', 'x', '--progress-db', progressPath])).toBe(2);
      expect(cli.stderr).toMatch(/Role "owner" is not one of viewer, uploader, admin/);

      let server = await startTestServer({ AUTH_MODE: 'token' }, { progressPath });
      try {
        const answer = await query(server, '{ access { role subject } }', { token: created.token });
        expect(answer.body.data!.access).toEqual({ role: 'UPLOADER', subject: 'token:ci-nightly' });
      } finally {
        await server.close();
      }
      // A server in another process holds the file: the CLI says so instead of failing obscurely.
      const holder = await holdDuckDbFile(progressPath);
      try {
        expect(await cli.run(['token', 'list', '--progress-db', progressPath])).toBe(2);
        expect(cli.stderr).toMatch(/held by a running server .* stop the server first, or have an admin use the createApiToken/);
      } finally {
        // The lock goes with the process: wait for it to be gone, not just signalled.
        const exited = once(holder, 'exit');
        holder.kill();
        await exited;
      }

      expect(await cli.run(['token', 'list', '--progress-db', progressPath])).toBe(0);
      expect(cli.stdout).toMatch(/^ci-nightly\tuploader\tlive$/m);
      expect(cli.stdout).not.toContain(created.token);
      expect(await cli.run(['token', 'revoke', 'ci-nightly', '--progress-db', progressPath])).toBe(0);

      server = await startTestServer({ AUTH_MODE: 'token' }, { progressPath });
      try {
        expect((await query(server, '{ applications { totalCount } }', { token: created.token })).status).toBe(401);
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
