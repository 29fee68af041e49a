import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AnalysisDatabase, DatabaseOpenError } from '../../src/store/database.js';
import { capturedCli } from '../helpers/cli.js';
import { plain } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const jiti = resolve('node_modules/jiti/lib/jiti-cli.mjs');
const holder = resolve('test/helpers/hold-database.ts');

/** Another process that holds `dbPath` (and says a server at `url` serves it, when given). */
function holdDatabase(dbPath: string, url?: string): Promise<ChildProcess> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [jiti, holder, dbPath, ...(url ? [url] : [])], {
      env: { ...process.env, LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: proc.stdout! }).once('line', () => done(proc));
    proc.on('error', fail);
    proc.on('exit', (code) => fail(new Error(`the holder exited with ${code}`)));
  });
}

const logOf = (appId: string): string =>
  buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 30 }] }] }] });

describe('the CLI and a database file another process holds', () => {
  let scratch: string;
  let server: TestServer;
  const holders: ChildProcess[] = [];
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-held-'));
    server = await startTestServer();
  });
  afterEach(() => {
    for (const proc of holders.splice(0)) proc.kill('SIGKILL');
  });
  afterAll(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('hands the logs to the server that holds the file, which stores them', async () => {
    const dbPath = join(scratch, 'served.duckdb');
    holders.push(await holdDatabase(dbPath, server.url));
    const log = join(scratch, 'app-handed.json');
    writeFileSync(log, logOf('app-handed'));
    const cli = capturedCli();
    const code = await cli.run(['ingest', '--db', dbPath, log]);
    expect(cli.stderr).toContain(`is held by the server at ${server.url}`);
    expect(cli.stdout).toMatch(/^stored app-handed .*\(completed\) from app-handed/);
    expect(code).toBe(0);
    const rows = plain(await server.temp.database.query("SELECT count(*) AS n FROM tasks WHERE appKey = 'app-handed'"));
    expect(rows).toEqual([{ n: 2 }]);
  }, 60_000);

  it('answers a directory it cannot send with what to do instead', async () => {
    const dbPath = join(scratch, 'served-dir.duckdb');
    holders.push(await holdDatabase(dbPath, server.url));
    const dir = join(scratch, 'logs');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app-dir'), logOf('app-dir'));
    const cli = capturedCli();
    expect(await cli.run(['ingest', '--db', dbPath, dir])).toBe(2);
    expect(cli.stdout).toContain(`rejected ${dir}: ${dir} is a directory, and the server at ${server.url}`);
    expect(cli.stdout).toContain('zip the directory and pass the zip, or stop the server');
  }, 60_000);

  it('says in one line which process holds the file when no server is recorded, and exits 2', async () => {
    const dbPath = join(scratch, 'held.duckdb');
    const proc = await holdDatabase(dbPath);
    holders.push(proc);
    const log = join(scratch, 'app-locked.json');
    writeFileSync(log, logOf('app-locked'));
    const cli = capturedCli();
    expect(await cli.run(['ingest', '--db', dbPath, log])).toBe(2);
    expect(cli.stderr).toBe(
      `spark-sword: ${dbPath} is in use by another process (pid ${proc.pid}): DuckDB lets one process open a database file; stop it or set DUCKDB_PATH to another file\n`,
    );
    await expect(AnalysisDatabase.open(dbPath)).rejects.toBeInstanceOf(DatabaseOpenError);
  }, 60_000);
});

/** A tmpfs is mounted only where the machine allows it (root on Linux); elsewhere these tests are skipped. */
function mountTmpfs(dir: string, options: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('a database on a read-only file system', () => {
  const dir = join(tmpdir(), `spark-sword-ro-${process.pid}`);
  const mounted = mountTmpfs(dir, 'size=16m');
  afterAll(() => {
    if (mounted) execFileSync('umount', [dir]);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('is refused at open with one line that names the file and the fix', async () => {
    const dbPath = join(dir, 'analysis.duckdb');
    (await AnalysisDatabase.open(dbPath, { memoryLimit: '128MB' })).close();
    execFileSync('mount', ['-o', 'remount,ro', dir]);
    const cli = capturedCli();
    const log = join(tmpdir(), `spark-sword-ro-log-${process.pid}.json`);
    writeFileSync(log, logOf('app-ro'));
    try {
      expect(await cli.run(['ingest', '--db', dbPath, log])).toBe(2);
    } finally {
      rmSync(log, { force: true });
    }
    expect(cli.stderr).toMatch(new RegExp(`^spark-sword: ${dbPath} cannot be written \\(read-only file system\\): set DUCKDB_PATH to a writable file\\n$`));
  });
});

describe('a database file that is not one, or of another schema', () => {
  it('is refused at open with one line that names the file and the fix, and exit 2', async () => {
    const notDatabase = join(tmpdir(), `spark-sword-not-a-db-${process.pid}.duckdb`);
    writeFileSync(notDatabase, 'a text file, not a database\n'.repeat(1000));
    const log = join(tmpdir(), `spark-sword-not-a-db-log-${process.pid}.json`);
    writeFileSync(log, logOf('app-not-a-db'));
    const cli = capturedCli();
    try {
      expect(await cli.run(['ingest', '--db', notDatabase, log])).toBe(2);
    } finally {
      rmSync(log, { force: true });
      rmSync(notDatabase, { force: true });
    }
    expect(cli.stderr).toBe(`spark-sword: ${notDatabase} is not a DuckDB database file: set DUCKDB_PATH (or --db) to a Spark Sword database or a new file\n`);
  });
});
