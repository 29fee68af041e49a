import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageEvents } from '../../src/parse/stage-events.js';
import { findApplication } from '../../src/store/applications-store.js';
import { writeApplication, type WriteOptions } from '../../src/store/application-writer.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { applicationTables } from '../../src/store/schema.js';
import { applicationIdentity as identity, openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

const log = eventLogPath('apache-spark', 'local-1430917381534');

/** Rows under `appKey` in every table an application writes, by table (only tables holding some). */
async function rowsOf(database: AnalysisDatabase, appKey: string): Promise<Record<string, number>> {
  const [row] = plain(
    await database.query(`SELECT ${applicationTables.map((t) => `(SELECT count(*) FROM ${t} WHERE appKey = $appKey) AS ${t}`).join(', ')}`, { appKey }),
  );
  return Object.fromEntries(Object.entries(row!).filter(([, n]) => (n as number) > 0)) as Record<string, number>;
}

describe('a new application is written in steps, each committed, and visible only when whole', () => {
  let db: TempDatabase;
  beforeEach(async () => {
    db = await openTempDatabase();
  });
  afterEach(() => db.dispose());

  it('is invisible while what is derived from its committed rows is computed, and whole afterwards', async () => {
    const seen: Array<{ found: boolean; tasks: number; stages: number; facts: number }> = [];
    // The key is a parameter: a literal one would let DuckDB prune the kept statement's scans by what it saw first.
    const counts = async (): Promise<{ tasks: number; stages: number; facts: number }> =>
      plain(await db.database.query(`SELECT (SELECT count(*) FROM tasks WHERE appKey = $appKey)::INTEGER AS tasks,
        (SELECT count(*) FROM app_stages WHERE appKey = $appKey)::INTEGER AS stages,
        (SELECT count(*) FROM app_resource_facts WHERE appKey = $appKey)::INTEGER AS facts`, { appKey: 'late' }))[0] as {
        tasks: number; stages: number; facts: number;
      };
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      await writeApplication(connection, identity('late'), plan, {
        beforeCommit: async () => {
          // Another connection, as a request would read: the task rows and the answers computed from the rows alone are
          // committed (the analysis does not hold them), the application row and what reads it are not there.
          seen.push({ found: (await findApplication(db.database, 'late')) !== undefined, ...(await counts()) });
        },
      });
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tasks).toBeGreaterThan(0);
    expect(seen[0]!.stages).toBeGreaterThan(0);
    expect(seen[0]!.facts).toBe(0);
    expect(seen[0]!.found).toBe(false);
    expect(await findApplication(db.database, 'late')).toMatchObject({ appKey: 'late' });
    expect((await counts()).facts).toBe(1);
  });

  it('leaves no row of it when the second transaction fails', async () => {
    let committed: Record<string, number> = {};
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      // A NaN event count fails the application row, the first statement of the second transaction.
      const write = writeApplication(connection, identity('failed', Number.NaN), plan, {
        afterRowsCommitted: async () => {
          committed = await rowsOf(db.database, 'failed');
        },
      });
      await expect(write).rejects.toThrow();
    });
    expect(committed.tasks).toBeGreaterThan(0);
    expect(await rowsOf(db.database, 'failed')).toEqual({});
  });

  /**
   * Writes the shared log with a task index past what the field holds, refused once the task rows are written (after
   * the other rows were committed), and expects nothing of it left.
   */
  async function refusedAfterRowsCommitted(options: WriteOptions = {}): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-steps-'));
    try {
      const lines = readFileSync(log, 'utf8').split('\n');
      const taskEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'));
      lines[taskEnd] = lines[taskEnd]!.replace(/"Index":\d+/, `"Index":${2 ** 40}`);
      const broken = join(dir, 'broken.json');
      writeFileSync(broken, lines.join('\n'));
      await db.database.withConnection(async (connection) => {
        const plan = await stageEvents(connection, { parts: [{ path: broken, compression: 'none' }] });
        await expect(writeApplication(connection, identity('refused'), plan, options)).rejects.toThrow(/Index/);
      });
      expect(await rowsOf(db.database, 'refused')).toEqual({});
      expect(await findApplication(db.database, 'refused')).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('leaves no row of it when its task rows fail after its other rows were committed', async () => {
    await refusedAfterRowsCommitted();
  });

  it('commits the event rows and precomputed answers of a long log table by table: written whole, none left when it fails', async () => {
    await db.database.withConnection(async (connection) => {
      for (const [appKey, commitEachTableEvents] of [['whole', Infinity], ['table-by-table', 0]] as const) {
        const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
        await writeApplication(connection, identity(appKey), plan, { commitEachTableEvents });
      }
    });
    const whole = await rowsOf(db.database, 'whole');
    expect(whole.jobs).toBeGreaterThan(0);
    expect(whole.app_stages).toBeGreaterThan(0);
    expect(whole.app_task_quantiles).toBeGreaterThan(0);
    expect(await rowsOf(db.database, 'table-by-table')).toEqual(whole);
    await refusedAfterRowsCommitted({ commitEachTableEvents: 0 });
  });

  it("writes a long log's stages a range of stage ids at a time, to the same rows, planned and skipped ones included", async () => {
    // A TPC-DS query on Dataproc: 62 stage attempts, 13 of them planned by a job and skipped.
    const query = eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd');
    await db.database.withConnection(async (connection) => {
      for (const [appKey, options] of [['whole', { commitEachTableEvents: Infinity }], ['ranges', { commitEachTableEvents: 0, stagesPerInsert: 5 }]] as const) {
        const plan = await stageEvents(connection, { parts: [{ path: query, compression: 'zstd' }] });
        await writeApplication(connection, identity(appKey), plan, options);
      }
    });
    const stagesOf = async (appKey: string): Promise<unknown[]> =>
      plain(await db.database.query('SELECT * EXCLUDE (appKey) FROM stages WHERE appKey = $appKey ORDER BY stageId, attemptId', { appKey }));
    const whole = await stagesOf('whole');
    expect(whole).toHaveLength(62);
    expect(whole.filter((stage) => (stage as { status: string }).status === 'SKIPPED')).toHaveLength(13);
    expect(await stagesOf('ranges')).toEqual(whole);
  });

  it('holds none of the staged events once its rows are committed, only what its application row takes', async () => {
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      let stagedTables: string[] = [];
      await writeApplication(connection, identity('stepped'), plan, {
        afterRowsCommitted: async () => {
          const reader = await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE temporary ORDER BY 1`);
          stagedTables = reader.getRowObjectsJS().map((row) => String(row.table_name));
        },
      });
      expect(stagedTables).not.toContain('staged_events');
      expect(stagedTables).toContain('staged_application');
    });
    expect(await findApplication(db.database, 'stepped')).toMatchObject({ appKey: 'stepped' });
  });

  it('has rows a killed write left behind removed when the database is next opened, and only those', async () => {
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      await writeApplication(connection, identity('kept'), plan);
      // What a process killed between the two transactions leaves: rows under a number, no application row.
      await connection.run(`DELETE FROM applications WHERE appKey = 'kept'`);
    });
    const keptRows = await rowsOf(db.database, 'kept');
    expect(keptRows.tasks).toBeGreaterThan(0);
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      await writeApplication(connection, identity('stored'), plan);
    });
    const storedRows = await rowsOf(db.database, 'stored');
    db.database.close();

    const reopened = await AnalysisDatabase.open(db.path);
    try {
      expect(await rowsOf(reopened, 'kept')).toEqual({});
      expect(await rowsOf(reopened, 'stored')).toEqual(storedRows);
    } finally {
      reopened.close();
    }
  });
});
