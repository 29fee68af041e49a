import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { executorLogsOf, executorsByApp } from '../../src/store/executors-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * The executor reads REST answers are built from. An application of dynamic allocation can add and remove tens of
 * thousands of executors; /executors and the stage pages need few of them, so the store filters them in SQL.
 */

// A YARN application with dynamic allocation: ten executors added, six of them removed.
const appId = 'application_1628109047826_1317105';
let db: TempDatabase;
let appKey: string;

beforeAll(async () => {
  db = await openTempDatabase();
  const report = await ingestPaths(db.database, [eventLogPath('apache-spark', appId)]);
  expect(report.failures).toEqual([]);
  appKey = report.applications[0]!.appKey;
}, 60_000);
afterAll(() => db?.dispose());

describe('executorsByApp', () => {
  it('lists every executor, or only the active ones when asked', async () => {
    const [all] = await executorsByApp(db.database, [appKey]);
    const [active] = await executorsByApp(db.database, [appKey], { activeOnly: true });
    const removed = all!.filter((executor) => !executor.isActive);
    expect(removed.length).toBe(6);
    expect(active!.map((executor) => executor.id)).toEqual(
      all!.filter((executor) => executor.isActive).map((executor) => executor.id),
    );
    expect(active!.length).toBe(all!.length - removed.length);
  });
});

describe('executorLogsOf', () => {
  it("gives the log links of the executors asked for, removed ones included, and nothing else", async () => {
    const [all] = await executorsByApp(db.database, [appKey]);
    const removed = all!.find((executor) => !executor.isActive)!;
    const active = all!.find((executor) => executor.isActive && executor.id !== 'driver')!;
    const logs = await executorLogsOf(db.database, appKey, [removed.id, active.id, 'no-such-executor']);
    expect([...logs.keys()].sort()).toEqual([removed.id, active.id].sort());
    expect(logs.get(removed.id)).toEqual(removed.executorLogs);
    expect(Object.keys(logs.get(active.id)!).length).toBeGreaterThan(0);
    expect(logs.get(active.id)).toEqual(active.executorLogs);
  });

  it('reads nothing for no executors', async () => {
    expect((await executorLogsOf(db.database, appKey, [])).size).toBe(0);
  });
});
