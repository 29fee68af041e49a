import { loadConfig, type Config } from '../config.js';
import { AnalysisDatabase } from '../store/database.js';

/** Opens the analysis database at `dbPath` (else DUCKDB_PATH) with the configured memory limit and threads. */
export function openStoredDatabase(dbPath: string | undefined, config: Config): Promise<AnalysisDatabase> {
  return AnalysisDatabase.open(dbPath ?? config.DUCKDB_PATH, {
    memoryLimit: config.DUCKDB_MEMORY_LIMIT,
    threads: config.DUCKDB_THREADS,
  });
}

/** Opens the analysis database a command reads (`--db`, else DUCKDB_PATH), runs `work` with it and the config, and closes it. */
export async function withStoredDatabase<T>(
  dbPath: string | undefined,
  work: (database: AnalysisDatabase, config: Config) => Promise<T>,
): Promise<T> {
  const config = loadConfig();
  const database = await openStoredDatabase(dbPath, config);
  try {
    return await work(database, config);
  } finally {
    database.close();
  }
}

/** JSON text of a --json answer; DuckDB's bigints become numbers (exact below 2^53), larger ones strings. */
export function toJson(value: unknown): string {
  const replacer = (_key: string, v: unknown): unknown =>
    typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v;
  return `${JSON.stringify(value, replacer, 2)}\n`;
}
