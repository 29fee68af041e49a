import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import type { Config } from '../config.js';
import { logger } from '../logger.js';
import { removeUnfinishedApplications } from './application-rows.js';
import { collectGarbageOnceGrown } from './js-heap.js';
import { bindValues, ReusedStatements } from './reused-statements.js';
import { createTablesSql, SCHEMA_VERSION, schemaMigrations } from './schema.js';
import { createViewsSql } from './views.js';

/** Options for opening the analysis database. */
export interface OpenDatabaseOptions {
  /** DuckDB memory limit, e.g. "256MB"; larger work spills to the database's temp directory. */
  memoryLimit?: string;
  /** DuckDB worker threads; DuckDB's default (all cores) when unset. */
  threads?: number;
  /** Threads that read a log's task events during an ingest (default: see {@link AnalysisDatabase.taskReadThreads}). */
  taskReadThreads?: number;
}

/** What one request's handle on the database carries: its signal and its memo (see {@link AnalysisDatabase.forRequest}). */
interface RequestScope {
  signal: AbortSignal;
  /** Facts looked up once per request (e.g. which stored version of an application it reads). */
  memo: Map<string, unknown>;
}

/**
 * Idle read connections kept for reuse, each with the statements it prepared (parsed once, run many
 * times); more run at once when asked, and close when returned beyond this.
 */
const MAX_IDLE_READERS = 16;

/** Why a database file could not be opened: held by another process, not writable, or something else. */
export type DatabaseOpenProblem = 'locked' | 'read-only' | 'not-a-database' | 'incompatible' | 'other';

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
  if (/is not a valid DuckDB database file/i.test(message)) {
    return new DatabaseOpenError(
      `${path} is not a DuckDB database file: set DUCKDB_PATH (or --db) to a Spark Sword database or a new file`,
      'not-a-database',
    );
  }
  return new DatabaseOpenError(`${path} could not be opened: ${message.split('\n')[0]}`, 'other');
}

/** The name the analysis database is attached under, in the instance that holds it. */
const ATTACHED_AS = 'analysis';

/**
 * Rows per row group. An ingest holds its rows in memory until the transaction commits, unless a row group
 * fills first: then DuckDB writes it to the file straight away. DuckDB's default (122,880 rows) kept every
 * task of a 100k-task log in memory (~2 KB a task, uncompressed) and wrote them all at COMMIT; at 16,384 they
 * stream to the file as they are read, and a query for one application skips the row groups of others more finely.
 */
const ROW_GROUP_ROWS = 16_384;

/**
 * Block size of a database file created from now on (a file keeps the size it was created with). Every column of a
 * row group being filled holds a block of its own until the group is written: at DuckDB's default 256 KB, the
 * tasks table's ~100 leaf columns took ~250 MB of the bench log's ingest; at 64 KB, ~130 MB less, at the same speed.
 */
const NEW_FILE_BLOCK_BYTES = 65_536;

/**
 * A DuckDB instance holding the database at `path` (or an in-memory one for ":memory:"). The file is attached
 * rather than opened directly because the row group size is an option of ATTACH only; every connection then
 * selects it (see {@link AnalysisDatabase.connect}). Spilled data goes beside the file, as it would when opened.
 */
