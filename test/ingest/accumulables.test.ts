import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const sqlMetric = (id: number): object => ({
  ID: id, Name: 'number of output rows', Update: '5', Value: '10', Internal: false, 'Count Failed Values': true, Metadata: 'sql',
});

/** A log whose every task end carries `accumulables` (as Spark writes them, in JsonProtocol's key order). */
function logWith(appId: string, accumulables: object[]): string {
  return buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 20 }] }] }] })
    .split('\n')
    .map((line) => {
      if (!line.startsWith('{"Event":"SparkListenerTaskEnd"')) return line;
      const event = JSON.parse(line) as { 'Task Info': Record<string, unknown> };
      event['Task Info'].Accumulables = accumulables;
      return JSON.stringify(event);
    })
    .join('\n');
}

describe('task accumulables among hundreds of SQL metrics (Photon, RAPIDS)', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-acc-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const stored = async (appId: string, accumulables: object[]): Promise<unknown[]> => {
    const path = join(scratch, `${appId}.json`);
    writeFileSync(path, logWith(appId, accumulables));
    await ingestPaths(db.database, [path]);
    return plain(await db.database.query('SELECT taskId, accumulables FROM tasks WHERE appKey = $k ORDER BY taskId', { k: appId }))
      .map((row) => row.accumulables);
  };
  const sqlMetrics = Array.from({ length: 300 }, (_, i) => sqlMetric(1000 + i));

  it('keeps a user accumulator that sits among 300 SQL metrics', async () => {
    const user = { ID: 7, Name: 'rows seen', Update: '3', Value: '9', Internal: false, 'Count Failed Values': false };
    const tagged = { ID: 8, Name: 'tagged', Update: '1', Value: '2', Internal: false, 'Count Failed Values': true, Metadata: 'mine' };
    expect(await stored('app-user-acc', [...sqlMetrics.slice(0, 150), user, ...sqlMetrics.slice(150), tagged])).toEqual([
      [
        { id: 7, name: 'rows seen', update: '3', value: '9', internal: false, metadata: null },
        { id: 8, name: 'tagged', update: '1', value: '2', internal: false, metadata: 'mine' },
      ],
      [
        { id: 7, name: 'rows seen', update: '3', value: '9', internal: false, metadata: null },
        { id: 8, name: 'tagged', update: '1', value: '2', internal: false, metadata: 'mine' },
      ],
    ]);
  });

  it('stores no accumulator for task ends holding only SQL metrics and internal metrics', async () => {
    const internal = { ID: 1, Name: 'internal.metrics.executorRunTime', Update: 5, Value: 5, Internal: true, 'Count Failed Values': true };
    expect(await stored('app-sql-only', [internal, ...sqlMetrics])).toEqual([[], []]);
  });
});
