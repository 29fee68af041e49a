import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { ProgressStore } from '../../src/learning/progress/progress-store.js';
import { startServer } from '../../src/server/http-server.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { plain } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/** A small tmpfs, mounted only where the machine allows it (root on Linux); elsewhere the test is skipped. */
function mountTmpfs(dir: string, size: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const logOf = (appId: string, tasks: number): string =>
  buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: tasks }, (_, i) => ({ durationMs: 10 + i })) }] }] });

describe('a full disk', () => {
  const disk = join(tmpdir(), `spark-sword-full-${process.pid}`);
  const mounted = mountTmpfs(disk, '32m');
  const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-full-logs-'));
  afterAll(() => {
    if (mounted) execFileSync('umount', ['-l', disk]);
    if (existsSync(disk)) rmSync(disk, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it.skipIf(!mounted)('fails the ingest with a clear error, /health names the problem, and all works again once space returns, without a restart', async () => {
    const db = await AnalysisDatabase.open(join(disk, 'analysis.duckdb'), { memoryLimit: '512MB' });
    const progress = await ProgressStore.open(join(scratch, 'progress.duckdb'));
    const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const server = await startServer({ config, db, progress });
    try {
      const small = join(scratch, 'small.json');
      writeFileSync(small, logOf('app-small', 5));
      const big = join(scratch, 'big.json');
      writeFileSync(big, logOf('app-big', 60_000));
      expect((await ingestPaths(db, [small])).failures).toEqual([]);

      // Fill what is left of the disk.
      expect(() => writeFileSync(join(disk, 'filler'), Buffer.alloc(40 * 1024 * 1024))).toThrow(/ENOSPC/);
      const full = await ingestPaths(db, [big]);
      expect(full.applications).toEqual([]);
      expect(full.failures.map((f) => f.error.message)).toEqual([
        expect.stringMatching(/^the disk holding .*analysis\.duckdb is full \(No space left on device\): nothing more can be stored until space is freed; the work under way was not stored$/),
      ]);
      const degraded = await fetch(`${server.url}/health`);
      expect(degraded.status).toBe(503);
      expect(((await degraded.json()) as { database: { problem?: string } }).database.problem).toMatch(/is full \(No space left on device\)/);

      rmSync(join(disk, 'filler'));
      const healthy = await fetch(`${server.url}/health`);
      expect({ status: healthy.status, body: await healthy.json() }).toMatchObject({ status: 200, body: { status: 'ok', database: { reachable: true } } });
      expect((await ingestPaths(db, [big])).failures).toEqual([]);
      const rows = plain(await db.query("SELECT appKey, (SELECT count(*) FROM tasks t WHERE t.appKey = a.appKey) AS tasks FROM applications a ORDER BY appKey"));
      expect(rows).toEqual([{ appKey: 'app-big', tasks: 60_000 }, { appKey: 'app-small', tasks: 5 }]);
    } finally {
      await server.stop();
      db.close();
      progress.close();
    }
  }, 120_000);

  const temporary = join(tmpdir(), `spark-sword-full-tmp-${process.pid}`);
  const temporaryMounted = mounted && mountTmpfs(temporary, '64k');
  afterAll(() => {
    if (temporaryMounted) execFileSync('umount', ['-l', temporary]);
    if (existsSync(temporary)) rmSync(temporary, { recursive: true, force: true });
  });

  it.skipIf(!temporaryMounted)('holding the temporary files is named as such, not as the database\'s, and the ingest works once space returns', async () => {
    const db = await AnalysisDatabase.open(join(scratch, 'temporary-full.duckdb'), { memoryLimit: '512MB' });
    // 20,000 executors added: their events are parsed into files in TMPDIR (more than a table would hold well).
    const many = join(scratch, 'many-events.json');
    writeFileSync(many, buildEventLog({
      appId: 'app-many-events',
      executors: Array.from({ length: 20_000 }, (_, i) => ({ id: String(i + 1), host: `host-${i % 50}`, cores: 4 })),
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }],
    }));
    const previous = process.env.TMPDIR;
    try {
      process.env.TMPDIR = temporary;
      const full = await ingestPaths(db, [many]);
      expect(full.applications).toEqual([]);
      expect(full.failures.map((f) => f.error.message)).toEqual([
        expect.stringMatching(new RegExp(`^the disk holding the ingest's temporary files \\(${temporary}/[^)]*\\) is full \\(No space left on device\\)`)),
      ]);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
    try {
      expect((await ingestPaths(db, [many])).failures).toEqual([]);
      expect(plain(await db.query('SELECT count(*)::INTEGER AS n FROM executors'))).toEqual([{ n: 20_001 }]);
    } finally {
      db.close();
    }
  }, 120_000);
});
