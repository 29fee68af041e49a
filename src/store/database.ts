import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { createTablesSql, SCHEMA_VERSION } from './schema.js';
import { createViewsSql } from './views.js';

/** Options for opening the analysis database. */
export interface OpenDatabaseOptions {
  /** DuckDB memory limit, e.g. "256MB"; larger work spills to the database's temp directory. */
  memoryLimit?: string;
  /** DuckDB worker threads; DuckDB's default (all cores) when unset. */
  threads?: number;
}

/** The cancellation signal of the work running in the current async context (one API request). */
const cancellation = new AsyncLocalStorage<AbortSignal>();

/**
 * Runs `work` so that every query it makes through an AnalysisDatabase is interrupted when `signal` aborts:
 * a query running then stops (DuckDB's interrupt), later ones do not start, and both reject with the
 * signal's reason. The server runs each request under one.
 */
export function runCancellable<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
  return cancellation.run(signal, work);
}

/** Idle read connections kept for reuse; more run at once when asked, and close when returned beyond this. */
const MAX_IDLE_READERS = 16;
/** Prepared statements a read connection keeps (the store's queries are a few dozen texts). */
const MAX_STATEMENTS_PER_READER = 200;

/** A connection kept for reads, with the statements it prepared (parsed and planned once, run many times). */
interface Reader {
  connection: DuckDBConnection;
  statements: Map<string, DuckDBPreparedStatement>;
}

/** A JSON-safe row: DuckDB BIGINTs stay bigint so no counter loses precision. */
export type Row = Record<string, unknown>;

/**
 * The analysis DuckDB: one instance per process (DuckDB holds the file's write lock), any number of
 * connections from it. Opening creates or migrates the schema and (re)creates the views.
 */
export class AnalysisDatabase {
  private readonly idleReaders: Reader[] = [];
  private closed = false;
  /**
   * Whether queries reuse pooled connections (the default). Off, each query gets a fresh connection from
   * {@link connect}, e.g. for a profiler set up per connection; turning it off closes the idle ones.
   */
  get reuseConnections(): boolean {
    return this.reuse;
  }
  set reuseConnections(value: boolean) {
    this.reuse = value;
    if (!value) for (const reader of this.idleReaders.splice(0)) this.closeReader(reader);
  }
  private reuse = true;

  private constructor(
    readonly path: string,
    private readonly instance: DuckDBInstance,
  ) {}

  /** Opens (creating if needed) the database file at `path`, or an in-memory one for ":memory:". */
  static async open(path: string, options: OpenDatabaseOptions = {}): Promise<AnalysisDatabase> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const settings: Record<string, string> = {};
    if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
    if (options.threads) settings.threads = String(options.threads);
    const instance = await DuckDBInstance.create(path, settings);
    const database = new AnalysisDatabase(path, instance);
    await database.migrate();
    return database;
  }

  /** A new connection; close it with `closeSync()` when done. */
  async connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  /**
   * Runs `work` on a fresh connection that is closed afterwards. Connections come from one instance, so reads
   * run in parallel; under {@link runCancellable} the work is interrupted when the signal aborts.
   */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const signal = cancellation.getStore();
    signal?.throwIfAborted();
    const connection = await this.connect();
    const interrupt = (): void => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    try {
      return await work(connection);
    } catch (error) {
      // DuckDB answers an interrupt with "INTERRUPT Error"; the caller wants to know why it was interrupted.
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      connection.closeSync();
    }
  }

  /**
   * Runs a query and returns its rows as plain objects (BIGINT as bigint, nested values as JS). Queries run on
   * pooled connections that keep their prepared statements, so a query the API repeats is parsed and planned
   * once per connection; several run in parallel, each on its own connection. Under {@link runCancellable}
   * the query is interrupted when the signal aborts.
   */
  async query(sql: string, params: DuckDBValue[] | Record<string, DuckDBValue> = []): Promise<Row[]> {
    const signal = cancellation.getStore();
    signal?.throwIfAborted();
    const reader = this.idleReaders.pop() ?? { connection: await this.connect(), statements: new Map() };
    const interrupt = (): void => reader.connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    let reusable = true;
    try {
      let statement = reader.statements.get(sql);
      if (!statement) {
        statement = await reader.connection.prepare(sql);
        if (reader.statements.size >= MAX_STATEMENTS_PER_READER) this.forgetStatements(reader);
        reader.statements.set(sql, statement);
      }
      statement.clearBindings();
      if (Array.isArray(params) ? params.length > 0 : Object.keys(params).length > 0) statement.bind(params);
      const result = await statement.runAndReadAll();
      return result.getRowObjectsJS() as Row[];
    } catch (error) {
      // A failed or interrupted connection is not reused: it may hold an aborted transaction.
      reusable = false;
      if (signal?.aborted) throw signal.reason;
      throw error;
    } finally {
      signal?.removeEventListener('abort', interrupt);
      if (reusable && this.reuse && !this.closed && this.idleReaders.length < MAX_IDLE_READERS) this.idleReaders.push(reader);
      else this.closeReader(reader);
    }
  }

  /** Closes the instance; the object is unusable afterwards. */
  close(): void {
    this.closed = true;
    for (const reader of this.idleReaders.splice(0)) this.closeReader(reader);
    this.instance.closeSync();
  }

  private forgetStatements(reader: Reader): void {
    for (const statement of reader.statements.values()) statement.destroySync();
    reader.statements.clear();
  }

  private closeReader(reader: Reader): void {
    this.forgetStatements(reader);
    reader.connection.closeSync();
  }

  private async migrate(): Promise<void> {
    await this.withConnection(async (connection) => {
      await connection.run('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      const rows = (await connection.runAndReadAll('SELECT max(version) AS v FROM schema_version')).getRowObjectsJS();
      const found = rows[0]?.v as number | null;
      if (found !== null && found > SCHEMA_VERSION) {
        throw new Error(
          `${this.path} was written by a newer Spark Sword (schema ${found}, this build knows ${SCHEMA_VERSION}). ` +
            'Upgrade Spark Sword or point DUCKDB_PATH at another file.',
        );
      }
      if (found !== null && found < SCHEMA_VERSION) {
        // Analysis data is derived from event logs: an older layout is dropped and logs are ingested again.
        throw new Error(
          `${this.path} holds analysis schema ${found}; this build needs ${SCHEMA_VERSION}. ` +
            'Delete the file (it only holds data derived from event logs) and ingest the logs again.',
        );
      }
      await connection.run(createTablesSql);
      if (found === null) await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
      await connection.run(createViewsSql);
    });
  }
}
