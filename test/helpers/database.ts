import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll } from 'vitest';
import type { ApplicationIdentity } from '../../src/store/application-writer.js';
import { AnalysisDatabase } from '../../src/store/database.js';

/** A real DuckDB file in a fresh temp directory, removed by `dispose`. */
export interface TempDatabase {
  database: AnalysisDatabase;
  path: string;
  dispose: () => void;
}

/** Opens a new analysis database file in its own temp directory (at the default memory limit unless given one). */
export async function openTempDatabase(memoryLimit = '512MB'): Promise<TempDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-test-'));
  const path = join(dir, 'analysis.duckdb');
  const database = await AnalysisDatabase.open(path, { memoryLimit });
  return {
    database,
    path,
    dispose: () => {
      database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A database and a scratch directory shared by the tests of one `describe` (see {@link useDatabaseAndScratch}). */
export interface DatabaseAndScratch {
  db: TempDatabase;
  dir: string;
}

/** Opens a database and makes a scratch directory (named from `prefix`) before the calling `describe`'s tests, and removes both after. */
export function useDatabaseAndScratch(prefix: string): DatabaseAndScratch {
  const fixture = {} as DatabaseAndScratch;
  beforeAll(async () => {
    fixture.db = await openTempDatabase();
    fixture.dir = mkdtempSync(join(tmpdir(), `spark-sword-${prefix}-`));
  });
  afterAll(() => {
    fixture.db?.dispose();
    if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}

/** Converts DuckDB bigints to numbers for readable assertions (test data never exceeds 2^53). */
export function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))) as T;
}

/** The identity of a completed application written straight through writeApplication (no log source). */
export function applicationIdentity(appKey: string, eventsRead = 0): ApplicationIdentity {
  return {
    appKey, appId: appKey, attemptId: null, completed: true, lastUpdated: 0, sourceName: 'x', sourceLayout: 'single',
    eventsRead, eventsSkipped: 0, skippedEventTypes: {}, warnings: [],
  };
}

/**
 * An in-memory DuckDB connection for the tests of the calling suite (opened before them, closed after them), for SQL
 * that needs no stored application; call inside a describe block or at a file's top level.
 */
export function useInMemoryConnection(): () => DuckDBConnection {
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });
  return () => connection!;
}
