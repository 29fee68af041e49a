import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import type { DuckDbInput } from '../../src/eventlog/discover.js';
import { stageEvents, STAGED_TASK_ACCUMULABLES, type StagingOptions } from '../../src/parse/stage-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { stagedEventsAsJson } from '../helpers/plan-texts.js';
import { sharedLogParts } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const reshape = (tree: unknown): unknown => shuffleSkeleton(tree as PlanNode);

/** The staged events and task accumulators of `parts`, in order, staged with `options`; or the error staging throws. */
async function staged(connection: DuckDBConnection, parts: DuckDbInput[], options: StagingOptions): Promise<string[]> {
  try {
    await stageEvents(connection, { parts }, options);
  } catch (error) {
    return [`error: ${(error as Error).constructor.name} ${(error as Error).message}`];
  }
  const accumulables = await connection.runAndReadAll(`SELECT to_json(a)::VARCHAR AS row FROM ${STAGED_TASK_ACCUMULABLES} a ORDER BY rowid`);
  return [...(await stagedEventsAsJson(connection)), ...accumulables.getRowObjectsJS().map((row) => String(row.row))];
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
    await db.database.withConnection(async (connection) => {
      const kept = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir });
      const spilled = await staged(connection, parts, { supersededPlanTree: reshape, scratchDir: tempDir, spilledLinesBytes: -1 });
      expect(spilled).toEqual(kept);
      // The last update is whole; the others keep their execution and tree alone.
      const descriptions = kept.filter((row) => row.includes('AdaptiveExecutionUpdate')).map((row) => (JSON.parse(row) as { physicalPlanDescription: string | null }).physicalPlanDescription);
      expect(descriptions).toHaveLength(60);
      expect(descriptions.slice(0, 59).every((description) => description === null)).toBe(true);
      expect(descriptions[59]).toMatch(/^plan 59\n/);
    });
    expect(readdirSync(tempDir)).toEqual([]);
  });
});
