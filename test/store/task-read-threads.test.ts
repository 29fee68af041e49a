import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase, bytesOfSize, withoutInsertionOrder, withThreads } from '../../src/store/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

let databases: AnalysisDatabase[] = [];
afterEach(() => {
  for (const database of databases) database.close();
  databases = [];
});

async function open(options: { threads: number; memoryLimit?: string; taskReadThreads?: number }): Promise<AnalysisDatabase> {
  const database = await AnalysisDatabase.open(':memory:', options);
  databases.push(database);
  return database;
}

async function threadsOf(database: AnalysisDatabase): Promise<number> {
  const [row] = await database.query(`SELECT current_setting('threads')::INTEGER AS n`);
  return Number(row!.n);
}

describe('withThreads', () => {
  it('runs the work on the given number of threads and puts the database back to its own', async () => {
    const database = await open({ threads: 2 });
    const inside = await database.withConnection((connection) =>
      withThreads(connection, 1, async () => {
        const reader = await connection.runAndReadAll(`SELECT current_setting('threads')::INTEGER AS n`);
        return Number(reader.getRowObjectsJS()[0]!.n);
      }),
    );
    expect(inside).toBe(1);
    expect(await threadsOf(database)).toBe(2);
  });

  it('puts the thread count back when the work fails', async () => {
    const database = await open({ threads: 2 });
    await expect(
      database.withConnection((connection) =>
        withThreads(connection, 1, async () => {
          throw new Error('read failed');
        }),
      ),
    ).rejects.toThrow('read failed');
    expect(await threadsOf(database)).toBe(2);
  });

  it('puts the thread count back when the failure aborted the transaction, and throws the failure', async () => {
    const database = await open({ threads: 2 });
    await database.withConnection(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      await expect(
        withThreads(connection, 1, () => connection.run(`SELECT 'not a number'::INTEGER`)),
      ).rejects.toThrow(/Could not convert/);
      await connection.run('ROLLBACK').catch(() => undefined);
    });
    expect(await threadsOf(database)).toBe(2);
  });
});

describe('withoutInsertionOrder', () => {
  const orderKept = async (connection: DuckDBConnection): Promise<boolean> =>
    Boolean((await connection.runAndReadAll(`SELECT current_setting('preserve_insertion_order') AS kept`)).getRowObjectsJS()[0]!.kept);

  it('lets only its own connection write rows in any order, and puts the order back afterwards', async () => {
    const database = await open({ threads: 2 });
    const seen = await database.withConnection((connection) =>
      database.withConnection(async (other) => {
        const inside = await withoutInsertionOrder(connection, async () => ({ own: await orderKept(connection), other: await orderKept(other) }));
        return { ...inside, after: await orderKept(connection) };
      }),
    );
    expect(seen).toEqual({ own: false, other: true, after: true });
  });

  it('puts the order back when the failure aborted the transaction, and throws the failure', async () => {
    const database = await open({ threads: 2 });
    const after = await database.withConnection(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      await expect(withoutInsertionOrder(connection, () => connection.run(`SELECT 'not a number'::INTEGER`))).rejects.toThrow(/Could not convert/);
      await connection.run('ROLLBACK').catch(() => undefined);
      return orderKept(connection);
    });
    expect(after).toBe(true);
  });
});

describe('the task read thread count of an ingest', () => {
  it('stores the same tasks on one thread as on two, and leaves the database at its configured threads', async () => {
    const log = eventLogPath('apache-spark', 'application_1553914137147_0018');
    const tasksOf = async (database: AnalysisDatabase): Promise<unknown[]> => {
      const report = await ingestPaths(database, [log]);
      expect(report.failures).toEqual([]);
      return database.query(`SELECT stageId, stageAttemptId, taskId, launchTime, finishTime, executorRunTime, shuffleWriteBytes,
        status, endReason FROM tasks ORDER BY taskId`);
    };
    const oneThread = await open({ threads: 2, taskReadThreads: 1 });
    const twoThreads = await open({ threads: 2, taskReadThreads: 2 });
    const tasks = await tasksOf(oneThread);
    expect(tasks.length).toBeGreaterThan(0);
    expect(tasks).toEqual(await tasksOf(twoThreads));
    expect(oneThread.taskReadThreads).toBe(1);
    expect(await threadsOf(oneThread)).toBe(2);
  });

  it.each([
    ['512MB', 4, 1],
    ['1GB', 4, 2],
    ['2GB', 8, 4],
    ['8GB', 2, 2],
    ['100MB', 2, 1],
  ])('reads tasks, unless told otherwise, on one thread per 500 MB of the memory limit (%s, %i threads: %i)', async (memoryLimit, threads, expected) => {
    expect((await open({ threads, memoryLimit })).taskReadThreads).toBe(expected);
  });

  it('reads tasks on as many threads as it is told', async () => {
    expect((await open({ threads: 2, memoryLimit: '512MB', taskReadThreads: 2 })).taskReadThreads).toBe(2);
  });
});

describe('bytesOfSize', () => {
  it.each([
    ['512MB', 512e6],
    ['2GB', 2e9],
    ['1.5 GiB', 1.5 * 2 ** 30],
    ['488.2 MiB', 488.2 * 2 ** 20],
    ['512 bytes', 512],
    ['1024', 1024],
    ['97.6 KiB', 97.6 * 1024],
  ])('reads %s as DuckDB does', (size, bytes) => {
    expect(bytesOfSize(size)).toBeCloseTo(bytes);
  });

  it.each(['80%', 'lots', '', 'GB'])('has no answer for %j', (size) => {
    expect(bytesOfSize(size)).toBeNull();
  });
});
