import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import type { DuckDbInput } from '../../src/eventlog/discover.js';
import { dropStagedTables, stageEvents, STAGED_EVENTS, type StagingOptions } from '../../src/parse/stage-events.js';
import { writeApplication } from '../../src/store/application-writer.js';
import { applicationTables } from '../../src/store/schema.js';
import { applicationIdentity, openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { stagedEventsAsJson } from '../helpers/plan-texts.js';
import { sharedLogParts } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const reshape = (tree: unknown): unknown => shuffleSkeleton(tree as PlanNode);

/** The staged events of `parts`, in order, staged with `options`; or the error staging throws. */
async function staged(connection: DuckDBConnection, parts: DuckDbInput[], options: StagingOptions): Promise<string[]> {
  try {
    await stageEvents(connection, { parts }, options);
  } catch (error) {
    return [`error: ${(error as Error).constructor.name} ${(error as Error).message}`];
  }
  return stagedEventsAsJson(connection);
}

/** Whether the staged events are read from files (a view) rather than held as a table. */
async function stagedEventsAreFiles(connection: DuckDBConnection): Promise<boolean> {
  const reader = await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE temporary AND view_name = '${STAGED_EVENTS}'`);
  return Number(reader.getRowObjectsJS()[0]!.n) === 1;
}

describe('the lines a log is parsed from, spilled to a file when they are many', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-spilled-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Every row stored under `appKey` but its application row (which holds when it was stored), by table, without the key and number. */
  async function rowsOf(appKey: string): Promise<Record<string, string[]>> {
    const rows: Record<string, string[]> = {};
    for (const table of applicationTables.filter((name) => name !== 'applications')) {
      await db.database.withConnection(async (connection) => {
        const columns = (await connection.runAndReadAll(`SELECT column_name AS c FROM information_schema.columns
            WHERE table_name = '${table}' AND column_name NOT IN ('appKey', 'appNo') ORDER BY ordinal_position`))
          .getRowObjectsJS().map((row) => `"${String(row.c)}"`);
        if (columns.length === 0) return; // application_numbers: the key and the number alone
        const reader = await connection.runAndReadAll(`SELECT to_json(r)::VARCHAR AS row FROM (
            SELECT ${columns.join(', ')} FROM ${table} WHERE appKey = $appKey) r ORDER BY 1`, { appKey });
        rows[table] = reader.getRowObjectsJS().map((row) => String(row.row));
      });
    }
    return rows;
  }

  it('stage every shared log exactly as when they stay in memory, and leave no file behind', async () => {
    let compared = 0;
    for await (const { source, parts, tempDir } of sharedLogParts(scratch)) {
      await db.database.withConnection(async (connection) => {
        const kept = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir });
        const spilled = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir, spilledLinesBytes: -1 });
        expect(spilled, source.name).toEqual(kept);
      });
      expect(readdirSync(tempDir).filter((name) => name.endsWith('.parquet')), source.name).toEqual([]);
      compared += 1;
    }
    expect(compared).toBeGreaterThanOrEqual(40);
  }, 300_000);

  it('store the same rows from events read from files as from memory, by turns on the ingest\'s write connection', async () => {
    // The write connection keeps the statements it runs twice; the staged events it reads are a table for one log and
    // a view over files for the next, so kept statements are bound to both by turns.
    const written: string[] = [];
    let logs = 0;
    for await (const { source, parts, tempDir } of sharedLogParts(scratch)) {
      if (logs === 8) break;
      logs += 1;
      await db.database.withWriteConnection(async (connection) => {
        // Kept in memory; lines and events spilled; events alone spilled (a log of many short events).
        for (const [mode, spilled] of [['kept', {}], ['lines', { spilledLinesBytes: -1 }], ['events', { spilledEventLines: -1 }]] as const) {
          const appKey = `${source.name}-${mode}`;
          const plan = await stageEvents(connection, { parts }, { supersededPlanTree: reshape, scratchDir: tempDir, ...spilled });
          await writeApplication(connection, applicationIdentity(appKey), plan);
          written.push(appKey);
        }
      });
    }
    expect(logs).toBe(8);
    let stages = 0;
    for (let i = 0; i < written.length; i += 3) {
      const kept = await rowsOf(written[i]!);
      stages += kept.app_stages!.length;
      expect(await rowsOf(written[i + 1]!), written[i + 1]).toEqual(kept);
      expect(await rowsOf(written[i + 2]!), written[i + 2]).toEqual(kept);
    }
    expect(stages).toBeGreaterThan(0);
  }, 300_000);

  it('keep none of the files the events were read from in memory once the rows are written', async () => {
    // DuckDB can cache the files it reads; these are read a few times each and then deleted, so a cache of them only
    // held memory (~20-30 MB of a long log's ingest, until the end).
    const lines = buildEventLog({
      appId: 'app-files',
      jobs: Array.from({ length: 12 }, (_, jobId) => ({ jobId, stages: [{ stageId: jobId, tasks: [{ durationMs: 10 }] }] })),
    });
    const path = join(scratch, 'files.json');
    writeFileSync(path, lines);
    const tempDir = mkdtempSync(join(scratch, 'files-'));
    const cached = await db.database.withWriteConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path, compression: 'none' }] }, {
        supersededPlanTree: reshape,
        scratchDir: tempDir,
        spilledLinesBytes: -1,
        spilledEventLines: -1,
      });
      expect(await stagedEventsAreFiles(connection)).toBe(true);
      await writeApplication(connection, applicationIdentity('app-files'), plan);
      const reader = await connection.runAndReadAll(`SELECT coalesce(sum(memory_usage_bytes), 0)::DOUBLE AS bytes
        FROM duckdb_memory() WHERE tag = 'EXTERNAL_FILE_CACHE'`);
      return Number(reader.getRowObjectsJS()[0]!.bytes);
    });
    expect((await rowsOf('app-files')).jobs).toHaveLength(12);
    expect(cached).toBe(0);
  });

  it('write the events of a log rolled into parts to files once the parts staged so far pass the threshold', async () => {
    const lines = buildEventLog({
      appId: 'app-rolled',
      jobs: Array.from({ length: 12 }, (_, jobId) => ({ jobId, stages: [{ stageId: jobId, tasks: [{ durationMs: 10 }] }] })),
    }).trim().split('\n');
    const half = Math.floor(lines.length / 2);
    const parts: DuckDbInput[] = [lines.slice(0, half), lines.slice(half)].map((partLines, i) => {
      const path = join(scratch, `rolled-${i}.json`);
      writeFileSync(path, [...partLines, ''].join('\n'));
      return { path, compression: 'none' };
    });
    const tempDir = mkdtempSync(join(scratch, 'rolled-'));
    await db.database.withConnection(async (connection) => {
      // The first part alone stays under the threshold; with the second, the parts pass it.
      await stageEvents(connection, { parts: [parts[0]!] }, { supersededPlanTree: reshape, scratchDir: tempDir });
      const [first] = (await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${STAGED_EVENTS}`)).getRowObjectsJS();
      const spilledEventLines = Number(first!.n);
      const kept = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir });
      expect(await stagedEventsAreFiles(connection)).toBe(false);
      const rolled = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir, spilledEventLines });
      expect(await stagedEventsAreFiles(connection)).toBe(true);
      expect(rolled).toEqual(kept);
      expect(kept.filter((row) => row.includes('SparkListenerJobStart'))).toHaveLength(12);
      await dropStagedTables(connection);
    });
    expect(readdirSync(tempDir)).toEqual([]);
  });

  it('stage a log whose many superseded plan updates are rewritten before the parse exactly as when kept in memory', async () => {
    // Sixty 200 KB re-plans of one query: superseded updates past the rewrite's threshold, none long enough to defer.
    const [first, ...rest] = buildEventLog({ appId: 'app-replans', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] })
      .trim()
      .split('\n');
    const updates = Array.from({ length: 60 }, (_, version) =>
      JSON.stringify({
        Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate',
        executionId: 0,
        physicalPlanDescription: `plan ${version}\n${'x'.repeat(200_000)}`,
        sparkPlanInfo: {
          nodeName: 'AdaptiveSparkPlan', simpleString: `v${version}`, metrics: [],
          children: [{ nodeName: 'Exchange', simpleString: 'Exchange hashpartitioning(k#1, 200)', metrics: [], children: [] }],
        },
      }),
    );
    const log = join(scratch, 'replans.json');
    writeFileSync(log, [first, ...updates, ...rest, ''].join('\n'));
    const parts: DuckDbInput[] = [{ path: log, compression: 'none' }];
    const tempDir = mkdtempSync(join(scratch, 'replans-'));
    // What the scratch directory holds when the first superseded tree is reshaped, after the split.
    const scratchWhileReshaping = (seen: string[][]) => (tree: unknown): unknown => {
      if (seen.length === 0) seen.push(readdirSync(tempDir).filter((name) => name.startsWith('part-')));
      return reshape(tree);
    };
    await db.database.withConnection(async (connection) => {
      const keptScratch: string[][] = [];
      const spilledScratch: string[][] = [];
      const kept = await staged(connection, parts, { supersededPlanTree: scratchWhileReshaping(keptScratch), scratchDir: tempDir });
      const spilled = await staged(connection, parts, {
        supersededPlanTree: scratchWhileReshaping(spilledScratch), scratchDir: tempDir, spilledLinesBytes: -1,
      });
      expect(spilled).toEqual(kept);
      // Past the threshold the split writes its lines to a file rather than holding them in a table.
      expect(keptScratch).toEqual([[]]);
      expect(spilledScratch).toEqual([['part-0-split.parquet']]);
      // The last update is whole; the others keep their execution and tree alone.
      const descriptions = kept.filter((row) => row.includes('AdaptiveExecutionUpdate')).map((row) => (JSON.parse(row) as { physicalPlanDescription: string | null }).physicalPlanDescription);
      expect(descriptions).toHaveLength(60);
      expect(descriptions.slice(0, 59).every((description) => description === null)).toBe(true);
      expect(descriptions[59]).toMatch(/^plan 59\n/);
      // The spilled part's events are read from files, not held as a table, until they are dropped with them.
      const inMemory = await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE temporary AND table_name = '${STAGED_EVENTS}'`);
      expect(inMemory.getRows()).toEqual([]);
      expect(readdirSync(join(tempDir, 'staged-events')).length).toBeGreaterThan(0);
      await dropStagedTables(connection);
    });
    expect(readdirSync(tempDir)).toEqual([]);
  });
});
