import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProgressStore } from '../../src/learning/progress/progress-store.js';

/** A real progress DuckDB file in a fresh temp directory; `reopen` closes and opens the same file again. */
export interface TempProgress {
  store: ProgressStore;
  path: string;
  reopen: () => Promise<ProgressStore>;
  dispose: () => void;
}

/** Opens a new progress database file in its own temp directory, removed by `dispose`. */
export async function openTempProgress(): Promise<TempProgress> {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-progress-'));
  const path = join(dir, 'nested', 'progress.duckdb');
  const temp: TempProgress = {
    store: await ProgressStore.open(path),
    path,
    reopen: async () => {
      temp.store.close();
      temp.store = await ProgressStore.open(path);
      return temp.store;
    },
    dispose: () => {
      temp.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return temp;
}
