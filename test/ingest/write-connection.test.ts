import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

let temp: TempDatabase | null = null;
afterEach(() => {
  temp?.dispose();
  temp = null;
});

async function tempTablesOnTheWriteConnection(temp: TempDatabase): Promise<number> {
  return temp.database.withWriteConnection(async (connection) => {
    const reader = await connection.runAndReadAll('SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE temporary');
    return Number(reader.getRowObjectsJS()[0]!.n);
  });
}

describe('the ingest write connection, kept from one log to the next', () => {
  it('reuses the statements it prepared and keeps none of a log staged after its ingest', async () => {
    temp = await openTempDatabase();
    const logs = ['local-1422981759269', 'local-1422981780767', 'application_1553914137147_0018'];
    for (const log of logs) {
      const report = await ingestPaths(temp.database, [eventLogPath('apache-spark', log)]);
      expect(report.failures).toEqual([]);
      expect(await tempTablesOnTheWriteConnection(temp)).toBe(0);
    }
    // From the second log on, the texts every ingest runs (inserts, precompute, detectors) are kept prepared.
    expect(temp.database.keptWriteStatements).toBeGreaterThan(30);
    const stored = await temp.database.query('SELECT count(*)::INTEGER AS n FROM applications');
    expect(stored).toEqual([{ n: 3 }]);
  });

  it('gives up the connection after a failed ingest, and the next ingest stores its log', async () => {
    temp = await openTempDatabase();
    await ingestPaths(temp.database, [eventLogPath('apache-spark', 'local-1422981759269')]);
    await ingestPaths(temp.database, [eventLogPath('apache-spark', 'local-1422981780767')]);
    expect(temp.database.keptWriteStatements).toBeGreaterThan(0);
    // A task end holding a number no field can hold: the log is refused while its rows are being written.
    const lines = readFileSync(eventLogPath('apache-spark', 'application_1553914137147_0018'), 'utf8').split('\n');
    const taskEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'));
    lines[taskEnd] = lines[taskEnd]!.replace(/"Executor Run Time":\d+/, '"Executor Run Time":1e308');
    const broken = join(dirname(temp.path), 'app-overflowing.json');
    writeFileSync(broken, lines.join('\n'));
    const failed = await ingestPaths(temp.database, [broken]);
    expect(failed.failures[0]?.error.message).toContain(`line ${taskEnd + 1} holds the number 1e308`);
    expect(temp.database.keptWriteStatements).toBe(0);
    const good = await ingestPaths(temp.database, [eventLogPath('apache-spark', 'application_1553914137147_0018')]);
    expect(good.failures).toEqual([]);
    const keys = await temp.database.query('SELECT appKey FROM applications ORDER BY appKey');
    expect(keys.map((row) => row.appKey)).toEqual(['application_1553914137147_0018', 'local-1422981759269', 'local-1422981780767']);
  });
});