async function openInstance(path: string, settings: Record<string, string>): Promise<DuckDBInstance> {
  const instance = await DuckDBInstance.create(':memory:', {
    // A filled row group is written at once, not gathered with the next ones (DuckDB's default is 5).
    write_buffer_row_group_count: '1',
    // The only files read are an ingest's staged events, read a few times each from a local disk and then deleted:
    // cached, they held 20-30 MB of a long log's ingest until its end.
    enable_external_file_cache: 'false',
    default_block_size: String(NEW_FILE_BLOCK_BYTES),
    ...(path === ':memory:' ? {} : { temp_directory: `${path}.tmp` }),
    ...settings,
  });
  const connection = await instance.connect();
  try {
    await connection.run(`ATTACH '${path.replaceAll("'", "''")}' AS ${ATTACHED_AS} (ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }
  connection.closeSync();
  return instance;
}

let nextDatabaseId = 1;

/** What every handle on one database shares (see {@link AnalysisDatabase.forRequest}). */
interface SharedState {
  readonly id: number;
  instance: DuckDBInstance;
  readonly idleReaders: ReusedStatements[];
  /** The write connection kept between ingests, and whether a work holds it now. */
  writer: ReusedStatements | null;
  writerHeld: boolean;
  closed: boolean;
  reuse: boolean;
  /**
   * Grows after anything that may have written to the database: every `withConnection` work (ingests, deletes and
   * anything else that writes use it) and every `query` that is not a SELECT. Answers kept in memory and read while
   * it stood still are current; see {@link AnalysisDatabase.writeCount}.
   */
  writes: number;
  /** The tail of the queue of writes: each write starts when the previous one has settled. */
  writeQueue: Promise<unknown>;
  /** What went wrong with the database file, while it stands (a full disk); null when all is well. */
  faultMessage: string | null;
  /** DuckDB stopped serving the instance after a fatal error (say a failed checkpoint): it must be reopened. */
  invalidated: boolean;
  /** See {@link AnalysisDatabase.taskReadThreads}. */
  readThreads: number;
}

/** A JSON-safe row: DuckDB BIGINTs stay bigint so no counter loses precision. */
export type Row = Record<string, unknown>;

/**
 * The analysis DuckDB: one instance per process (DuckDB holds the file's write lock), any number of
 * connections from it. Opening creates or migrates the schema and (re)creates the views.
 */
export class AnalysisDatabase {
  /**
   * A handle on this database for one request: the same instance, connections and counters, but its queries are
   * interrupted when `signal` aborts (later ones do not start; both reject with the signal's reason), and it keeps a
   * memo for that request ({@link requestMemo}). The server gives each request one of these.
   */
  forRequest(signal: AbortSignal): AnalysisDatabase {
    return new AnalysisDatabase(this.path, this.shared, this.settings, { signal, memo: new Map() }, this.base);
  }

  /**
   * The database every handle of it comes from (itself for the one {@link open} returns): what keeps answers for a
   * database keys them by this, so that every request's handle finds them.
   */
  readonly base: AnalysisDatabase;

  /**
   * A map that lives as long as this handle's request (undefined on a handle of no request): what a request looks up
   * once and reuses, such as the number of each application it reads, instead of repeating the lookup per field.
   */
  get requestMemo(): Map<string, unknown> | undefined {
    return this.scope?.memo;
  }

  /** Tells this process's databases apart (in-memory caches key answers by it); the same for every handle on one. */
  get id(): number {
    return this.shared.id;
  }

  /**
   * Whether queries reuse pooled connections (the default). Off, each query gets a fresh connection from
   * {@link connect}, e.g. for a profiler set up per connection; turning it off closes the idle ones.
   */
  get reuseConnections(): boolean {
    return this.shared.reuse;
  }
  set reuseConnections(value: boolean) {
    this.shared.reuse = value;
    if (!value) for (const reader of this.shared.idleReaders.splice(0)) reader.close();
  }

  /**
   * A number that changes after every possible write through this instance (the process holds the file's
   * lock, so no other process writes). A reader that keeps an answer notes it before reading and keeps the
   * answer only if it is unchanged afterwards; a kept answer is used only while it is still the same.
   */
  get writeCount(): number {
    return this.shared.writes;
  }

  private constructor(
    readonly path: string,
    private readonly shared: SharedState,
    private readonly settings: Record<string, string>,
    private readonly scope: RequestScope | null = null,
    base?: AnalysisDatabase,
  ) {
    this.base = base ?? this;
  }

  /** The cancellation signal of this handle's request, if any. */
  private get signal(): AbortSignal | undefined {
    return this.scope?.signal;
  }

  /**
   * Threads an ingest reads a log's task events on. Each reader thread holds its own JSON buffers and its own
   * uncommitted rows: on the 94k-task bench log two threads peaked ~95 MB higher than one, for ~0.8 s less.
   * Unless configured, one per {@link MEMORY_PER_TASK_READ_THREAD} bytes of the memory limit, at least one and at
   * most the database's threads: one at the default 512 MB, more where a server is given memory to spend.
   */
  get taskReadThreads(): number {
    return this.shared.readThreads;
  }

  /** The memory limit the database was opened with, as configured ("512MB"); null for DuckDB's default. */
  get memoryLimit(): string | null {
    return this.settings.memory_limit ?? null;
  }

  /** The standing problem with the database (for /health), or null. Cleared once the database works again. */
  get fault(): string | null {
    return this.shared.faultMessage;
  }

  /**
   * Checks whether a standing fault is still there (a full disk: can a megabyte be written beside the file
   * now?) and clears it when not. Returns the fault that remains, or null.
   */
  async recheckFault(): Promise<string | null> {
    if (this.shared.faultMessage === null || this.path === ':memory:') return this.shared.faultMessage;
    const probe = `${this.path}.space-probe`;
    try {
      await writeFile(probe, Buffer.alloc(1024 * 1024));
      await this.reopenIfInvalidated();
      this.shared.faultMessage = null;
    } catch {
      // Still no room: the fault stands.
    } finally {
      await rm(probe, { force: true });
    }
    return this.shared.faultMessage;
  }

  /**
   * After a fatal error DuckDB refuses every query on the instance until it is restarted. The instance is
   * opened again (replaying its WAL: committed work is kept, the failed transaction is not) as soon as it
   * is next needed, so the server recovers without a restart once, say, disk space returns.
   */
  private async reopenIfInvalidated(): Promise<void> {
    if (!this.shared.invalidated) return;
    // Pooled connections belong to the failed instance.
    this.closeWriter();
    for (const reader of this.shared.idleReaders.splice(0)) {
      try {
        reader.close();
      } catch {
        // Already unusable.
      }
    }
    try {
      this.shared.instance.closeSync();
    } catch {
      // Already unusable: closing is best effort.
    }
    try {
      this.shared.instance = await openInstance(this.path, this.settings);
      this.shared.invalidated = false;
    } catch (error) {
      throw this.noteFault(error);
    }
  }

  /** Records a fatal error with the database file, or a full disk, and returns it in words a person can act on. */
  private noteFault(error: unknown): unknown {
    const message = error instanceof Error ? error.message : String(error);
    if (!/FATAL Error|database has been invalidated|No space left on device/i.test(message)) return error;
    this.shared.invalidated = this.shared.invalidated || /FATAL Error|invalidated/i.test(message);
    const fullDisk = /No space left on device/i.test(message) ? this.fullDiskOf(error, message) : null;
    this.shared.faultMessage = fullDisk !== null
      ? `the disk holding ${fullDisk} is full (No space left on device): nothing more can be stored until space is freed`
      : `the database ${this.path} failed: ${message.split('\n')[0]}`;
    return new Error(`${this.shared.faultMessage}; the work under way was not stored`);
  }

  /**
   * What the full disk holds: the database, or the temporary files an ingest writes beside the log it reads (a copy,
   * spilled lines and events, in TMPDIR), which may be another disk. DuckDB names the file it could not write; a
   * write of Node's own (ENOSPC) is always to the temporary files.
   */
  private fullDiskOf(error: unknown, message: string): string {
    const file = /"([^"]+)"/.exec(message)?.[1];
    const own = (path: string): boolean => path.startsWith(`${dirname(this.path)}/`) || path.startsWith(this.path);
    if (file !== undefined && !own(file)) return `the ingest's temporary files (${dirname(file)})`;
    if (file === undefined && (error as NodeJS.ErrnoException).code === 'ENOSPC') return `the ingest's temporary files (${tmpdir()})`;
    return this.path;
  }

  /**
   * Runs `work` when no other write of this process runs. Two transactions replacing the same application
   * would conflict in DuckDB ("Conflict on tuple deletion"); one after the other, the later simply wins.
   * Reads never wait for this.
   */
  async serializeWrite<T>(work: () => Promise<T>): Promise<T> {
    const clearingFault = async (): Promise<T> => {
      const result = await work();
      // A write went through: whatever stood in the way (a full disk) is gone.
      if (!this.shared.invalidated) this.shared.faultMessage = null;
      return result;
    };
    const run = this.shared.writeQueue.then(clearingFault, clearingFault);
    this.shared.writeQueue = run.catch(() => undefined);
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
      instance = await openInstance(path, settings);
    } catch (error) {
      throw openError(path, error);
    }
    const database = new AnalysisDatabase(path, {
      id: nextDatabaseId++,
      instance,
      idleReaders: [],
      writer: null,
      writerHeld: false,
      closed: false,
      reuse: true,
      writes: 0,
      writeQueue: Promise.resolve(),
      faultMessage: null,
      invalidated: false,
      readThreads: 1,
    }, settings);
    try {
      await database.migrate();
      const unfinished = await database.withConnection(removeUnfinishedApplications);
      if (unfinished.length > 0) {
        logger.warn({ appKeys: unfinished }, 'removed the rows of applications whose ingest was interrupted; ingest their logs again');
      }
      database.shared.readThreads = options.taskReadThreads ?? (await database.taskReadThreadsForMemory());
    } catch (error) {
      database.close();
      if (error instanceof DatabaseOpenError) throw error;
      throw openError(path, error);
    }
    return database;
  }

  /**
   * A new connection; close it with `closeSync()` when done. Write through {@link withConnection} or
   * {@link query} instead: {@link writeCount} does not see writes made on a connection taken here.
   */
  async connect(): Promise<DuckDBConnection> {
    await this.reopenIfInvalidated();
    const connection = await this.shared.instance.connect();
    try {
      await connection.run(`USE ${ATTACHED_AS}`);
    } catch (error) {
      connection.closeSync();
      throw error;
    }
    return connection;
  }

  /**
   * Runs `work` on a fresh connection that is closed afterwards. Connections come from one instance, so reads
   * run in parallel; on a handle of a request ({@link forRequest}) the work is interrupted when its signal aborts. Work that only
   * reads says so with `readOnly`, so the answers kept in memory stay valid ({@link writeCount} does not move).
   */
  async withConnection<T>(work: (connection: DuckDBConnection) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
    this.signal?.throwIfAborted();
    const connection = await this.connect();
    return this.runWork(connection, work, options.readOnly === true, () => connection.closeSync());
  }

  /**
   * Runs `work` on the write connection this instance keeps from one ingest to the next, whose repeated statements
   * are prepared once ({@link ReusedStatements}). One work at a time holds it: call this inside
   * {@link serializeWrite}; a caller that finds it held gets a fresh connection. Temp tables the work creates
   * outlive it unless it drops them; after a failure the connection, its tables and statements are closed.
   */
  async withWriteConnection<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    if (this.shared.writerHeld) return this.withConnection(work);
    this.signal?.throwIfAborted();
    await this.reopenIfInvalidated();
    // Every statement of an ingest is followed by a check of the process's memory (see releaseFreedMemory).
    this.shared.writer ??= new ReusedStatements(await this.connect(), { afterEach: releaseFreedMemory });
    const writer = this.shared.writer;
    this.shared.writerHeld = true;
    return this.runWork(writer.connection, work, false, (failed) => {
      this.shared.writerHeld = false;
      if (failed || this.shared.closed) this.closeWriter();
    });
  }

  /** Task-read threads the memory limit allows (see {@link taskReadThreads}). */
  private async taskReadThreadsForMemory(): Promise<number> {
    const [row] = await this.query(`SELECT current_setting('threads')::INTEGER AS threads, current_setting('memory_limit') AS memory`);
    // The configured text is exact; DuckDB shows its own default rounded ("18.8 GiB").
    const memoryBytes = bytesOfSize(this.settings.memory_limit ?? '') ?? bytesOfSize(String(row!.memory));
    const byMemory = memoryBytes === null ? 1 : Math.floor(memoryBytes / MEMORY_PER_TASK_READ_THREAD);
    return Math.max(1, Math.min(Number(row!.threads), byMemory));
  }

  /** Statements the kept write connection holds prepared (0 when it has none). */
  get keptWriteStatements(): number {
    return this.shared.writer?.keptCount ?? 0;
  }

  /**
   * Runs `work` on `connection`, interrupted when the current request's signal aborts, then calls `release` (told
   * whether the work failed). Work that may write moves {@link writeCount}.
   */
  private async runWork<T>(
    connection: DuckDBConnection,
    work: (connection: DuckDBConnection) => Promise<T>,
    readOnly: boolean,
    release: (failed: boolean) => void,
  ): Promise<T> {
    const signal = this.signal;
    const interrupt = (): void => connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    let failed = false;
    try {
      return await work(connection);
    } catch (error) {
      failed = true;
      // DuckDB answers an interrupt with "INTERRUPT Error"; the caller wants to know why it was interrupted.
      if (signal?.aborted) throw signal.reason;
      throw this.noteFault(error);
    } finally {
      signal?.removeEventListener('abort', interrupt);
      release(failed);
      // Once the work is over, whatever it committed is visible: answers kept from before may be stale.
      if (!readOnly) this.shared.writes += 1;
    }
  }

  private closeWriter(): void {
    const writer = this.shared.writer;
    this.shared.writer = null;
    try {
      writer?.close();
    } catch {
      // Already unusable (a failed instance).
    }
  }

  /**
   * Runs a query and returns its rows as plain objects (BIGINT as bigint, nested values as JS). Queries run on
   * pooled connections that keep their prepared statements, so a query the API repeats is parsed once per
   * connection (DuckDB plans it again when its parameters filter rows); several run in parallel, each on its own
   * connection. On a handle of a request the query is interrupted when the signal aborts.
   */
  async query(sql: string, params: DuckDBValue[] | Record<string, DuckDBValue> = []): Promise<Row[]> {
    const signal = this.signal;
    signal?.throwIfAborted();
    await this.reopenIfInvalidated();
    const reader = this.shared.idleReaders.pop() ?? new ReusedStatements(await this.connect());
    const interrupt = (): void => reader.connection.interrupt();
    signal?.addEventListener('abort', interrupt, { once: true });
    let reusable = true;
    try {
      const statement = await reader.prepared(sql);
      bindValues(statement, params);
      const result = await statement.runAndReadAll();
      if (statement.statementType !== StatementType.SELECT) this.shared.writes += 1;
      return result.getRowObjectsJS() as Row[];
    } catch (error) {
      // A failed or interrupted connection is not reused: it may hold an aborted transaction.
      reusable = false;
      this.shared.writes += 1;
      if (signal?.aborted) throw signal.reason;
      throw this.noteFault(error);
    } finally {
      signal?.removeEventListener('abort', interrupt);
      if (reusable && this.shared.reuse && !this.shared.closed && this.shared.idleReaders.length < MAX_IDLE_READERS) this.shared.idleReaders.push(reader);
      else reader.close();
    }
  }

  /** Closes the instance; the object is unusable afterwards. */
  close(): void {
    this.shared.closed = true;
    for (const reader of this.shared.idleReaders.splice(0)) reader.close();
    if (!this.shared.writerHeld) this.closeWriter();
    this.shared.instance.closeSync();
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
          'incompatible',
        );
      }
      if (found !== null && found < SCHEMA_VERSION) await this.migrateFrom(connection, found);
      await connection.run(createTablesSql);
      if (found === null) await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
      await connection.run(createViewsSql);
    });
  }

  /** Brings a file of schema `found` up to {@link SCHEMA_VERSION} in one transaction, or refuses it when a step is missing. */
  private async migrateFrom(connection: DuckDBConnection, found: number): Promise<void> {
    const steps = Array.from({ length: SCHEMA_VERSION - found }, (_, offset) => schemaMigrations[found + offset]);
    if (steps.some((step) => step === undefined)) {
      // Analysis data is derived from event logs: a layout no step leads from is dropped and the logs ingested again.
      throw new DatabaseOpenError(
        `${this.path} holds analysis schema ${found}; this build needs ${SCHEMA_VERSION}. ` +
          'Delete the file (it only holds data derived from event logs) and ingest the logs again.',
        'incompatible',
      );
    }
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const step of steps) await connection.run(step!);
      await connection.run(`INSERT INTO schema_version VALUES (${SCHEMA_VERSION})`);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      throw error;
    }
    logger.info({ path: this.path, from: found, to: SCHEMA_VERSION }, 'analysis database schema migrated');
  }
}

