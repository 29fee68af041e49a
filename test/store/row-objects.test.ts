import { describe, expect, it } from 'vitest';
import { rowObjectsOf } from '../../src/store/row-objects.js';
import { useInMemoryConnection } from '../helpers/database.js';

const connectionOf = useInMemoryConnection();

describe('rowObjectsOf', () => {
  it("gives the rows DuckDB's own row objects give: every type, NULLs, repeated column names", async () => {
    const sql = `SELECT i::BIGINT AS id, i * 1.5 AS x, 'row ' || i AS name, [i, i + 1] AS list, {'a': i, 'b': NULL} AS struct,
        CASE WHEN i % 2 = 0 THEN NULL ELSE i END AS maybe, i AS "same", i + 1 AS "same", TIMESTAMP '2026-12-07 05:00:00' AS at
      FROM range(3000) t(i)`;
    const rows = rowObjectsOf<Record<string, unknown>>(await connectionOf().runAndReadAll(sql));
    const theirs = (await connectionOf().runAndReadAll(sql)).getRowObjectsJS();
    expect(rows).toHaveLength(3000);
    expect(rows).toEqual(theirs);
    expect(Object.keys(rows[0]!)).toEqual(Object.keys(theirs[0]!));
    expect(rows[1]).toMatchObject({ id: 1n, maybe: 1n, list: [1n, 2n], struct: { a: 1n, b: null } });
  });

  it('takes a column name for a name, whatever characters it holds', async () => {
    const name = `"}; globalThis.rowObjectsRan = true; ({"\\u0000\n'`;
    const [row] = rowObjectsOf<Record<string, unknown>>(
      await connectionOf().runAndReadAll(`SELECT 1 AS "${name.replaceAll('"', '""')}", 2 AS "${'b'.repeat(300)}"`),
    );
    expect(row).toEqual({ [name]: 1, ['b'.repeat(300)]: 2 });
    expect((globalThis as { rowObjectsRan?: boolean }).rowObjectsRan).toBeUndefined();
  });

  it('gives no rows for an empty result', async () => {
    expect(rowObjectsOf(await connectionOf().runAndReadAll('SELECT 1 AS one WHERE false'))).toEqual([]);
  });
});
