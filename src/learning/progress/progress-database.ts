import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { logger } from '../../logger.js';
import { progressMigrations, type ProgressMigration } from './progress-schema.js';

/** A row as DuckDB returns it (BIGINT as bigint). */
export type ProgressRow = Record<string, unknown>;

/** The progress file cannot be used by this build (written by a newer one, or not a progress database). */
export class ProgressSchemaError extends Error {
  override readonly name = 'ProgressSchemaError';
}

/**
 * Learners' progress DuckDB: a small file of its own, so the analysis database can be deleted and rebuilt
 * without losing anyone's progress. Unlike analysis data, progress cannot be re-derived, so older layouts
 * are migrated in place (one transaction) and newer ones are refused before anything is written.
 */
export class ProgressDatabase {
  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
  ) {}

  /** Opens (creating the file and its directory if needed) and migrates the database at `path` (":memory:" too). */
  static async open(path: string, migrations: readonly ProgressMigration[] = progressMigrations): Promise<ProgressDatabase> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const existed = path !== ':memory:' && existsSync(path);
    // Progress is a few rows per learner: one thread and a small memory budget leave the machine to analysis.
    const instance = await DuckDBInstance.create(path, { threads: '1', memory_limit: '128MB' });
    const database = new ProgressDatabase(path, instance);
    try {
      await database.migrate(migrations, existed);
    } catch (error) {
      instance.closeSync();
      throw error;
    }
    return database;
  }

  /** Runs `work` on a fresh connection that is closed afterwards. */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.instance.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Runs one parameterised statement and returns its rows as plain objects. */
  async query(sql: string, params: Record<string, DuckDBValue> = {}): Promise<ProgressRow[]> {
    return this.withConnection(async (connection) => runQuery(connection, sql, params));
  }

  /** Runs `work` in one transaction on its own connection: all of it is committed, or none of it. */
  async transaction<T>(work: (run: TransactionRunner) => Promise<T>): Promise<T> {
    return this.withConnection(async (connection) =>
      inTransaction(connection, () => work((sql, params = {}) => runQuery(connection, sql, params))),
    );
  }

  /** Closes the file; the object is unusable afterwards. */
  close(): void {
    this.instance.closeSync();
  }

  /** The schema version recorded in the file, 0 for a file without progress tables. */
  async schemaVersion(): Promise<number> {
    return this.withConnection(async (connection) => readVersion(connection, this.path));
  }

  private async migrate(migrations: readonly ProgressMigration[], existed: boolean): Promise<void> {
    const target = migrations[migrations.length - 1]?.version ?? 0;
    await this.withConnection(async (connection) => {
      // Read before writing anything: a file from a newer build must come out of this untouched.
      const found = await readVersion(connection, this.path);
      if (found > target) {
        throw new ProgressSchemaError(
          `${this.path} holds progress schema version ${found}, written by a newer Spark Sword; this build knows ` +
            `up to version ${target}. Upgrade Spark Sword, or point PROGRESS_DB_PATH at another file. ` +
            'The file was not changed.',
        );
      }
      if (found === target) return;
      const pending = migrations.filter((migration) => migration.version > found);
      await inTransaction(connection, async () => {
        await connection.run(
          'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)',
        );
        for (const migration of pending) {
          await connection.run(migration.sql);
          await runQuery(
            connection,
            'INSERT INTO schema_version VALUES ($version, $description, epoch_ms($at::BIGINT))',
            { version: migration.version, description: migration.description, at: Date.now() },
          );
        }
      });
      if (existed) logger.info({ path: this.path, from: found, to: target }, 'migrated the progress database');
    });
  }
}

/** Runs a statement inside a transaction opened by `ProgressDatabase.transaction`. */
export type TransactionRunner = (sql: string, params?: Record<string, DuckDBValue>) => Promise<ProgressRow[]>;

/** Runs `work` between BEGIN and COMMIT on `connection`, rolling back when it throws. */
async function inTransaction<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  await connection.run('BEGIN TRANSACTION');
  try {
    const result = await work();
    await connection.run('COMMIT');
    return result;
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

async function runQuery(
  connection: DuckDBConnection,
  sql: string,
  params: Record<string, DuckDBValue>,
): Promise<ProgressRow[]> {
  const reader = await connection.runAndReadAll(sql, params);
  return reader.getRowObjectsJS() as ProgressRow[];
}

async function readVersion(connection: DuckDBConnection, path: string): Promise<number> {
  const columns = (
    await runQuery(
      connection,
      "SELECT column_name FROM duckdb_columns() WHERE schema_name = 'main' AND table_name = 'schema_version'",
      {},
    )
  ).map((row) => row.column_name as string);
  const tables = await runQuery(connection, "SELECT count(*)::INTEGER AS n FROM duckdb_tables() WHERE schema_name = 'main'", {});
  if (columns.length === 0) {
    if ((tables[0]?.n as number) > 0) throw notProgress(path);
    return 0;
  }
  // The analysis database has a schema_version table too, without a description: never migrate that file.
  if (!columns.includes('description')) throw notProgress(path);
  const rows = await runQuery(connection, 'SELECT max(version)::INTEGER AS v FROM schema_version', {});
  return (rows[0]?.v as number | null) ?? 0;
}

function notProgress(path: string): ProgressSchemaError {
  return new ProgressSchemaError(
    `${path} is a DuckDB file with other tables, not a Spark Sword progress database; point PROGRESS_DB_PATH ` +
      'at a file of its own. The file was not changed.',
  );
}
