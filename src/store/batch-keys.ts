import { listValue, type DuckDBValue } from '@duckdb/node-api';

/** One column of a batch of keys: its SQL type and one value per key. */
export interface KeyColumn {
  type: 'VARCHAR' | 'BIGINT';
  values: ReadonlyArray<string | number>;
}

/**
 * A batch of composite keys (e.g. appKey + stageId) as a SQL table expression `wanted` with one row per key:
 * its position `k` and the key's columns. Join the data to it and select `w.k`, then {@link groupByPosition}
 * puts the rows back in key order, as a DataLoader batch function must answer.
 */
export function keyTable(columns: Readonly<Record<string, KeyColumn>>): { sql: string; params: Record<string, DuckDBValue> } {
  const names = Object.keys(columns);
  if (names.length === 0) throw new Error('keyTable needs at least one column');
  const params: Record<string, DuckDBValue> = {};
  const selects = names.map((name) => {
    const { type, values } = columns[name]!;
    params[`key_${name}`] = listValue([...values]);
    return `unnest($key_${name}::${type}[]) AS "${name}"`;
  });
  const first = `$key_${names[0]!}::${columns[names[0]!]!.type}[]`;
  return {
    sql: `wanted AS (SELECT unnest(range(len(${first}))) AS k, ${selects.join(', ')})`,
    params,
  };
}

/** Rows carrying their key's position `k`, grouped per key in key order (an empty group for a key without rows). */
export function groupByPosition<T extends { k: bigint | number }>(keyCount: number, rows: readonly T[]): Array<Omit<T, 'k'>[]> {
  const groups: Array<Omit<T, 'k'>[]> = Array.from({ length: keyCount }, () => []);
  for (const { k, ...row } of rows) groups[Number(k)]!.push(row);
  return groups;
}

/**
 * `items` in order, cut into batches whose sizes add up to at most `maxSize` (an item larger than that alone): how
 * a large application's stages are read a few at a time, so that what a query holds stays bounded.
 */
export function batchesUpTo<T>(items: readonly T[], sizeOf: (item: T) => number, maxSize: number): T[][] {
  const batches: T[][] = [];
  let size = Infinity;
  for (const item of items) {
    const itemSize = sizeOf(item);
    if (batches.length === 0 || size + itemSize > maxSize) {
      batches.push([]);
      size = 0;
    }
    batches.at(-1)!.push(item);
    size += itemSize;
  }
  return batches;
}