/** Memory limit a task-read thread is given by default (500 MB): one thread at the default limit of 512 MB. */
export const MEMORY_PER_TASK_READ_THREAD = 500_000_000;

const SIZE_UNITS: Readonly<Record<string, number>> = {
  b: 1, bytes: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40,
};

/**
 * Bytes of a memory size as DuckDB takes it ("512MB", "2GiB") or shows it ("488.2 MiB"): decimal and binary units;
 * null for anything else.
 */
export function bytesOfSize(size: string): number | null {
  const match = /^([\d.]+)\s*([a-z]*)$/i.exec(size.trim());
  const unit = SIZE_UNITS[(match?.[2] || 'b').toLowerCase()];
  if (!match || unit === undefined || Number.isNaN(Number(match[1]))) return null;
  return Number(match[1]) * unit;
}

/** DuckDB's thread count now (the database's setting, which {@link withThreads} and {@link releaseFreedMemory} move). */
export async function threadsOf(connection: DuckDBConnection): Promise<number> {
  const rows = (await connection.runAndReadAll(`SELECT current_setting('threads')::INTEGER AS n`)).getRowObjectsJS();
  return Number(rows[0]!.n);
}

/**
 * Runs `work` with DuckDB's thread pool at `threads`, then puts back the count it had, also when the work fails.
 * The setting is the database's: queries on other connections share the smaller pool meanwhile.
 */
