import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { knownDifferences } from './known-differences.js';

/**
 * Spark Sword's /api/v1 against Spark History Server's own answers: a real server holds exactly the
 * apache-spark/ logs, every URL of MAPPING.txt is fetched over HTTP and compared with its expectation file the
 * way HistoryServerSuite compares (JSON equality, object keys in any order, lastUpdated and lastUpdatedEpoch
 * blanked). Differences must be listed in known-differences.ts with a reason.
 */

interface MappedCase {
  /** Expectation name: the file name without `_expectation.json`. */
  name: string;
  url: string;
  test: string;
}

const expectationsDir = eventLogPath('history-server-expectations');

function readMapping(): MappedCase[] {
  const text = readFileSync(`${expectationsDir}/MAPPING.txt`, 'utf8');
  const cases: MappedCase[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+)_expectation\.json -> (\S+)\s+\[[^\]]*\]\s+#\s*(.*)$/.exec(line);
    if (match) cases.push({ name: match[1]!, url: match[2]!, test: match[3]!.trim() });
  }
  return cases;
}

/** HistoryServerSuite.clearLastUpdated: the log files' modification times are not the application's. */
function clearLastUpdated(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(clearLastUpdated);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        key === 'lastUpdated' ? '' : key === 'lastUpdatedEpoch' ? 0 : clearLastUpdated(item),
      ]),
    );
  }
  return value;
}

/** Every difference between two JSON values: arrays in order, objects by key in any order, no key optional. */
function jsonDifferences(path: string, expected: unknown, actual: unknown, out: string[]): void {
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) {
      out.push(`${path}: expected ${expected.length} items, got ${actual.length}`);
    }
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) {
      jsonDifferences(`${path}[${i}]`, expected[i], actual[i], out);
    }
  } else if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      if (!(key in actual)) out.push(`${path}.${key}: missing (expected ${show(expected[key])})`);
      else if (!(key in expected)) out.push(`${path}.${key}: not in History Server's answer (got ${show(actual[key])})`);
      else jsonDifferences(`${path}.${key}`, expected[key], actual[key], out);
    }
  } else if (show(expected) !== show(actual)) {
    out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const cases = readMapping();
const outcomes = new Map<string, string[]>();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const report = await ingestPaths(server.temp.database, [eventLogPath('apache-spark')]);
  expect(report.failures).toEqual([]);
});
afterAll(async () => server?.close());

describe('/api/v1 against History Server (HistoryServerSuite expectations)', () => {
  it('reads all 60 cases of MAPPING.txt', () => {
    expect(cases).toHaveLength(60);
    for (const name of Object.keys(knownDifferences)) expect(cases.map((c) => c.name)).toContain(name);
  });

  it.each(cases)('$test: $url', async ({ name, url }) => {
    const response = await fetch(`${server.url}${url}`);
    const differences: string[] = [];
    if (response.status !== 200) {
      differences.push(`HTTP ${response.status}: ${await response.text()}`);
    } else {
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      const expected = JSON.parse(readFileSync(`${expectationsDir}/${name}_expectation.json`, 'utf8')) as unknown;
      const actual = JSON.parse(await response.text()) as unknown;
      jsonDifferences('$', clearLastUpdated(expected), clearLastUpdated(actual), differences);
    }
    outcomes.set(name, differences);
    if (name in knownDifferences) {
      // A listed difference that is gone must leave the list.
      expect(differences, `${name} now matches: remove it from known-differences.ts`).not.toEqual([]);
    } else {
      expect(differences).toEqual([]);
    }
  });

  it('reports matched/total', () => {
    const matched = cases.filter((c) => outcomes.get(c.name)?.length === 0).length;
    const known = cases.filter((c) => c.name in knownDifferences);
    console.log(
      `History Server conformance: ${matched}/${cases.length} matched` +
        known.map((c) => `\n  known difference ${c.name}: ${knownDifferences[c.name]}`).join(''),
    );
    expect(outcomes.size).toBe(cases.length);
    expect(matched + known.length).toBe(cases.length);
  });
});
