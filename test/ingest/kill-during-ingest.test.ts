import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeStaleTempFiles } from '../../src/eventlog/temp-files.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { plain } from '../helpers/database.js';
import { buildEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

const child = resolve('test/helpers/ingest-child.ts');
const jiti = resolve('node_modules/jiti/lib/jiti-cli.mjs');

/** One application in two versions: the second has more tasks and a skewed stage, so its insights differ. */
function version(tasks: number, skewed: boolean): SyntheticApp {
  return {
    appId: 'app-killed',
    jobs: [{
      jobId: 0,
      stages: [{
        stageId: 0,
        tasks: Array.from({ length: tasks }, (_, i) => ({
          durationMs: skewed && i === 0 ? 600_000 : 1_000,
          shuffleReadBytes: skewed && i === 0 ? 2 ** 31 : 2 ** 20,
        })),
      }],
    }],
  };
}

interface Snapshot { apps: number; tasks: number; insights: number; warnings: number }

async function snapshot(dbPath: string): Promise<Snapshot> {
  const database = await AnalysisDatabase.open(dbPath, { memoryLimit: '256MB' });
  try {
    const [row] = plain(await database.query(`SELECT
      (SELECT count(*) FROM applications WHERE appKey = 'app-killed') AS apps,
      (SELECT count(*) FROM tasks WHERE appKey = 'app-killed') AS tasks,
      (SELECT count(*) FROM insights WHERE appKey = 'app-killed') AS insights,
      (SELECT count(*) FROM ingest_warnings WHERE appKey = 'app-killed') AS warnings`));
    return row as unknown as Snapshot;
  } finally {
    database.close();
  }
}

/**
 * Starts the child ingest and SIGKILLs it as soon as it logs `stage`; resolves once it is dead. Its temp files go to a
 * directory of its own, `tempDir`: in the shared one, a server starting in another test worker would remove them first.
 */
function killAt(dbPath: string, logPath: string, stage: string, tempDir: string): Promise<{ reached: boolean; pid: number }> {
  return new Promise((done, fail) => {
    const proc = spawn(process.execPath, [jiti, child, dbPath, logPath], {
      env: { ...process.env, LOG_LEVEL: 'debug', TMPDIR: tempDir, PAUSE_AT_STAGE: stage },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let reached = false;
    createInterface({ input: proc.stdout }).on('line', (line) => {
      if (!reached && line.includes(`"stage":"${stage}"`)) {
        reached = true;
        proc.kill('SIGKILL');
      }
    });
    proc.on('error', fail);
    proc.on('exit', () => done({ reached, pid: proc.pid! }));
  });
}

describe('an ingest killed with SIGKILL between its stages', () => {
  let scratch: string;
  let v1: string;
  let v2: string;
  let before: Snapshot;
  let after: Snapshot;
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-kill-'));
    v1 = join(scratch, 'v1.json');
    v2 = join(scratch, 'v2.json');
    writeFileSync(v1, buildEventLog(version(20, false)));
    writeFileSync(v2, buildEventLog(version(3_000, true)));
    // What each version looks like when stored whole.
    for (const [log, set] of [[v1, (s: Snapshot) => (before = s)], [v2, (s: Snapshot) => (after = s)]] as const) {
      const path = join(scratch, `reference-${set.length}-${log.length}.duckdb`);
      const database = await AnalysisDatabase.open(path, { memoryLimit: '256MB' });
      await ingestPaths(database, [log]);
      database.close();
      set(await snapshot(path));
    }
    expect(before).not.toEqual(after);
    expect(after.insights).toBeGreaterThan(0);
  }, 120_000);
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it.each(['materialized', 'staged', 'rows written', 'insights detected', 'insights written'])(
    'killed after "%s": the database holds the previous version whole, and the killed ingest left no temp files after the next start',
    async (stage) => {
      const dbPath = join(scratch, `${stage.replace(/\s/g, '-')}.duckdb`);
      const database = await AnalysisDatabase.open(dbPath, { memoryLimit: '256MB' });
      await ingestPaths(database, [v1]);
      database.close();

      const childTemp = mkdtempSync(join(scratch, 'tmp-'));
      const { reached, pid } = await killAt(dbPath, v2, stage, childTemp);
      expect(reached).toBe(true);
      expect(await snapshot(dbPath)).toEqual(before);

      const leftovers = readdirSync(childTemp).filter((name) => name.startsWith(`spark-sword-ingest-${pid}-`));
      expect(leftovers).toHaveLength(1);
      await removeStaleTempFiles(childTemp);
      expect(existsSync(join(childTemp, leftovers[0]!))).toBe(false);
    },
    120_000,
  );

  it.each(['rows committed', 'insights detected'])(
    'a first ingest killed after "%s" leaves rows no reader sees, removed when the database is next opened',
    async (stage) => {
      const dbPath = join(scratch, `first-${stage.replace(/\s/g, '-')}.duckdb`);
      (await AnalysisDatabase.open(dbPath, { memoryLimit: '256MB' })).close();

      expect((await killAt(dbPath, v2, stage, mkdtempSync(join(scratch, 'tmp-')))).reached).toBe(true);
      // Read without Spark Sword (whose open removes them): the killed write's task rows are there, its application not.
      const instance = await DuckDBInstance.create(dbPath);
      const connection = await instance.connect();
      const [left] = (
        await connection.runAndReadAll(`SELECT (SELECT count(*) FROM tasks)::INTEGER AS tasks, (SELECT count(*) FROM applications)::INTEGER AS apps`)
      ).getRowObjectsJS();
      connection.closeSync();
      instance.closeSync();
      expect(left).toEqual({ tasks: 3_000, apps: 0 });

      expect(await snapshot(dbPath)).toEqual({ apps: 0, tasks: 0, insights: 0, warnings: 0 });
    },
    120_000,
  );

  it('an ingest that is not killed stores the new version whole', async () => {
    const dbPath = join(scratch, 'not-killed.duckdb');
    const database = await AnalysisDatabase.open(dbPath, { memoryLimit: '256MB' });
    await ingestPaths(database, [v1]);
    database.close();
    const { reached } = await killAt(dbPath, v2, 'never', mkdtempSync(join(scratch, 'tmp-')));
    expect(reached).toBe(false);
    expect(await snapshot(dbPath)).toEqual(after);
  }, 120_000);
});
