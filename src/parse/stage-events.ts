import type { DuckDBConnection } from '@duckdb/node-api';
import { readJsonColumnsSql } from './event-schema.js';
import { normalizedEventNameSql } from './event-names.js';

/** A decoded file DuckDB can read itself. */
export interface DuckDBReadablePart {
  path: string;
  compression: 'none' | 'gzip' | 'zstd';
}

/** Where a line-by-line scan found lines DuckDB reads differently: bad ones (kept as NULL rows) and blank ones. */
export interface PartLineScan {
  badLines: readonly number[];
  blankLines: readonly number[];
}

/** Name of the per-connection temp table that holds one log's events while it is being stored. */
export const STAGED_EVENTS = 'staged_events';

/** DuckDB's own error for a line that is not JSON; carries the 1-based line it names. */
export class MalformedJsonError extends Error {
  constructor(
    message: string,
    readonly partIndex: number,
    readonly line: number | undefined,
  ) {
    super(message);
  }
}

/**
 * Spark writes one event per line. DuckDB sizes its read buffers at twice the largest object it allows, so
 * the usual limit stays small; a log with a larger event (SQL plans of very wide queries) is read again with
 * the large one.
 */
const USUAL_MAX_EVENT_BYTES = 32 * 1024 * 1024;
const LARGE_MAX_EVENT_BYTES = 512 * 1024 * 1024;

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function readJsonSql(part: DuckDBReadablePart, ignoreErrors: boolean, maxEventBytes: number): string {
  const compression = part.compression === 'none' ? 'uncompressed' : part.compression;
  return `read_json(${sqlString(part.path)}, format = 'newline_delimited', records = true,
    compression = '${compression}', maximum_object_size = ${maxEventBytes},
    ignore_errors = ${ignoreErrors}, columns = ${readJsonColumnsSql()})`;
}

/**
 * Reads the parts of one log, in order, into the temp table {@link STAGED_EVENTS}: one row per event with
 * `part` and `line` (1-based, per part) and `kind` (the normalized event name). DuckDB parses the JSON in
 * parallel; no event passes through JavaScript.
 *
 * Throws {@link MalformedJsonError} when a line is not JSON, unless the part has an entry in `scans`: then
 * bad lines are dropped and every row keeps its real line number. DuckDB skips blank lines without a
 * trace, so line numbers are exact whenever a scan is given, and in the fast path for logs without blank
 * lines (Spark writes none).
 */
export async function stageEvents(
  connection: DuckDBConnection,
  parts: readonly DuckDBReadablePart[],
  scans: ReadonlyMap<number, PartLineScan> = new Map(),
): Promise<void> {
  await connection.run(`DROP TABLE IF EXISTS ${STAGED_EVENTS}`);
  await connection.run(`CREATE TEMP TABLE ${STAGED_EVENTS} AS
    SELECT 0::INTEGER AS part, 0::BIGINT AS line, ''::VARCHAR AS kind, *
    FROM ${readJsonSql(parts[0]!, false, USUAL_MAX_EVENT_BYTES)} LIMIT 0`);
  for (const [index, part] of parts.entries()) {
    const scan = scans.get(index);
    const insert = (maxEventBytes: number): Promise<unknown> =>
      connection.run(`INSERT INTO ${STAGED_EVENTS}
        SELECT * FROM (
          SELECT ${index} AS part, ${realLineNumberSql(scan?.blankLines ?? [])} AS line,
            ${normalizedEventNameSql} AS kind, * EXCLUDE (row_in_part)
          FROM (SELECT row_number() OVER () AS row_in_part, *
                FROM ${readJsonSql(part, scan !== undefined, maxEventBytes)}))
        -- With ignore_errors DuckDB still emits a row of NULLs for each bad line.
        WHERE line NOT IN (SELECT unnest([${(scan?.badLines ?? []).join(',')}]::BIGINT[]))`);
    try {
      await insert(USUAL_MAX_EVENT_BYTES).catch((error: unknown) => {
        if (error instanceof Error && /maximum_object_size/.test(error.message)) return insert(LARGE_MAX_EVENT_BYTES);
        throw error;
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const malformed = /Malformed JSON.*?line (\d+)/s.exec(message);
      if (malformed) throw new MalformedJsonError(message, index, Number(malformed[1]));
      throw error;
    }
  }
}

/**
 * DuckDB skips blank lines, so the r-th row read is not always line r. Blank line b_i (sorted, i from 1) has
 * b_i - i rows before it, so row r sits on line r + #{i : b_i - i < r}.
 */
function realLineNumberSql(skippedLines: readonly number[]): string {
  if (skippedLines.length === 0) return 'row_in_part';
  const goodBefore = [...skippedLines].sort((a, b) => a - b).map((line, i) => line - (i + 1));
  return `row_in_part + len(list_filter([${goodBefore.join(',')}]::BIGINT[], g -> g < row_in_part))`;
}
