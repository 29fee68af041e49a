import { listValue } from '@duckdb/node-api';
import type { AnalysisDatabase } from './database.js';

/**
 * Answers read from one stored version of an application, kept in memory by database, key and application
 * number. Every write of an application gives it a new number (application_numbers) in the transaction that
 * writes its precomputed answers and insights, so an entry can never go stale: a rewritten application is
 * looked up under its new number, a deleted one has none. The database is part of the key because numbers
 * restart in every database file (two in-memory databases may both hold "app-1" as number 1). Least recently
 * used entries go first beyond `capacity`.
 */
export class ApplicationAnswers<T> {
  private readonly entries = new Map<string, T>();
  /** Answers being read now: concurrent requests for a version not kept wait for one read, not one each. */
  private readonly reading = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  private static key(db: AnalysisDatabase, appKey: string, appNo: number): string {
    return `${db.id}:${appNo}:${appKey}`;
  }

  /** The read under way of this application version, if any. */
  pending(db: AnalysisDatabase, appKey: string, appNo: number): Promise<T> | undefined {
    return this.reading.get(ApplicationAnswers.key(db, appKey, appNo));
  }

  /** Notes that `answer` is being read for this version; it is kept once read and forgotten if it fails. */
  reads(db: AnalysisDatabase, appKey: string, appNo: number, answer: Promise<T>): void {
    const key = ApplicationAnswers.key(db, appKey, appNo);
    this.reading.set(key, answer);
    answer.then(
      (value) => this.set(db, appKey, appNo, value),
      () => undefined,
    ).finally(() => {
      if (this.reading.get(key) === answer) this.reading.delete(key);
    });
  }

  /** The answer for this version: kept, being read (waited for), or read now with `load`. */
  async getOrRead(db: AnalysisDatabase, appKey: string, appNo: number, load: () => Promise<T>): Promise<T> {
    const kept = this.get(db, appKey, appNo);
    if (kept !== undefined) return kept;
    const pending = this.pending(db, appKey, appNo);
    if (pending) return pending;
    const answer = load();
    this.reads(db, appKey, appNo, answer);
    return answer;
  }

  /** The answer kept for this application version, if any (keyed by key and number, so copies never mix). */
  get(db: AnalysisDatabase, appKey: string, appNo: number): T | undefined {
    const key = ApplicationAnswers.key(db, appKey, appNo);
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Keeps `value` for this application version. */
  set(db: AnalysisDatabase, appKey: string, appNo: number, value: T): void {
    const key = ApplicationAnswers.key(db, appKey, appNo);
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

const memoKey = (appKey: string): string => `appNo:${appKey}`;

/**
 * Notes, for the rest of the request `db` is a handle of, that `appKey` is stored under `appNo` (null: not
 * stored), so that later lookups of it in this request need not ask the database again.
 */
export function rememberApplicationNumber(db: AnalysisDatabase, appKey: string, appNo: number | null): void {
  db.requestMemo?.set(memoKey(appKey), appNo);
}

/**
 * The current application number of each stored key among `appKeys` (unknown keys are absent). Within a
 * request each key is looked up once, not once per field that reads the application.
 */
export async function applicationNumbers(db: AnalysisDatabase, appKeys: readonly string[]): Promise<Map<string, number>> {
  const memo = db.requestMemo;
  const numbers = new Map<string, number>();
  const unknown: string[] = [];
  for (const appKey of appKeys) {
    const known = memo?.get(memoKey(appKey)) as number | null | undefined;
    if (known === undefined) unknown.push(appKey);
    else if (known !== null) numbers.set(appKey, known);
  }
  if (unknown.length === 0) return numbers;
  const rows = await db.query('SELECT appKey, appNo FROM application_numbers WHERE appKey IN (SELECT unnest($appKeys))', {
    appKeys: listValue(unknown),
  });
  for (const row of rows) numbers.set(row.appKey as string, Number(row.appNo));
  for (const appKey of unknown) memo?.set(memoKey(appKey), numbers.get(appKey) ?? null);
  return numbers;
}

/**
 * Reads per-application answers through `cache`: the keys whose current version is neither kept nor being
 * read are read with `load` (one call for all of them, answering in key order) and kept; keys another
 * request is reading wait for that read. Unknown applications answer `empty`, or with `readUnnumbered` are
 * read with the rest and not kept (rows written for a key outside an ingest have no version to keep them by).
 */
export async function cachedByApp<T>(
  db: AnalysisDatabase,
  cache: ApplicationAnswers<T>,
  appKeys: readonly string[],
  load: (appKeys: string[]) => Promise<T[]>,
  empty: T,
  { readUnnumbered = false }: { readUnnumbered?: boolean } = {},
): Promise<T[]> {
  const numbers = await applicationNumbers(db, appKeys);
  const answers = new Map<string, T | Promise<T>>();
  const missing: string[] = [];
  for (const key of new Set(appKeys)) {
    const appNo = numbers.get(key);
    const answer = appNo === undefined ? undefined : (cache.get(db, key, appNo) ?? cache.pending(db, key, appNo));
    if (answer !== undefined) answers.set(key, answer);
    else if (appNo !== undefined || readUnnumbered) missing.push(key);
  }
  if (missing.length > 0) {
    const loading = load(missing);
    missing.forEach((key, i) => {
      const answer = loading.then((loaded) => loaded[i]!);
      const appNo = numbers.get(key);
      if (appNo !== undefined) cache.reads(db, key, appNo, answer);
      answers.set(key, answer);
    });
  }
  return Promise.all(appKeys.map((key) => answers.get(key) ?? empty));
}
