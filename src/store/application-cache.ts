import { listValue } from '@duckdb/node-api';
import type { AnalysisDatabase } from './database.js';

/**
 * Answers read from one stored version of an application, kept in memory by its application number. Every
 * write of an application gives it a new number (application_numbers) in the transaction that writes its
 * precomputed answers, so an entry can never go stale: a rewritten application is looked up under its new
 * number, a deleted one has none. Least recently used entries go first beyond `capacity`.
 */
export class ApplicationAnswers<T> {
  private readonly entries = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  /** The answer kept for this application version, if any (keyed by key and number, so copies never mix). */
  get(appKey: string, appNo: number): T | undefined {
    const key = `${appNo}:${appKey}`;
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Keeps `value` for this application version. */
  set(appKey: string, appNo: number, value: T): void {
    const key = `${appNo}:${appKey}`;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

/** The current application number of each stored key among `appKeys` (unknown keys are absent). */
export async function applicationNumbers(db: AnalysisDatabase, appKeys: readonly string[]): Promise<Map<string, number>> {
  const rows = await db.query('SELECT appKey, appNo FROM application_numbers WHERE appKey IN (SELECT unnest($appKeys))', {
    appKeys: listValue([...appKeys]),
  });
  return new Map(rows.map((row) => [row.appKey as string, Number(row.appNo)]));
}

/**
 * Reads per-application answers through `cache`: the keys whose current version is not kept are read with
 * `load` (one call for all of them, answering in key order) and kept. Unknown applications answer `empty`.
 */
export async function cachedByApp<T>(
  db: AnalysisDatabase,
  cache: ApplicationAnswers<T>,
  appKeys: readonly string[],
  load: (appKeys: string[]) => Promise<T[]>,
  empty: T,
): Promise<T[]> {
  const numbers = await applicationNumbers(db, appKeys);
  const missing = [...new Set(appKeys.filter((key) => numbers.has(key) && cache.get(key, numbers.get(key)!) === undefined))];
  const loaded = new Map<string, T>();
  if (missing.length > 0) {
    const answers = await load(missing);
    missing.forEach((key, i) => {
      loaded.set(key, answers[i]!);
      cache.set(key, numbers.get(key)!, answers[i]!);
    });
  }
  return appKeys.map((key) => {
    const appNo = numbers.get(key);
    if (appNo === undefined) return empty;
    return loaded.get(key) ?? cache.get(key, appNo) ?? empty;
  });
}
