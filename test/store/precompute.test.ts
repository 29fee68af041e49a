import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stageEvents } from '../../src/parse/stage-events.js';
import { writeApplication } from '../../src/store/application-writer.js';
import { precomputeFromRows, stageRanges } from '../../src/store/precompute.js';
import { applicationIdentity as identity, openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

describe('app_stages is written a range of stages at a time', () => {
  let db: TempDatabase;
  beforeEach(async () => {
    db = await openTempDatabase();
  });
  afterEach(() => db.dispose());

  const appStages = async (appKey: string): Promise<unknown[]> =>
    plain(await db.database.query(`SELECT * FROM app_stages WHERE appKey = $appKey ORDER BY stageId, attemptId`, { appKey }));

  it('stores the same rows in ranges as in one statement', async () => {
    const log = eventLogPath('apache-spark', 'local-1642039451826');
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      await writeApplication(connection, identity('ranged'), plan);
    });
    const whole = await appStages('ranged');
    expect(whole.length).toBeGreaterThan(2);
    for (const stagesPerInsert of [1, 2]) {
      await db.database.withConnection((connection) => precomputeFromRows(connection, 'ranged', undefined, stagesPerInsert));
      expect(await appStages('ranged')).toEqual(whole);
    }
  });

  it("cuts an application's stage ids into ordered ranges that keep each stage's attempts together", async () => {
    await db.database.withConnection(async (connection) => {
      const rows = [
        ['mine', 7, 0],
        ['mine', 0, 0],
        ['mine', 1, 0],
        ['mine', 1, 1],
        ['mine', 2, 0],
        ['other', 3, 0],
      ];
      for (const [appKey, stageId, attemptId] of rows) {
        await connection.run(`INSERT INTO stages (appKey, stageId, attemptId, status) VALUES ($appKey, $stageId, $attemptId, 'COMPLETE')`, {
          appKey: appKey!,
          stageId: stageId!,
          attemptId: attemptId!,
        });
      }
      expect(await stageRanges(connection, 'mine', 2)).toEqual([
        { first: 0, last: 1 },
        { first: 2, last: 7 },
      ]);
      expect(await stageRanges(connection, 'mine', 1)).toEqual([
        { first: 0, last: 0 },
        { first: 1, last: 1 },
        { first: 2, last: 2 },
        { first: 7, last: 7 },
      ]);
      expect(await stageRanges(connection, 'mine')).toEqual([{ first: 0, last: 7 }]);
      expect(await stageRanges(connection, 'none')).toEqual([]);
    });
  });
});
