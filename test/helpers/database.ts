import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
