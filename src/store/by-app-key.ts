import { listValue, type DuckDBListValue } from '@duckdb/node-api';

/** The `$appKeys` parameter of a batched lookup: bind it and filter with `appKey IN (SELECT unnest($appKeys))`. */
export function appKeysParam(appKeys: readonly string[]): DuckDBListValue {
  return listValue([...appKeys]);
}

/**
 * Groups rows of many applications by their `appKey`, one group per requested key in the order asked
 * (an empty group for a key without rows), as a DataLoader batch function must answer.
 */
export function groupByAppKey<T extends { appKey: string }>(appKeys: readonly string[], rows: readonly T[]): T[][] {
  const groups = new Map<string, T[]>(appKeys.map((key) => [key, []]));
  for (const row of rows) groups.get(row.appKey)?.push(row);
  return appKeys.map((key) => groups.get(key)!);
}
