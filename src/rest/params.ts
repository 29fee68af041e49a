import { badParameter, RestError } from './errors.js';

/**
 * Query parameters read as History Server's JAX-RS resources read them: enum lists case-insensitively,
 * booleans by Boolean.valueOf, numbers by Integer.valueOf, and Spark's own messages for values it rejects.
 */

/** A value Jersey cannot convert answers 404, as Jersey does for query parameters. */
function unconvertible(message: string): RestError {
  return new RestError(404, message);
}

/**
 * Every value of a repeated enum parameter (`?status=succeeded&status=failed`), upper-cased, checked against
 * `values` as Spark's EnumUtil.parseIgnoreCase does; `aliases` maps extra lower-case spellings to a value.
 */
export function enumList<T extends string>(
  query: URLSearchParams,
  name: string,
  values: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): T[] {
  return query.getAll(name).map((raw) => enumValue(raw, values, aliases));
}

/** One enum value, as {@link enumList} reads it. */
export function enumValue<T extends string>(raw: string, values: readonly T[], aliases: Readonly<Record<string, T>> = {}): T {
  const alias = aliases[raw.toLowerCase()];
  if (alias) return alias;
  const match = values.find((value) => value.toLowerCase() === raw.toLowerCase());
  if (!match) throw unconvertible(`Illegal type='${raw}'. Supported type values: ${values.join(', ')}`);
  return match;
}

/** A path's `\d+` segment (a job, stage, attempt or RDD id) as Spark's Int: one too large names nothing (404). */
export function pathInt(value: string | undefined): number {
  const parsed = Number(value);
  if (!Number.isSafeInteger(parsed) || parsed > 2 ** 31 - 1) throw unconvertible(`For input string: "${value ?? ''}"`);
  return parsed;
}

/** A boolean parameter: "true" in any case is true, anything else false (Boolean.valueOf). */
export function booleanParam(query: URLSearchParams, name: string, defaultValue: boolean): boolean {
  const raw = query.get(name);
  return raw === null ? defaultValue : raw.toLowerCase() === 'true';
}

/** A 32-bit integer parameter (Integer.valueOf: optional sign, decimal digits). */
export function intParam(query: URLSearchParams, name: string, defaultValue: number): number {
  const raw = query.get(name);
  if (raw === null) return defaultValue;
  const value = /^[+-]?\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value > 2 ** 31 - 1 || value < -(2 ** 31)) {
    throw unconvertible(`For input string: "${raw}"`);
  }
  return value;
}

/** An optional 32-bit integer parameter; null when absent. */
export function optionalIntParam(query: URLSearchParams, name: string): number | null {
  return query.get(name) === null ? null : intParam(query, name, 0);
}

/** Java's Double.parseDouble syntax (decimal forms; surrounding whitespace allowed). */
const javaDouble = /^[+-]?(NaN|Infinity|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?)$/;

/** The `quantiles` parameter: comma-separated doubles (400 with Spark's message for one that is not). */
export function quantilesParam(query: URLSearchParams, defaultValue: string): number[] {
  const raw = query.get('quantiles') ?? defaultValue;
  return raw.split(',').map((text) => {
    const trimmed = text.trim();
    if (!javaDouble.test(trimmed)) throw badParameter('quantiles', 'double', text);
    return Number(trimmed.replace(/[fFdD]$/, ''));
  });
}

const dateTime = /^(\d{4})-(\d{1,2})-(\d{1,2})T(\d{1,2}):(\d{1,2}):(\d{1,2})\.(\d{1,3})(GMT|UTC|Z|(?:GMT)?[+-]\d{1,2}:?\d{2})$/;
const dateOnly = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;

/**
 * A date parameter as Spark's SimpleDateParam reads it: "2015-02-03T16:42:40.000GMT" (any zone offset), or a
 * day "2015-02-10" taken at midnight GMT; 400 "Couldn't parse date: …" otherwise. Returns epoch ms.
 */
export function dateParam(query: URLSearchParams, name: string, defaultValue: string): number {
  const raw = query.get(name) ?? defaultValue;
  const full = dateTime.exec(raw);
  if (full) {
    const [, y, mo, d, h, mi, s, ms, zone] = full;
    const utc = Date.UTC(+y!, +mo! - 1, +d!, +h!, +mi!, +s!, +ms!);
    return utc - zoneOffsetMs(zone!);
  }
  const day = dateOnly.exec(raw);
  if (day) return Date.UTC(+day[1]!, +day[2]! - 1, +day[3]!);
  throw new RestError(400, `Couldn't parse date: ${raw}`);
}

function zoneOffsetMs(zone: string): number {
  const offset = /([+-])(\d{1,2}):?(\d{2})$/.exec(zone);
  if (!offset) return 0;
  const minutes = Number(offset[2]) * 60 + Number(offset[3]);
  return (offset[1] === '-' ? -1 : 1) * minutes * 60_000;
}
