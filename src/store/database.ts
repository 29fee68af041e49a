import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { createTablesSql, SCHEMA_VERSION } from './schema.js';
import { createViewsSql } from './views.js';

/** Options for opening the analysis database. */
export interface OpenDatabaseOptions {
  /** DuckDB memory limit, e.g. "256MB"; larger work spills to the database's temp directory. */
  memoryLimit?: string;
  /** DuckDB worker threads; DuckDB's default (all cores) when unset. */
  threads?: number;
}

/** Why a database file could not be opened: held by another process, not writable, or something else. */
export type DatabaseOpenProblem = 'locked' | 'read-only' | 'other';

/** The database file could not be opened; the message says which file, why, and what to do, in one line. */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  constructor(
    message: string,
    readonly problem: DatabaseOpenProblem,
  ) {
    super(message);
  }
}

/** Turns DuckDB's and the file system's errors at open into one clear line. */
function openError(path: string, error: unknown): DatabaseOpenError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (/Could not set lock/i.test(message)) {
    const pid = /\(PID (\d+)\)/.exec(message)?.[1];
    return new DatabaseOpenError(
      `${path} is in use by another process${pid ? ` (pid ${pid})` : ''}: DuckDB lets one process open a database file; stop it or set DUCKDB_PATH to another file`,
      'locked',
    );
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM' || /read-only file system|permission denied/i.test(message)) {
    return new DatabaseOpenError(
      `${path} cannot be written (${/read-only/i.test(message) || code === 'EROFS' ? 'read-only file system' : 'permission denied'}): set DUCKDB_PATH to a writable file`,
      'read-only',
    );
  }
  return new DatabaseOpenError(`${path} could not be opened: ${message.split('\n')[0]}`, 'other');
}

/** A JSON-safe row: DuckDB BIGINTs stay bigint so no counter loses precision. */
export type Row = Record<string, unknown>;

/**
 * The analysis DuckDB: one instance per process (DuckDB holds the file's write lock), any number of
 * connections from it. Opening creates or migrates the schema and (re)creates the views.
 */
export class AnalysisDatabase {
  /** The tail of the queue of writes: each write starts when the previous one has settled. */
  private writeQueue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
  ) {}

  /**
   * Runs `work` when no other write of this process runs. Two transactions replacing the same application
   * would conflict in DuckDB ("Conflict on tuple deletion"); one after the other, the later simply wins.
   * Reads never wait for this.
   */
  async serializeWrite<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writeQueue.then(work, work);
    this.writeQueue = run.catch(() => undefined);
    return run;
  }

  /** Opens (creating if needed) the database file at `path`, or an in-memory one for ":memory:". */
  static async open(path: string, options: OpenDatabaseOptions = {}): Promise<AnalysisDatabase> {
    const settings: Record<string, string> = {};
    if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
    if (options.threads) settings.threads = String(options.threads);
    let instance: DuckDBInstance;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      instance = await DuckDBInstance.create(path, settings);
    } catch (error) {
      throw openError(path, error);
    }
    const database = new AnalysisDatabase(path, instance);
    try {
      await database.migrate();
    } catch (error) {
      database.close();
      if (error instanceof DatabaseOpenError) throw error;
      throw openError(path, error);
    }
    return database;
  }

  /** A new connection; close it with `closeSync()` when done. */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /** Runs `work` on a fresh connection that is closed afterwards. */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    try {
      return await work(connection);
    } finally {
      connection.closeSync();
    }
  }

  /** Runs a query and returns its rows as plain objects (BIGINT as bigint, nested values as JS). */
  async query(sql: string, params: DuckDBValue[] | Record<string, DuckDBValue> = []): Promise<Row[]> {
    return this.withConnection(async (connection) => {
      const reader = await connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Row[];
    });
  }

  /** Closes the instance; the object is unusable afterwards. */
  close(): void {
    this.instance.closeSync();
  }

  private async migrate(): Promise<void> {
    await this.withConnection(async (connection) => {
      await connection.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const rows = (await connection.runAndReadAll('SELECT max(version) AS v FROM schema_version')).getRowObjectsJS();
      const found = rows[0]?.v as number | null;
      if (found !== null && found > SCHEMA_VERSION) {
        throw new DatabaseOpenError(
          `${this.path} was written by a newer Spark Sword (schema ${found}, this build knows ${SCHEMA_VERSION}). ` +
            'Upgrade Spark Sword or point DUCKDB_PATH at another file.',
          'other',
        );
      }
      if (found !== null && found < SCHEMA_VERSION) {
        // Analysis data is derived from event logs: an older layout is dropped and logs are ingested again.
        throw new DatabaseOpenError(
          `${this.path} holds analysis schema ${found}; this build needs ${SCHEMA_VERSION}. ` +
            'Delete the file (it only holds data derived from event logs) and ingest the logs again.',
          'other',
        );
      }
      await connection.run(createTablesSql);
      if (found === null) await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
      await connection.run(createViewsSql);
    });
  }
}
