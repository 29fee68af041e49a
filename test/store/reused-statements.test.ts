import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReusedStatements } from '../../src/store/reused-statements.js';

let instance: DuckDBInstance;
let reused: ReusedStatements;
let connection: DuckDBConnection;

beforeEach(async () => {
  instance = await DuckDBInstance.create(':memory:');
  reused = new ReusedStatements(await instance.connect());
  connection = reused.connection;
});
afterEach(() => {
  reused.close();
  instance.closeSync();
});

async function rowsOf(sql: string, values?: Record<string, string | number>): Promise<unknown[]> {
  return (await connection.runAndReadAll(sql, values)).getRowObjectsJS();
}

describe('ReusedStatements', () => {
  it('prepares a text on its second run and answers with the values given each time', async () => {
    await connection.run('CREATE TABLE t AS SELECT i AS k, i * 10 AS v FROM range(5) r(i)');
    const sql = 'SELECT v::INTEGER AS v FROM t WHERE k = $k';
    expect(await rowsOf(sql, { k: 1 })).toEqual([{ v: 10 }]);
    expect(reused.keptCount).toBe(0);
    expect(await rowsOf(sql, { k: 2 })).toEqual([{ v: 20 }]);
    expect(reused.keptCount).toBe(1);
    expect(await rowsOf(sql, { k: 4 })).toEqual([{ v: 40 }]);
    expect(reused.keptCount).toBe(1);
    // A kept statement without values is run with none (no binding left over from the last run).
    const count = 'SELECT count(*)::INTEGER AS n FROM t';
    await rowsOf(count);
    expect(await rowsOf(count)).toEqual([{ n: 5 }]);
  });

  it('reports the rows a kept insert changed', async () => {
    await connection.run('CREATE TABLE t (k INTEGER)');
    const insert = 'INSERT INTO t SELECT range FROM range($n)';
    expect((await connection.run(insert, { n: 3 })).rowsChanged).toBe(3);
    expect((await connection.run(insert, { n: 2 })).rowsChanged).toBe(2);
    expect(reused.keptCount).toBe(1);
  });

  it('reads a temp table created anew since the statement was kept', async () => {
    const sql = 'SELECT sum(x)::INTEGER AS s FROM staged';
    for (const [rows, sum] of [[3, 3], [4, 6], [5, 10]] as const) {
      await connection.run(`DROP TABLE IF EXISTS staged; CREATE TEMP TABLE staged AS SELECT range AS x FROM range(${rows})`);
      expect(await rowsOf(sql)).toEqual([{ s: sum }]);
    }
    expect(reused.keptCount).toBe(1);
  });

  it('runs texts of several statements, and transaction statements, as they are', async () => {
    const several = 'CREATE OR REPLACE TABLE a AS SELECT 1 AS x; CREATE OR REPLACE TABLE b AS SELECT 2 AS x;';
    for (let i = 0; i < 3; i += 1) {
      await connection.run('BEGIN TRANSACTION');
      await connection.run(several);
      await connection.run('COMMIT');
    }
    expect(reused.keptCount).toBe(0);
    expect(await rowsOf('SELECT (SELECT x FROM a) + (SELECT x FROM b) AS s')).toEqual([{ s: 3 }]);
  });

  it('runs its afterEach work after every statement, on the connection itself', async () => {
    const ran: string[] = [];
    const counting = new ReusedStatements(await instance.connect(), {
      afterEach: async (own) => {
        // The work gets the plain connection: what it runs is not counted again.
        const reader = await own.runAndReadAll('SELECT 1 AS one');
        ran.push(String(reader.getRowObjectsJS()[0]!.one));
      },
    });
    try {
      for (let i = 0; i < 3; i += 1) await counting.connection.run('SELECT $i::INTEGER AS i', { i });
      await counting.connection.runAndReadAll('SELECT 2');
      expect(ran).toEqual(['1', '1', '1', '1']);
    } finally {
      counting.close();
    }
  });

  it('runs its afterEach work after a failing statement too, whose error is the one reported', async () => {
    let ran = 0;
    const failing = new ReusedStatements(await instance.connect(), {
      afterEach: async (own) => {
        ran += 1;
        // In an aborted transaction the work itself fails: that must not hide the statement's error.
        await own.run('SELECT 1');
      },
    });
    try {
      await expect(failing.connection.run(`SELECT 'x'::INTEGER`)).rejects.toThrow(/Could not convert/);
      await failing.connection.run('BEGIN TRANSACTION');
      await expect(failing.connection.run(`SELECT 'y'::INTEGER`)).rejects.toThrow(/Could not convert/);
      await failing.connection.run('ROLLBACK');
      expect(ran).toBe(4);
    } finally {
      failing.close();
    }
  });

  it('prepares a text on its first use through prepared(), and keeps it', async () => {
    const statement = await reused.prepared('SELECT 40 + 2 AS n');
    expect(reused.keptCount).toBe(1);
    expect(await reused.prepared('SELECT 40 + 2 AS n')).toBe(statement);
    await expect(reused.prepared('SELECT FROM WHERE')).rejects.toThrow(/syntax/i);
  });

  it('reports an error in a text as a plain run would, however often it is run', async () => {
    for (let i = 0; i < 3; i += 1) {
      await expect(connection.run('SELECT * FROM missing_table WHERE k = $k', { k: 1 })).rejects.toThrow(/missing_table/);
    }
  });
});
