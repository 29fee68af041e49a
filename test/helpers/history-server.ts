import { readFileSync } from 'node:fs';
import { eventLogPath } from './spark-events.js';

/**
 * Reading Spark History Server's recorded REST answers (history-server-expectations/, see MAPPING.txt there)
 * and comparing them with what Spark Sword answers, field by field.
 */

/** A JSON object as History Server writes it. */
export type JsonObject = Record<string, unknown>;

/** The parsed `<name>_expectation.json`. */
export function readExpectation(name: string): unknown {
  return JSON.parse(readFileSync(eventLogPath('history-server-expectations', `${name}_expectation.json`), 'utf8'));
}

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** History Server's "2015-02-03T16:43:05.829GMT" as the ISO string the DateTime scalar sends. */
export function shsDateToIso(shsDate: string): string {
  const ms = Date.parse(shsDate.replace(/GMT$/, 'Z'));
  if (Number.isNaN(ms)) throw new Error(`not a History Server date: ${shsDate}`);
  return new Date(ms).toISOString();
}

const show = (value: unknown): string => JSON.stringify(value);

/** Deep comparison that records every differing leaf as "path: expected X, got Y" (absent counts as null). */
export function compareValue(path: string, expected: unknown, actual: unknown, mismatches: string[]): void {
  if (Array.isArray(expected) && Array.isArray(actual) && expected.length === actual.length) {
    expected.forEach((item, i) => compareValue(`${path}[${i}]`, item, actual[i], mismatches));
  } else if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      compareValue(`${path}.${key}`, expected[key] ?? null, actual[key] ?? null, mismatches);
    }
  } else if (show(expected) !== show(actual)) {
    mismatches.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** How one GraphQL field is checked against History Server: which SHS field, and how to bring both to one shape. */
export interface FieldRule {
  /** The History Server field, when it is named differently. */
  shs?: string;
  /** Brings the History Server value (never null here) to the GraphQL wire shape. */
  expected?: (value: unknown) => unknown;
  /** Brings the GraphQL value (never null here) to the shape `expected` produced. */
  actual?: (value: unknown) => unknown;
}

/** A Long on the wire is a decimal string: History Server's number must print the same. */
export const long: FieldRule = { expected: (value) => String(value as number) };

/** A DateTime on the wire is an ISO string. */
export const date: FieldRule = { expected: (value) => shsDateToIso(value as string) };

/** A key/value list compared with History Server's string map. */
export const keyValueMap: FieldRule = {
  actual: (value) => Object.fromEntries((value as Array<{ key: string; value: unknown }>).map((e) => [e.key, e.value])),
};

/** A list of [key, value] pairs in History Server's order compared with a key/value list in the API's order. */
export const keyValuePairs: FieldRule = {
  actual: (value) => (value as Array<{ key: string; value: unknown }>).map((e) => [e.key, e.value]),
};

/**
 * Compares one GraphQL object with one History Server object: every field the GraphQL object has, by its
 * rule; then every History Server field must have been compared, be an `aliases` entry (an old name of a
 * compared field) or be listed in `notCarried` with why, so nothing is skipped silently.
 */
export function compareObject(
  label: string,
  expected: JsonObject,
  actual: JsonObject,
  rules: Readonly<Record<string, FieldRule>>,
  notCarried: Readonly<Record<string, string>>,
  mismatches: string[],
  aliases: Readonly<Record<string, string>> = {},
): void {
  const compared = new Set<string>();
  for (const [field, got] of Object.entries(actual)) {
    const rule = rules[field] ?? {};
    const shsField = rule.shs ?? field;
    compared.add(shsField);
    let want: unknown = expected[shsField] ?? null;
    if (want !== null && rule.expected) want = rule.expected(want);
    compareValue(`${label}.${field}`, want, got !== null && rule.actual ? rule.actual(got) : got, mismatches);
  }
  // An old name History Server still writes must agree with the field compared under the new name.
  for (const [oldName, field] of Object.entries(aliases)) {
    if (oldName in expected) {
      compared.add(oldName);
      compareValue(`${label}.${oldName}`, expected[oldName], expected[rules[field]?.shs ?? field] ?? null, mismatches);
    }
  }
  for (const field of Object.keys(expected)) {
    if (!compared.has(field) && !(field in notCarried)) {
      mismatches.push(`${label}.${field}: not compared (carry it, or list it as not carried and say why)`);
    }
  }
}
