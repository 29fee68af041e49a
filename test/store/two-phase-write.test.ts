import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageEvents } from '../../src/parse/stage-events.js';
import { findApplication } from '../../src/store/applications-store.js';
import { writeApplication, type ApplicationIdentity } from '../../src/store/application-writer.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { applicationTables } from '../../src/store/schema.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

const log = eventLogPath('apache-spark', 'local-1430917381534');

function identity(appKey: string, eventsRead = 0): ApplicationIdentity {
  return {
    appKey, appId: appKey, attemptId: null, completed: true, lastUpdated: 0, sourceName: 'x', sourceLayout: 'single',
    eventsRead, eventsSkipped: 0, skippedEventTypes: {}, warnings: [],
  };
}

/** Rows under `appKey` in every table an application writes, by table (only tables holding some). */
async function rowsOf(database: AnalysisDatabase, appKey: string): Promise<Record<string, number>> {
  const [row] = plain(
    await database.query(`SELECT ${applicationTables.map((t) => `(SELECT count(*) FROM ${t} WHERE appKey = $appKey) AS ${t}`).join(', ')}`, { appKey }),
  );
  return Object.fromEntries(Object.entries(row!).filter(([, n]) => (n as number) > 0)) as Record<string, number>;
}

describe('a new application is written in two transactions', () => {
  let db: TempDatabase;
  beforeEach(async () => {
    db = await openTempDatabase();
  });
  afterEach(() => db.dispose());

  it('is invisible while what is derived from its committed rows is computed, and whole afterwards', async () => {
    const seen: Array<{ found: boolean; tasks: number }> = [];
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      await writeApplication(connection, identity('late'), plan, {
        beforeCommit: async () => {
          // Another connection, as a request would read: the task rows are committed, the application is not there.
          const [row] = plain(await db.database.query(`SELECT count(*)::INTEGER AS n FROM tasks WHERE appKey = 'late'`));
          seen.push({ found: (await findApplication(db.database, 'late')) !== undefined, tasks: (row as { n: number }).n });
        },
      });
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.tasks).toBeGreaterThan(0);
    expect(seen[0]!.found).toBe(false);
    expect(await findApplication(db.database, 'late')).toMatchObject({ appKey: 'late' });
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
