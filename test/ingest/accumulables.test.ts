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

  it('keeps a task end\'s user accumulators and vendor metrics as written, whatever their values, and nothing else', async () => {
    // A counter in every task puts one on every task end, beside the internal metrics Spark logs for each.
    const internal = { ID: 1, Name: 'internal.metrics.executorRunTime', Update: 5, Value: 5, Internal: true, 'Count Failed Values': true };
    const counter = { ID: 9, Name: 'records "kept"', Update: 3, Value: 12, Internal: false, 'Count Failed Values': false };
    const collection = { ID: 10, Name: 'seen ids', Update: [1, 2], Value: [1, 2, 3], Internal: false, 'Count Failed Values': false };
    const vendor = { ID: 11, Name: 'sort peak memory usage', Update: '4096', Value: '4096', Internal: false, 'Count Failed Values': true, Metadata: 'sql' };
    const kept = [
      { id: 9, name: 'records "kept"', update: '3', value: '12', internal: false, metadata: null },
      { id: 10, name: 'seen ids', update: '[1,2]', value: '[1,2,3]', internal: false, metadata: null },
      { id: 11, name: 'sort peak memory usage', update: '4096', value: '4096', internal: false, metadata: 'sql' },
    ];
    expect(await stored('app-every-kind', [internal, counter, sqlMetric(1000), collection, vendor])).toEqual([kept, kept]);
  });

  it('keeps the accumulables of a task end written before Spark marked internal ones (Spark 1.x)', async () => {
    const old = { ID: 4, Name: 'rows', Update: '1', Value: '2' };
    expect(await stored('app-spark-1', [old])).toEqual([
      [{ id: 4, name: 'rows', update: '1', value: '2', internal: false, metadata: null }],
      [{ id: 4, name: 'rows', update: '1', value: '2', internal: false, metadata: null }],
    ]);
  });

  it('stores no accumulator for task ends holding only SQL metrics and internal metrics', async () => {
    const internal = { ID: 1, Name: 'internal.metrics.executorRunTime', Update: 5, Value: 5, Internal: true, 'Count Failed Values': true };
    expect(await stored('app-sql-only', [internal, ...sqlMetrics])).toEqual([[], []]);
  });
});
