import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-block-size-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logPath = join(dir, 'app.json');
writeFileSync(
  logPath,
  buildEventLog({
    appId: 'app-blocks',
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: 40 }, (_, i) => ({ durationMs: 10 + i })) }] }],
  }),
);

async function blockSizeOf(db: AnalysisDatabase): Promise<number> {
  const [row] = await db.query(`SELECT block_size FROM pragma_database_size() WHERE database_name = current_database()`);
  return Number(row!.block_size);
}

/** Opens the database at `path`, checks its block size, ingests the log and finds its 40 tasks. */
async function ingestsInto(path: string, blockBytes: number): Promise<void> {
  const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
  try {
    expect(await blockSizeOf(db)).toBe(blockBytes);
    const report = await ingestPaths(db, [logPath]);
    expect(report.failures).toEqual([]);
    const [tasks] = await db.query(`SELECT count(*)::INTEGER AS n FROM tasks WHERE appKey = 'app-blocks'`);
    expect(tasks!.n).toBe(40);
  } finally {
    db.close();
  }
}

describe('database block size', () => {
  it('creates a new file with 64 KB blocks, which keep the memory of an ingest in progress small', async () => {
    await ingestsInto(join(dir, 'new.duckdb'), 65_536);
  });

  it('opens a file made with DuckDB’s default 256 KB blocks as it is, and ingests into it', async () => {
    const path = join(dir, 'older.duckdb');
    (await DuckDBInstance.create(path)).closeSync();
    await ingestsInto(path, 262_144);
  });
});
