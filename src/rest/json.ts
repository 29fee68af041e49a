/**
 * History Server's JSON conventions: dates as "2015-02-03T16:42:59.720GMT", absent options left out, and
 * 64-bit counters written as exact integers.
 */

/** A time (epoch ms) as History Server writes dates; undefined (left out of the JSON) for none. */
export function shsDate(epochMs: bigint | number | null | undefined): string | undefined {
  if (epochMs === null || epochMs === undefined) return undefined;
  const iso = new Date(Number(epochMs)).toISOString(); // 2015-02-03T16:42:59.720Z
  return `${iso.slice(0, -1)}GMT`;
}

/** An optional value: Spark leaves `None` (and null) out of its JSON. */
export function opt<T>(value: T | null | undefined): T | undefined {
  return value === null ? undefined : value;
}

/** A DuckDB count or id as a JSON number (they stay far below 2^53). */
export function num(value: bigint | number | null | undefined): number | undefined {
  return value === null || value === undefined ? undefined : Number(value);
}

const BIGINT_MARK = '\u0000bigint:';

/**
 * JSON text as History Server writes it (two-space indent). BIGINT values are written with all their digits
 * (a JSON number has no size limit); undefined properties are left out.
 */
export function toJsonText(value: unknown): string {
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'bigint' ? `${BIGINT_MARK}${v.toString()}` : v),
    2,
  );
  // The mark starts with a NUL character, which JSON.stringify escapes inside any real string value.
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
