import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { openTempDatabase, plain, useDatabaseAndScratch, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

describe('ingesting the History Server suite logs (apache-spark/)', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await openTempDatabase();
  });
  afterAll(() => db.dispose());

  it('stores every application attempt, keyed by the id in the log rather than the file name', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('apache-spark')]);
    expect(report.failures).toEqual([]);
    expect(report.applications).toHaveLength(18);
    const keys = plain(await db.database.query('SELECT appKey FROM applications ORDER BY appKey')).map((r) => r.appKey);
    expect(keys).toContain('local-1426533911241/1');
    expect(keys).toContain('local-1426533911241/2'); // from the file named local-1426633911242
    expect(keys).toContain('local-1430917381535/1');
    expect(keys).toContain('local-1430917381535/2');
    expect(keys).toContain('local-1422981780767');
    expect(new Set(keys).size).toBe(18);
  });

  it('reads Spark 1.2 logs, which have no SparkListenerLogStart, with their task metrics', async () => {
    const [app] = plain(await db.database.query(`SELECT * FROM v_applications WHERE appKey = 'local-1422981780767'`));
    expect(app).toMatchObject({ name: 'Spark shell', sparkVersion: null, completed: true, totalJobs: 3 });
    const [stage] = plain(
      await db.database.query(`SELECT numTasks, numCompleteTasks, numFailedTasks, executorRunTime, status
        FROM v_stages WHERE appKey = 'local-1422981780767' AND stageId = 2`),
    );
    expect(stage).toMatchObject({ status: 'FAILED', numTasks: 8, numCompleteTasks: 7, numFailedTasks: 1 });
  });

  it('replaces an application attempt when it is ingested again', async () => {
    const before = plain(await db.database.query(`SELECT count(*) AS n FROM tasks`))[0];
    await ingestPaths(db.database, [eventLogPath('apache-spark', 'local-1430917381534')]);
    const after = plain(await db.database.query(`SELECT count(*) AS n FROM tasks`))[0];
    expect(after).toEqual(before);
  });
});

describe("an application's id and attempt id", () => {
  const scratch = useDatabaseAndScratch('application-ids');

  it('when the attempt id is empty, are stored as an application of no attempt, so its key and its attempt agree', async () => {
    const log = buildEventLog({ appId: 'app-empty-attempt', jobs: [] })
      .replace('"Event":"SparkListenerApplicationStart",', '"Event":"SparkListenerApplicationStart","App Attempt ID":"",');
    expect(log).toContain('"App Attempt ID":""');
    const path = join(scratch.dir, 'app.json');
    writeFileSync(path, log);
    const report = await ingestPaths(scratch.db.database, [path]);
    expect(report.applications.map(({ appKey, attemptId }) => ({ appKey, attemptId }))).toEqual([{ appKey: 'app-empty-attempt', attemptId: null }]);
    expect(plain(await scratch.db.database.query(`SELECT appKey, attemptId FROM applications`))).toEqual([{ appKey: 'app-empty-attempt', attemptId: null }]);
  });

  it('is refused when its id or attempt holds a "/", which would make it the key of another application', async () => {
    const start = (appId: string, attemptId: string | null): string => {
      const path = join(scratch.dir, `${appId}-${attemptId ?? 'none'}.json`.replaceAll('/', '_'));
      const attempt = attemptId === null ? '' : `"App Attempt ID":"${attemptId}",`;
      writeFileSync(path, buildEventLog({ appId, jobs: [] }).replace('"Event":"SparkListenerApplicationStart",', `"Event":"SparkListenerApplicationStart",${attempt}`));
      return path;
    };
    const stored = await ingestPaths(scratch.db.database, [start('app-x', '1')]);
    expect(stored.applications.map((app) => app.appKey)).toEqual(['app-x/1']);
    // Each would be stored under a key of the form app/attempt that another application owns.
    const refused = await ingestPaths(scratch.db.database, [start('app-x/1', null), start('app', 'x/1')]);
    expect(refused.applications).toEqual([]);
    expect(refused.failures.map((failure) => failure.error.message)).toEqual([
      expect.stringContaining('its application id "app-x/1" holds a "/"'),
      expect.stringContaining('its attempt id "x/1" holds a "/"'),
    ]);
    expect(plain(await scratch.db.database.query(`SELECT appKey, attemptId FROM applications WHERE appId = 'app-x'`))).toEqual([{ appKey: 'app-x/1', attemptId: '1' }]);
  });
});
