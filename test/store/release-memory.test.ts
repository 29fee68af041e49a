import { afterEach, describe, expect, it } from 'vitest';
import { AnalysisDatabase, releaseFreedMemory } from '../../src/store/database.js';

const MB = 1024 * 1024;

let db: AnalysisDatabase | null = null;
afterEach(() => {
  db?.close();
  db = null;
});

async function threadsOf(database: AnalysisDatabase): Promise<number> {
  const [row] = await database.query(`SELECT current_setting('threads')::INTEGER AS n`);
  return Number(row!.n);
}

describe('releaseFreedMemory', () => {
  it('gives back to the system the memory a finished statement freed', async () => {
    db = await AnalysisDatabase.open(':memory:', { threads: 2 });
    // A sort of ~100 MB of strings: DuckDB frees it at the end, but the C heap keeps the pages.
    await db.query(`SELECT max(s) AS s FROM (SELECT repeat('x', 200) || i::VARCHAR AS s FROM range(500000) t(i) ORDER BY s DESC)`);
    const before = process.memoryUsage.rss();
    await db.withConnection((connection) => releaseFreedMemory(connection));
    const after = process.memoryUsage.rss();
    expect(before - after).toBeGreaterThan(20 * MB);
  });

  it('gives back a dropped table\'s memory when told of the drop, though the process did not grow', async () => {
    db = await AnalysisDatabase.open(':memory:', { threads: 2 });
    const released = await db.withConnection(async (connection) => {
      await connection.run(`CREATE TEMP TABLE held AS SELECT repeat('x', 200) || i::VARCHAR AS s FROM range(500000) t(i)`);
      await releaseFreedMemory(connection);
      await connection.run('DROP TABLE held');
      const before = process.memoryUsage.rss();
      await releaseFreedMemory(connection, { afterDrop: true });
      return before - process.memoryUsage.rss();
    });
    expect(released).toBeGreaterThan(20 * MB);
  });

  it('gives back the JavaScript heap that garbage took, once the heap grew', async () => {
    db = await AnalysisDatabase.open(':memory:', { threads: 2 });
    let held: Array<{ text: string }> | null = Array.from({ length: 600_000 }, (_, i) => ({ text: `row ${i} `.repeat(8) }));
    // Parsed plans and read rows outlive a scavenge (the ingest awaits between reading and dropping them): promoted,
    // they wait for a full collection that V8 schedules by its own growth rules.
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(held.length).toBe(600_000);
    held = null;
    const before = process.memoryUsage().heapUsed;
    await db.withConnection((connection) => releaseFreedMemory(connection));
    expect(before - process.memoryUsage().heapUsed).toBeGreaterThan(30 * MB);
  });

  it('lets queries on other connections run on while it resizes the thread pool', async () => {
    db = await AnalysisDatabase.open(':memory:', { threads: 2 });
    const database = db;
    await database.query('CREATE TABLE t AS SELECT i % 100 AS k, i AS v FROM range(200000) r(i)');
    let stop = false;
    let answered = 0;
    const readers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const rows = await database.query('SELECT k, quantile_cont(v, 0.5) AS m FROM t GROUP BY k');
        expect(rows).toHaveLength(100);
        answered += 1;
      }
    });
    await database.withConnection(async (connection) => {
      for (let round = 0; round < 3; round += 1) {
        // Each round grows the heap past the threshold, so every call resizes the pool.
        await connection.run(`SELECT max(s) FROM (SELECT repeat('x', 200) || i::VARCHAR AS s FROM range(500000) t(i) ORDER BY s DESC)`);
        await releaseFreedMemory(connection);
      }
    });
    stop = true;
    await Promise.all(readers);
    expect(answered).toBeGreaterThan(0);
    expect(await threadsOf(database)).toBe(2);
  });

  it.each([1, 2])('leaves the thread count as configured (%i), inside a transaction too', async (threads) => {
    db = await AnalysisDatabase.open(':memory:', { threads });
    await db.withConnection(async (connection) => {
      await releaseFreedMemory(connection);
      await connection.run('BEGIN TRANSACTION');
      await connection.run('CREATE TABLE t AS SELECT 1 AS x');
      await releaseFreedMemory(connection);
      await connection.run('COMMIT');
    });
    expect(await threadsOf(db)).toBe(threads);
    expect(await db.query('SELECT x FROM t')).toEqual([{ x: 1 }]);
  });
});
