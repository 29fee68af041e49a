import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsedTaskAccumulablesSql } from '../../src/parse/task-accumulables.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';

/**
 * A task end's accumulables are read as text with the task and parsed only where they may hold one the store keeps:
 * most task ends carry internal metrics and SQL metrics only (hundreds on Photon and RAPIDS).
 */

let db: TempDatabase;
beforeAll(async () => {
  db = await openTempDatabase();
});
afterAll(() => db?.dispose());

/** The ids of the accumulables parsed out of `accumulables` (as a task end's array), or null when none is. */
async function parsedIds(accumulables: object[]): Promise<number[] | null> {
  const [row] = plain(
    await db.database.query(`SELECT list_transform(${parsedTaskAccumulablesSql('a')}, x -> x."ID") AS ids FROM (SELECT $text::JSON AS a)`, {
      text: JSON.stringify(accumulables),
    }),
  );
  return row!.ids as number[] | null;
}

const internal = (id: number): object => ({
  ID: id, Name: `internal.metrics.metric${id}`, Update: 5, Value: 50, Internal: true, 'Count Failed Values': true,
});
const sqlMetric = (id: number): object => ({
  ID: id, Name: 'number of output rows', Update: '5', Value: '10', Internal: false, 'Count Failed Values': true, Metadata: 'sql',
});
const counter = { ID: 9, Name: 'records "kept" {so far}', Update: '3', Value: '12', Internal: false, 'Count Failed Values': false };
const collection = { ID: 10, Name: 'seen ids', Update: [1, 2], Value: ['a]', 'b'], Internal: false, 'Count Failed Values': false };
const tagged = { ID: 11, Name: 'tagged', Value: 2, Internal: false, 'Count Failed Values': true, Metadata: 'mine' };
const vendor = { ID: 12, Name: 'sort peak memory usage', Update: '4096', Value: '4096', Internal: false, 'Count Failed Values': true, Metadata: 'sql' };
const sqlMetrics = Array.from({ length: 300 }, (_, i) => sqlMetric(1000 + i));

describe('parsedTaskAccumulablesSql', () => {
  it("parses only a task end's user accumulators and vendor metrics, in the order written", async () => {
    const internals = Array.from({ length: 30 }, (_, i) => internal(100 + i));
    expect(await parsedIds([...internals, counter, sqlMetric(2)])).toEqual([9]);
    expect(await parsedIds([...sqlMetrics.slice(0, 150), collection, vendor, ...sqlMetrics.slice(150), tagged, counter])).toEqual([10, 12, 11, 9]);
  });

  it('parses the whole array where picking out could miss a user accumulator', async () => {
    // A value the object pattern does not read (an object), and a Metadata starting with an escape.
    expect(await parsedIds([internal(1), { ...counter, Value: { total: 3 } }, sqlMetric(2)])).toEqual([1, 9, 2]);
    expect(await parsedIds([internal(1), { ...tagged, Metadata: '\\"x' }])).toEqual([1, 11]);
  });

  it('parses only the vendor metrics among hundreds of SQL metrics without a user accumulator', async () => {
    expect(await parsedIds([internal(1), ...sqlMetrics.slice(0, 150), vendor, ...sqlMetrics.slice(150)])).toEqual([12]);
  });

  it('parses nothing where there are only internal and SQL metrics, or none', async () => {
    expect(await parsedIds([internal(1), ...sqlMetrics])).toBeNull();
    expect(await parsedIds([])).toBeNull();
  });

  it('parses accumulables written before Spark flagged internal ones (Spark 1.x)', async () => {
    expect(await parsedIds([{ ID: 4, Name: 'rows', Update: '1', Value: '2' }])).toEqual([4]);
  });
});
