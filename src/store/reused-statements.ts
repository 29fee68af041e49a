import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBType, DuckDBValue } from '@duckdb/node-api';

/** Statements kept for one connection; the ingest repeats a few dozen texts for every log. */
const MAX_KEPT_STATEMENTS = 200;
/** Texts remembered as seen once, so that the second run of one prepares it. */
const MAX_SEEN_TEXTS = 2_000;

/** Statements that are cheap to parse and only ever run as they are (transactions, settings). */
const RUN_AS_IS = /^\s*(BEGIN|COMMIT|ROLLBACK|SET|RESET|USE)\b/i;

type Values = DuckDBValue[] | Record<string, DuckDBValue>;
type Types = DuckDBType[] | Record<string, DuckDBType | undefined>;

/** Binds `values` to `statement`, clearing what its last run bound (a statement run with no values gets none). */
export function bindValues(statement: DuckDBPreparedStatement, values: Values | undefined): void {
  statement.clearBindings();
  if (values !== undefined && (Array.isArray(values) ? values.length > 0 : Object.keys(values).length > 0)) statement.bind(values);
}

/** Options of {@link ReusedStatements}. */
export interface ReusedStatementsOptions {
  /** Work after every statement run through {@link ReusedStatements.connection}, given the connection itself. */
  afterEach?: (connection: DuckDBConnection) => Promise<void>;
}

/**
 * A connection that keeps the statements it prepares. Through {@link prepared}, a text is prepared on its first run
 * (the API's pooled reads). Through {@link connection}, a statement text is prepared the second time it runs and
 * reused from then on. The ingest runs the same few dozen texts (its inserts, the precomputed answers, the detectors) for every log,
 * and parsing and planning them took ~20% of a small log's ingest. Texts run once (reads naming one log's own
 * files) are run as they are; a text that cannot be prepared (several statements) keeps being run as it is. DuckDB
 * binds a kept statement again when a table it reads (a temp table of the ingest) was dropped and created anew.
 */
export class ReusedStatements {
  private readonly kept = new Map<string, DuckDBPreparedStatement>();
  private readonly seen = new Set<string>();
  private readonly unpreparable = new Set<string>();

  /** The connection itself, with `run` and `runAndReadAll` going through the kept statements. */
  readonly connection: DuckDBConnection;

  constructor(
    private readonly target: DuckDBConnection,
    private readonly options: ReusedStatementsOptions = {},
  ) {
    const run = (sql: string, values?: Values, types?: Types) => this.run(sql, values, types);
    const runAndReadAll = (sql: string, values?: Values, types?: Types) => this.runAndReadAll(sql, values, types);
    this.connection = new Proxy(target, {
      get(connection, property) {
        if (property === 'run') return run;
        if (property === 'runAndReadAll') return runAndReadAll;
        const value: unknown = Reflect.get(connection, property, connection);
        return typeof value === 'function' ? value.bind(connection) : value;
      },
    });
  }

  /** How many prepared statements are kept. */
  get keptCount(): number {
    return this.kept.size;
  }

  /** Frees the kept statements and closes the connection. */
  close(): void {
    for (const statement of this.kept.values()) statement.destroySync();
    this.kept.clear();
    this.target.closeSync();
  }

  /** The kept statement for `sql`, prepared now if it is not kept yet (throws what DuckDB says of a text it cannot prepare). */
  async prepared(sql: string): Promise<DuckDBPreparedStatement> {
    const kept = this.kept.get(sql);
    if (kept) return kept;
    const statement = await this.target.prepare(sql);
    if (this.kept.size >= MAX_KEPT_STATEMENTS) {
      const [oldest, statementOfOldest] = this.kept.entries().next().value!;
      statementOfOldest.destroySync();
      this.kept.delete(oldest);
    }
    this.kept.set(sql, statement);
    return statement;
  }

  private run(sql: string, values?: Values, types?: Types) {
    return this.runThrough(sql, types, values, (statement) => statement.run(), () => this.target.run(sql, values, types));
  }

  private runAndReadAll(sql: string, values?: Values, types?: Types) {
    return this.runThrough(sql, types, values, (statement) => statement.runAndReadAll(), () => this.target.runAndReadAll(sql, values, types));
  }

  /** Runs `sql` through its kept statement when there is one, else as it is; then the afterEach work. */
  private async runThrough<R>(
    sql: string,
    types: Types | undefined,
    values: Values | undefined,
    viaStatement: (statement: DuckDBPreparedStatement) => Promise<R>,
    asItIs: () => Promise<R>,
  ): Promise<R> {
    const statement = await this.statementFor(sql, types);
    if (statement) bindValues(statement, values);
    let result: R;
    try {
      result = statement ? await viaStatement(statement) : await asItIs();
    } catch (error) {
      // What a failed statement freed counts too (a first line split that met a long line); its error is the one
      // reported, and in a transaction the failure aborted the work cannot run at all.
      await this.options.afterEach?.(this.target).catch(() => undefined);
      throw error;
    }
    await this.options.afterEach?.(this.target);
    return result;
  }

  /** The kept statement for `sql`, prepared now on its second run; null to run the text as it is. */
  private async statementFor(sql: string, types: Types | undefined): Promise<DuckDBPreparedStatement | null> {
    const kept = this.kept.get(sql);
    if (kept) return kept;
    if (types !== undefined || RUN_AS_IS.test(sql) || this.unpreparable.has(sql)) return null;
    if (!this.seen.has(sql)) {
      if (this.seen.size >= MAX_SEEN_TEXTS) this.seen.clear();
      this.seen.add(sql);
      return null;
    }
    try {
      return await this.prepared(sql);
    } catch {
      // Several statements in one text, or an error the plain run reports in its own words.
      this.unpreparable.add(sql);
      return null;
    }
  }
}
