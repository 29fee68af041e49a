import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { STAGED_EVENTS, STAGED_UNREAD_EVENTS, stageEvents, type StagingPlan } from '../../src/parse/stage-events.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/** A Structured Streaming progress report as Spark 3 logs one per micro-batch (abridged). */
function progressEvent(batchId: number): string {
  return JSON.stringify({
    Event: 'org.apache.spark.sql.streaming.StreamingQueryListener$QueryProgressEvent',
    progress: { id: 'q', runId: 'r', batchId, numInputRows: 10, durationMs: { triggerExecution: 300 }, sources: [], sink: { description: 'memory' } },
  });
}

/** A cached block's update, logged with spark.eventLog.logBlockUpdates.enabled. */
function blockUpdated(block: number): string {
  return JSON.stringify({
    Event: 'SparkListenerBlockUpdated',
    'Block Updated Info': {
      'Block Manager ID': { 'Executor ID': '1', Host: 'h', Port: 1 },
      'Block ID': `rdd_0_${block}`,
      'Storage Level': { 'Use Disk': false, 'Use Memory': true, Deserialized: true, Replication: 1 },
      'Memory Size': 100,
      'Disk Size': 0,
    },
  });
}

/** A log of one job, with `extra` lines after its first line. */
function logWith(dir: string, name: string, extra: string[]): { path: string; lines: number } {
  const [first, ...rest] = buildEventLog({ appId: `app-${name}`, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 20 }] }] }] })
    .trim()
    .split('\n');
  const lines = [first!, ...extra, ...rest];
  const path = join(dir, `${name}.json`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, lines: lines.length };
}

async function unreadCounts(connection: DuckDBConnection): Promise<Record<string, number>> {
  const reader = await connection.runAndReadAll(`SELECT kind, sum(n)::INTEGER AS n FROM ${STAGED_UNREAD_EVENTS} GROUP BY kind`);
  return Object.fromEntries(reader.getRowObjectsJS().map((row) => [String(row.kind), Number(row.n)]));
}

async function stagedKinds(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(`SELECT DISTINCT kind FROM ${STAGED_EVENTS} ORDER BY kind`);
  return reader.getRowObjectsJS().map((row) => String(row.kind));
}

describe('events the store does not read', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-unread-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  // The last written with spaces, as a log rewritten by Python's json.dumps is.
  const extra = [progressEvent(0), blockUpdated(0), blockUpdated(1), progressEvent(1), blockUpdated(2), blockUpdated(3).replaceAll('":', '": ')];
  const expected = { 'StreamingQueryListener$QueryProgressEvent': 2, SparkListenerBlockUpdated: 4 };

  // A streaming application logs a progress report per micro-batch, and block updates can outnumber the tasks: held
  // and parsed as staged events only to be counted, they took a 342 MB log of them to 672 MB.
  it.each([
    ['read fast', (path: string): StagingPlan => ({ parts: [{ path, compression: 'none' }] })],
    ['numbered', (path: string): StagingPlan => ({ parts: [{ path, compression: 'none' }], withLineNumbers: true })],
  ])('are counted by name and never staged (%s)', async (_name, planOf) => {
    const { path } = logWith(dir, 'staged', extra);
    await db.database.withConnection(async (connection) => {
      await stageEvents(connection, planOf(path), { scratchDir: dir });
      expect(await unreadCounts(connection)).toEqual(expected);
      const kinds = await stagedKinds(connection);
      expect(kinds).toContain('SparkListenerJobStart');
      expect(kinds).not.toContain('SparkListenerBlockUpdated');
      expect(kinds).not.toContain('StreamingQueryListener$QueryProgressEvent');
    });
  });

  it('count in what an ingest reports, as events read and skipped by type', async () => {
    const plainLog = logWith(dir, 'plain', []);
    const withUnread = logWith(dir, 'with-unread', extra);
    const [before] = (await ingestPaths(db.database, [plainLog.path])).applications;
    const [after] = (await ingestPaths(db.database, [withUnread.path])).applications;
    expect(after!.eventsRead).toBe(before!.eventsRead + extra.length);
    expect(after!.eventsSkipped).toBe(before!.eventsSkipped + extra.length);
    expect(after!.skippedEventTypes).toEqual({ ...before!.skippedEventTypes, ...expected });
    const [row] = plain(await db.database.query('SELECT eventsRead, eventsSkipped FROM applications WHERE appKey = $k', { k: after!.appKey }));
    expect(row).toEqual({ eventsRead: after!.eventsRead, eventsSkipped: after!.eventsSkipped });
  });

  it('are still counted when not written as Spark writes them', async () => {
    // "Event" last: told apart only by parsing the line, as before.
    const reordered = JSON.stringify({ 'Block Updated Info': {}, Event: 'SparkListenerBlockUpdated' });
    const { path } = logWith(dir, 'reordered', [reordered, blockUpdated(0)]);
    const [app] = (await ingestPaths(db.database, [path])).applications;
    expect(app!.skippedEventTypes).toMatchObject({ SparkListenerBlockUpdated: 2 });
  });

  it('a file of nothing but unread events is still not a Spark event log the store can use', async () => {
    const path = join(dir, 'only-unread.json');
    writeFileSync(path, `${[blockUpdated(0), progressEvent(0)].join('\n')}\n`);
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((failure) => failure.error.message)).toEqual([
      expect.stringContaining('only-unread.json is not a Spark event log: none of its 2 JSON lines is a Spark listener event'),
    ]);
  });
});