export async function withThreads<T>(connection: DuckDBConnection, threads: number, work: () => Promise<T>): Promise<T> {
  const previous = await threadsOf(connection);
  if (previous === threads) return work();
  return withSetting(connection, `SET threads = ${threads}`, `SET threads = ${previous}`, 'the thread count', work);
}

/**
 * Runs `work` on `connection` with rows free to be written in any order. DuckDB keeps an insert's rows in the order
 * read unless told otherwise, and so kept, the task insert ran as slowly on two threads as on one (1.8-2.1 s against
 * 1.0 s unordered, the bench log's 94k task ends). Reads of task rows that need an order sort by a key (they run on
 * several threads anyway), and the setting is this connection's alone.
 */
export function withoutInsertionOrder<T>(connection: DuckDBConnection, work: () => Promise<T>): Promise<T> {
  return withSetting(connection, 'SET SESSION preserve_insertion_order = false', 'RESET SESSION preserve_insertion_order', 'insertion order', work);
}

/**
 * Runs `work` after `set`, then `restore`, also when the work fails. A failure that aborted the connection's
 * transaction leaves it unable to run even a SET, so that transaction, which could no longer commit, is rolled back
 * first; the work's own error is the one thrown.
 */
async function withSetting<T>(connection: DuckDBConnection, set: string, restore: string, what: string, work: () => Promise<T>): Promise<T> {
  await connection.run(set);
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await connection.run(restore).catch(async () => {
      await connection.run('ROLLBACK').catch(() => undefined);
      await connection.run(restore).catch((restoreError: unknown) => logger.error({ err: restoreError }, `could not put ${what} back`));
    });
    throw error;
  }
  await connection.run(restore);
  return result;
}

/** Growth of the process's resident memory since the last release below which {@link releaseFreedMemory} does nothing. */
const RELEASE_AFTER_GROWTH_BYTES = 32 * 1024 * 1024;

let residentAfterLastRelease = 0;

/**
 * Returns to the system the memory that finished statements freed, once the process has grown by
 * {@link RELEASE_AFTER_GROWTH_BYTES} since the last time; the ingest's write connection runs it after every
 * statement ({@link AnalysisDatabase.withWriteConnection}). DuckDB's allocations come from the C heap, which keeps
 * freed pages: without this, a process's footprint after an ingest is the sum of every step's high-water mark
 * instead of the largest one. DuckDB trims the heap (malloc_trim) whenever its thread pool is resized and offers
 * no other way to ask for it, so the pool is resized by one and back (~10 ms; the setting is the database's, and
 * running queries keep going). A dropped table is freed without the process growing, so a caller that dropped a large
 * one says so (`afterDrop`) and its memory is given back at once. V8's heap is collected first when it has grown (see
 * {@link collectGarbageOnceGrown}).
 */
export async function releaseFreedMemory(connection: DuckDBConnection, options: { afterDrop?: boolean } = {}): Promise<void> {
  const resident = process.memoryUsage.rss();
  // Growth counts from the lowest point since the last release (the heap may also shrink on its own).
  residentAfterLastRelease = Math.min(residentAfterLastRelease, resident);
  if (!options.afterDrop && resident < residentAfterLastRelease + RELEASE_AFTER_GROWTH_BYTES) return;
  // JavaScript's garbage first: what V8 frees it gives back itself, and what it leaves the trim may take.
  collectGarbageOnceGrown();
  const threads = await threadsOf(connection);
  await connection.run(`SET threads = ${threads > 1 ? threads - 1 : 2}`);
  await connection.run(`SET threads = ${threads}`);
  residentAfterLastRelease = process.memoryUsage.rss();
}

/** Opens the analysis database at `path` (DUCKDB_PATH when not given) with the configured memory limit and threads. */
export function openConfiguredDatabase(
  config: Pick<Config, 'DUCKDB_PATH' | 'DUCKDB_MEMORY_LIMIT' | 'DUCKDB_THREADS' | 'INGEST_TASK_READ_THREADS'>,
  path: string = config.DUCKDB_PATH,
): Promise<AnalysisDatabase> {
  return AnalysisDatabase.open(path, {
    memoryLimit: config.DUCKDB_MEMORY_LIMIT,
    threads: config.DUCKDB_THREADS,
    taskReadThreads: config.INGEST_TASK_READ_THREADS,
  });
}
