import { BIGINT, BLOB, blobValue, BOOLEAN, LIST, listValue, VARCHAR, type DuckDBBlobVector, type DuckDBConnection, type DuckDBType, type DuckDBValue } from '@duckdb/node-api';
import type { DuckDbInput } from '../eventlog/discover.js';
import { join } from 'node:path';
import { mkdir, rm, stat } from 'node:fs/promises';
import { findBlankLines, longLinesStartingWith, type DecodedFile, type OtherLines } from '../eventlog/line-scanner.js';
import { PieceWriter, type Piece } from '../eventlog/pieces.js';
import { parsePlanTree } from '../model/plan-tree.js';
import {
  JSON_INTEGER,
  PLAN_UPDATE_EVENT,
  PLAN_UPDATE_HEAD_BYTES,
  planUpdateExecutionSql,
  sqlLineHead,
  sqlStartExecutionSql,
  SQL_EVENT_LINE_PREFIX,
  startWithoutDescription,
  descriptionSpan,
  jsonStringParts,
  DESCRIPTION_KEY_TEXT,
  DESCRIPTION_NULL,
  standInBytesSql,
  standInFor,
  supersededUpdateAsTree,
  queryTextSpan,
  QUERY_TEXT_KEY_TEXT,
} from './plan-update-lines.js';
import { logger } from '../logger.js';
import { MAY_HOLD_NUMBER_PAST_64_BITS_SQL, NumberPast64BitsError, numberPast64Bits } from './numbers-past-64-bits.js';
import { LONG_PLAN_TEXT_BYTES, PLAN_TEXT_IN_PARTS_BYTES, PLAN_TEXT_PART_BYTES, writePlanTextInParts, writePlanTexts } from '../store/plan-texts.js';
import { releaseFreedMemory, withoutInsertionOrder, withThreads } from '../store/database.js';
import { handledEvents } from './event-names.js';
import {
  STORED_PROPERTY_KEYS,
  stagedEventColumns,
  jsonShapeSql,
  readJsonColumnsSql,
  taskEndColumns,
  taskStartColumns,
} from './event-schema.js';


/** Where a line-by-line scan found lines DuckDB reads differently: bad ones and blank ones. */
export interface PartLineScan {
  badLines: readonly number[];
  blankLines: readonly number[];
}

/** How one log is to be read. */
export interface StagingPlan {
  parts: readonly DuckDbInput[];
  /** Per part index: its scan, when the part has lines DuckDB cannot parse (read skipping them). */
  scans?: ReadonlyMap<number, PartLineScan>;
  /**
   * Split lines allowing any line up to {@link MAX_EVENT_BYTES}, with buffers to match; the first read allows
   * {@link FAST_SPLIT_LINE_BYTES} and is repeated with this set only when a line was longer.
   */
  longLines?: boolean;
  /**
   * Split lines with DuckDB's JSON object reader instead (the slow path after a failed split: it skips lines
   * the scan found bad and tells what else is wrong).
   */
  objectReader?: boolean;
  /**
   * Number every event by its line. Numbering keeps DuckDB's reader in file order on one thread, so it is
   * asked for only when a warning has to name a line; otherwise `line` is NULL and rowid keeps file order.
   */
  withLineNumbers?: boolean;
  /** Per part index: its blank lines, which numbered reads of a part without a scan count (see {@link numberedPlan}). */
  blankLines?: ReadonlyMap<number, readonly number[]>;
}

/**
 * Temp table (per connection): every event except task starts and ends, in the staged shape (see event-schema), with
 * `seq`, its place in the log across parts. For a log of many events it is a temp view over the Parquet files the
 * events were parsed into instead (see {@link StagedEventFiles}).
 */
export const STAGED_EVENTS = 'staged_events';
/** Temp table (per connection): how many task start and end lines each part has (told apart by prefix), and lines in all. */
export const STAGED_TASK_COUNTS = 'staged_task_counts';
/** Temp table (per connection): per part, how many events of each type the store does not read (see {@link unreadKindSql}). */
export const STAGED_UNREAD_EVENTS = 'staged_unread_events';

/** DuckDB's own error for a line that is not JSON. */
export class MalformedJsonError extends Error {}

/** A line longer than the largest event the reader accepts ({@link MAX_EVENT_BYTES}). */
export class OversizedEventError extends Error {}

/**
 * Spark writes one event per line. DuckDB sizes its read buffers at twice the largest object it allows, so
 * the limit bounds the ingest's memory: a longer line (a SQL plan of an extremely wide query) is skipped with
 * a warning naming it rather than read at any size.
 */
export const MAX_EVENT_BYTES = 16 * 1024 * 1024;

/**
 * Longest line the first split of a log allows. The CSV reader's buffers are a multiple of it, so a small
 * value keeps a healthy log's read at a few MB per thread; a log with a longer line (a SQL plan of a very
 * wide query) is split again allowing {@link MAX_EVENT_BYTES}.
 */
const FAST_SPLIT_LINE_BYTES = 2 * 1024 * 1024;

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** How every line Spark writes starts: "Event" first, its value a string. */
const SPARK_LINE_HEAD = '{"Event":"';

/** How Spark writes the head of a line of the event `name`. */
function eventLinePrefix(name: string): string {
  return `${SPARK_LINE_HEAD}${name}"`;
}

/** How Spark writes the head of a task start or end line. */
function taskLinePrefix(kind: 'Start' | 'End'): string {
  return eventLinePrefix(`SparkListenerTask${kind}`);
}

/** Whether the line `json` starts as Spark writes a task start or end (a prefix test: no parse, no pattern). */
function writtenAsTaskLineSql(json: string, kind: 'Start' | 'End'): string {
  return `starts_with(${json}, '${taskLinePrefix(kind)}')`;
}

/**
 * The event name without parsing the line: Spark always writes "Event" first, so a prefix test finds it;
 * lines written otherwise fall back to a JSON lookup.
 */
const rawEventNameSql = `CASE WHEN starts_with(json, '${SPARK_LINE_HEAD}') THEN split_part(substr(json, ${SPARK_LINE_HEAD.length + 1}, 160), '"', 1)
    ELSE json_extract_string(json, '$.Event') END`;
/**
 * SQL class names lose their package, and the pre-3.1 vocabulary ("Blacklisted", and "Unblacklisted" with a
 * lower-case b) becomes "Excluded"/"Unexcluded", so the store matches one name per concept.
 */
function normalizedKindSql(rawEvent: string): string {
  return `CASE WHEN ${rawEvent} IS NULL OR ${rawEvent} = '' THEN NULL
    ELSE replace(replace(regexp_replace(${rawEvent}, '^.*\\.', ''), 'Unblacklisted', 'Unexcluded'), 'Blacklisted', 'Excluded') END`;
}
const kindSql = normalizedKindSql('raw_event');

/**
 * The event types the store reads, as a SQL list value. Tested with list_contains: DuckDB turns `IN` over this many
 * constants into a join, which does not keep the lines in file order.
 */
const READ_KINDS = `[${handledEvents.map((event) => `'${event.name}'`).join(', ')}]`;

/**
 * The type of the event on line `json` when the store does not read that type, found from the line's head alone
 * ("Event" first, as Spark writes it, spaced or not, and a whole object); NULL for any other line. A streaming
 * application logs a progress report per micro-batch, and block updates can outnumber its tasks: parsed and held as
 * staged events only to be counted, they took a 308 MB log of them to 655 MB, so they are counted by type and go no
 * further. A line with "Event" elsewhere is parsed to be told apart, as before.
 */
function unreadKindSql(json: string): string {
  const kind = normalizedKindSql(`regexp_extract(${json}, '^\\s*\\{\\s*"Event"\\s*:\\s*"([^"\\\\]{1,200})"', 1)`);
  // Task starts and ends, nearly every line of a log, are read: told by prefix, they skip the pattern (half the split's
  // time on the bench log went to it).
  return `CASE WHEN ${writtenAsTaskLineSql(json, 'Start')} OR ${writtenAsTaskLineSql(json, 'End')} THEN NULL
    WHEN ends_with(${json}, '}') AND NOT list_contains(${READ_KINDS}, ${kind}) THEN ${kind} END`;
}

/** Counts part `index`'s unread events by type into {@link STAGED_UNREAD_EVENTS}, from `table`'s `unread` column. */
function countUnreadSql(index: number, table: string): string {
  return `INSERT INTO ${STAGED_UNREAD_EVENTS} SELECT ${index}, unread, count(*) FROM ${table} WHERE unread IS NOT NULL GROUP BY ALL`;
}

const TASK_KINDS = `('SparkListenerTaskStart', 'SparkListenerTaskEnd')`;

/**
 * Whether the line `json` is a task start or end, as {@link sparkWrittenLinesSql} then the split would tell: by prefix,
 * or for a line not written as Spark writes JSON, by a pattern on its head (no parse, no copy of the line).
 */
function isTaskLineSql(kind: 'Start' | 'End'): string {
  return `CASE WHEN starts_with(json, '${SPARK_LINE_HEAD}') THEN ${writtenAsTaskLineSql('json', kind)}
    ELSE regexp_matches(json, '^\\s*\\{\\s*"Event"\\s*:\\s*"SparkListenerTask${kind}"') END`;
}

/**
 * The lines of `lines` (SQL rows with `line`, `json` and `file`), each written as Spark writes JSON: a line that does
 * not start as Spark's do (a log written again with spaces, as Python's json.dumps does) is minified, so the split
 * tells its task events apart by prefix as it does Spark's own; `rewritten` marks those lines. A line that is not
 * JSON is kept as it is, for the parse to name it. `unread` is the type of an event the store does not read, told
 * from the line as written, as the count apart tells it; such a line keeps no text.
 */
function sparkWrittenLinesSql(lines: string): string {
  return `(SELECT line, file, unread, rewritten, CASE WHEN unread IS NOT NULL THEN NULL
      WHEN rewritten THEN coalesce(TRY(json(json))::VARCHAR, json) ELSE json END AS json
    FROM (SELECT line, file, json, NOT starts_with(json, '${SPARK_LINE_HEAD}') AS rewritten, ${unreadKindSql('json')} AS unread
      FROM ${lines}))`;
}

/**
 * Task start and end lines, almost every line of a big log, told apart by prefix alone (no JSON parse).
 * They never pass through the staged event shape; the rare writer that puts "Event" elsewhere is caught by
 * kind after parsing.
 */
const taskStartLineSql = writtenAsTaskLineSql('json', 'Start');
/** How every task end line Spark writes starts ("Event" first). */
export const TASK_END_LINE_PREFIX = taskLinePrefix('End');
const taskEndLineSql = writtenAsTaskLineSql('json', 'End');

/**
 * Properties of a job start or stage submission from which the split keeps only {@link STORED_PROPERTY_KEYS}. Spark
 * logs every setting the session changed there: a notebook's jobs on Databricks carry tens of KB each, and a streaming
 * application starts thousands of jobs. 6,860 jobs with 20 KB of settings each held ~470 MB of split text (800-920 MB
 * peak); an event whose properties are shorter is kept as written, as re-writing it would cost more than it saves.
 */
export const SLIM_PROPERTIES_BYTES = 8 * 1024;

/** What a job start's or stage submission's stored properties are read as, for json_transform. */
const STORED_PROPERTIES_SHAPE = `'${JSON.stringify(Object.fromEntries(STORED_PROPERTY_KEYS.map((key) => [key, 'VARCHAR'])))}'`;

/** How Spark writes the key of a job's or stage's properties, the last key of its event. */
const PROPERTIES_KEY = ',"Properties":';

/**
 * SQL for the line `json` with only the stored properties of a job start or stage submission whose properties (the
 * last key Spark writes) run past {@link SLIM_PROPERTIES_BYTES}; any other line as it is. Only the properties object is
 * parsed and written again: the text before it is kept as written (a number past 64 bits there is refused later by
 * what it says), and the whole line was parsed three times over when it was patched as JSON (1.5 s of two threads on
 * 13,720 events of 20 KB). A line whose properties do not end it, or are not JSON, is kept whole.
 */
export function slimPropertiesSql(json: string): string {
  const propertiesAt = `strpos(${json}, '${PROPERTIES_KEY}{')`;
  // In characters, as substr counts: the object runs from its brace to the character before the event's own.
  const objectAt = `(${propertiesAt} + ${PROPERTIES_KEY.length})`;
  const properties = `substr(${json}, ${objectAt}, length(${json}) - ${objectAt})`;
  // json_transform gives absent keys as null; merged into an empty object, they are left out.
  const stored = `json_merge_patch('{}', to_json(json_transform(${properties}, ${STORED_PROPERTIES_SHAPE})))`;
  return `CASE WHEN (starts_with(${json}, '${eventLinePrefix('SparkListenerJobStart')}') OR starts_with(${json}, '${eventLinePrefix('SparkListenerStageSubmitted')}'))
      AND ${propertiesAt} > 0 AND strlen(${json}) - ${propertiesAt} > ${SLIM_PROPERTIES_BYTES} AND ends_with(${json}, '}}')
    THEN coalesce(TRY(substr(${json}, 1, ${objectAt} - 1) || ${stored} || '}'), ${json})
    ELSE ${json} END`;
}

/** A column map as the column list of a CREATE TABLE. */
function columnsDdl(columns: Readonly<Record<string, string>>): string {
  return Object.entries(columns)
    .map(([name, type]) => `"${name.replaceAll('"', '""')}" ${type.replace(/\s+/g, ' ')}`)
    .join(', ');
}

/** The compression DuckDB's readers are told a part has. */
export function compressionOf(part: DuckDbInput): string {
  return part.compression === 'none' ? 'uncompressed' : part.compression;
}

/**
 * The files a read of part `index` names, all at once: its pieces when it has them, else the part itself; a read of
 * task events takes the part's task pieces where it has them.
 */
function filesOf(plan: StagingPlan, index: number, forTasks = false): { files: string; compression: string } {
  const part = plan.parts[index]!;
  const pieces = piecesOf(plan, index, forTasks);
  if (pieces.length > 0) return { files: `[${pieces.map((piece) => sqlString(piece.path)).join(', ')}]`, compression: 'uncompressed' };
  return { files: sqlString(part.path), compression: compressionOf(part) };
}

/** The decoded files the line split of part `index` reads, in order (see {@link filesOf}). */
function readerFilesOf(plan: StagingPlan, index: number): DecodedFile[] {
  const pieces = piecesOf(plan, index);
  if (pieces.length > 0) return pieces.map((piece) => ({ path: piece.path, codec: 'none' }));
  const part = plan.parts[index]!;
  return [{ path: part.path, codec: part.compression }];
}

/** The pieces part `index` is read from; none when it has none, or when a scan's line numbers refer to the part itself. */
function piecesOf(plan: StagingPlan, index: number, forTasks = false): readonly Piece[] {
  if (plan.scans?.has(index) === true || plan.objectReader === true) return [];
  const part = plan.parts[index]!;
  return (forTasks ? part.taskPieces : undefined) ?? part.pieces ?? [];
}

function isNumbered(plan: StagingPlan, index: number): boolean {
  return plan.withLineNumbers === true || plan.scans?.has(index) === true;
}

function badLineFilter(plan: StagingPlan, index: number): string {
  const bad = plan.scans?.get(index)?.badLines ?? [];
  return bad.length > 0 ? `AND line NOT IN (${bad.join(', ')})` : '';
}

/**
 * Part `index` read by the table function `readOf` (given files and compression), each row with its line in the
 * part, or NULL when numbering is off. Numbered, a part in pieces is read piece by piece, each row counted from
 * its piece's first line, and put back in line order.
 */
function readWithLines(
  plan: StagingPlan,
  index: number,
  readOf: (files: string, compression: string) => string,
  forTasks = false,
): string {
  if (!isNumbered(plan, index)) {
    const { files, compression } = filesOf(plan, index, forTasks);
    return `(SELECT NULL::BIGINT AS line, * FROM ${readOf(files, compression)})`;
  }
  const blank = plan.scans?.get(index)?.blankLines ?? plan.blankLines?.get(index) ?? [];
  const numbered = (files: string, compression: string, linesBefore: number, blankInFile: readonly number[]): string =>
    `SELECT ${linesBefore} + ${realLineNumberSql(blankInFile)} AS line, * EXCLUDE (row_in_part)
     FROM (SELECT row_number() OVER () AS row_in_part, * FROM ${readOf(files, compression)})`;
  const pieces = piecesOf(plan, index, forTasks);
  if (pieces.length > 0) {
    const reads = pieces.map((piece, i) => {
      const next = pieces[i + 1]?.firstLine ?? Infinity;
      const inPiece = blank.filter((line) => line >= piece.firstLine && line < next).map((line) => line - piece.firstLine + 1);
      return numbered(sqlString(piece.path), 'uncompressed', piece.firstLine - 1, inPiece);
    });
    return `(SELECT * FROM (${reads.join('\nUNION ALL\n')}) ORDER BY line)`;
  }
  const part = plan.parts[index]!;
  return `(${numbered(sqlString(part.path), compressionOf(part), 0, blank)})`;
}

/**
 * The plan with every line numbered, for warnings that must name lines: the blank lines of each part without a
 * scan are found first (a byte scan in Node), since DuckDB's readers skip them and rows would be misnumbered.
 */
export async function numberedPlan(plan: StagingPlan): Promise<StagingPlan> {
  if (plan.withLineNumbers === true && plan.blankLines !== undefined) return plan;
  const blankLines = new Map<number, readonly number[]>();
  for (const [index, part] of plan.parts.entries()) {
    if (plan.scans?.has(index) === true) continue;
    // Pieces hold the part's lines line for line, and are a tenth of its size when slimmed. They are scanned one at
    // a time: a big log has hundreds, too many files to hold open at once.
    let found: number[] = [];
    if (part.pieces) {
      for (const piece of part.pieces) {
        found = found.concat((await findBlankLines(piece.path, 'none')).map((line) => line + piece.firstLine - 1));
      }
    } else {
      found = await findBlankLines(part.path, part.compression);
    }
    if (found.length > 0) blankLines.set(index, found);
  }
  return { ...plan, withLineNumbers: true, blankLines };
}

/**
 * The part's lines as text, each with the file it was read from when that is one of the files DuckDB was given (a
 * piece, or the part itself), else NULL. A healthy log is split by DuckDB's CSV reader with no delimiter or quote (a JSON
 * line holds no raw control character), which only finds line ends: it never parses JSON, and it holds a few
 * MB per thread where the JSON object reader holds whole 32 MB buffers and parsed documents (~100-200 MB
 * more peak RSS on logs with 25 KB task ends). Lines that are not JSON surface where they are parsed (as
 * {@link MalformedJsonError}); the scan path that follows, and numbered reads, keep the JSON object reader,
 * whose row numbers account for blank lines the same way for every line ending.
 */
function linesSql(plan: StagingPlan, index: number, copy: SplitCopy | null = null): string {
  const part = plan.parts[index]!;
  if (!isNumbered(plan, index) && plan.objectReader !== true) {
    const maxLine = (copy ? copy.longLines : plan.longLines === true) ? MAX_EVENT_BYTES : FAST_SPLIT_LINE_BYTES;
    const { files, compression } = copy
      ? { files: `[${copy.pieces.map((piece) => sqlString(piece.path)).join(', ')}]`, compression: 'uncompressed' }
      : filesOf(plan, index);
    return `(SELECT NULL::BIGINT AS line, json, filename AS file FROM ${lineReadSql(files, compression, maxLine, 'filename = true')}
      WHERE json IS NOT NULL)`;
  }
  return `(SELECT *, NULL::VARCHAR AS file FROM ${readWithLines(
    plan,
    index,
    (files, compression) => `read_ndjson_objects(${files}, compression = '${compression}',
      maximum_object_size = ${MAX_EVENT_BYTES}, ignore_errors = ${plan.scans?.has(index) === true})`,
  )})`;
}

/**
 * DuckDB's CSV reader of `files` (SQL: a string or a list) as one VARCHAR column `json`, one row per line: no
 * delimiter, quote or escape, so it only finds line ends, and lines up to `maxLine` bytes; `more` adds options.
 */
export function lineReadSql(files: string, compression: string, maxLine: number, more = ''): string {
  return `read_csv(${files}, columns = {'json': 'VARCHAR'}, compression = '${compression}', delim = '\x01', quote = '',
      escape = '', header = false, auto_detect = false, new_line = '\\n', strict_mode = false, max_line_size = ${maxLine},
      buffer_size = ${2 * maxLine}${more === '' ? '' : `, ${more}`})`;
}

/** A decoded copy of a part that the line split reads instead (see {@link TaskCopies.withStandIns}). */
interface SplitCopy {
  pieces: readonly Piece[];
  /** Split allowing any event's length: the copy still holds a line longer than the fast split takes. */
  longLines: boolean;
}

type TaskKind = 'SparkListenerTaskEnd' | 'SparkListenerTaskStart';

function readTaskEventsSql(plan: StagingPlan, index: number, kind: TaskKind): string {
  const columns = kind === 'SparkListenerTaskEnd' ? taskEndColumns : taskStartColumns;
  return readWithLines(
    plan,
    index,
    (files, compression) => `read_json(${files}, format = 'newline_delimited', records = true,
      compression = '${compression}', maximum_object_size = ${MAX_EVENT_BYTES},
      ignore_errors = ${plan.scans?.has(index) === true}, columns = ${readJsonColumnsSql({ Event: 'VARCHAR', ...columns })})`,
    true,
  );
}

/**
 * Task events of one kind straight from the log's files, typed in that kind's narrow shape, with `part`, `line`
 * and `Event`. The writer inserts them into the tasks table without staging them, so a log of any size
 * streams to disk.
 */
export function taskEventsSql(plan: StagingPlan, kind: TaskKind): string {
  return plan.parts
    .map(
      (_part, index) => `SELECT ${index} AS part, * FROM ${readTaskEventsSql(plan, index, kind)}
        WHERE Event = '${kind}' ${badLineFilter(plan, index)}`,
    )
    .join('\nUNION ALL\n');
}

/**
 * How many task starts and ends the staged log has. Lines are told apart by prefix: a writer that does not
 * put "Event" first (none known) would have its task events read but not counted here.
 */
export async function countTaskEvents(connection: DuckDBConnection): Promise<{ starts: number; ends: number }> {
  const reader = await connection.runAndReadAll(`SELECT coalesce(sum(starts), 0)::DOUBLE AS starts,
    coalesce(sum(ends), 0)::DOUBLE AS ends FROM ${STAGED_TASK_COUNTS}`);
  return reader.getRowObjectsJS()[0] as { starts: number; ends: number };
}

/** The parts (by index) in which the staged read found no line at all. */
export async function partsWithoutLines(connection: DuckDBConnection): Promise<number[]> {
  const reader = await connection.runAndReadAll(`SELECT part FROM ${STAGED_TASK_COUNTS} WHERE lines = 0 ORDER BY part`);
  return reader.getRows().map(([part]) => Number(part));
}

/**
 * Reads the parts of one log, in order, into the staged temp tables: {@link STAGED_EVENTS} (every event but
 * task starts and ends, typed in the staged event shape, with `part`, `line` and `kind`, the normalized event
 * name). DuckDB splits and parses the JSON in parallel; no event passes through JavaScript, and no table here grows
 * with the number of tasks: task events, accumulables and all, are read by the task insert (see {@link taskEventsSql}).
 *
 * Throws {@link MalformedJsonError} when a line is not JSON, unless the part has a scan in the plan: then
 * bad lines are left out and every row keeps its real line number (DuckDB skips blank lines without a trace,
 * which the scan accounts for). Throws {@link OversizedEventError} for a line over {@link MAX_EVENT_BYTES}
 * in a part without a scan. Returns the plan, with task pieces for the parts that got them (see {@link TaskCopies}).
 */
export async function stageEvents(connection: DuckDBConnection, plan: StagingPlan, options: StagingOptions = {}): Promise<StagingPlan> {
  await dropStagedTables(connection);
  await connection.run(`
    CREATE TEMP TABLE ${STAGED_TASK_COUNTS} (part INTEGER, starts BIGINT, ends BIGINT, lines BIGINT);
    CREATE TEMP TABLE ${STAGED_EVENTS} (${stagedEventsDdl});
    CREATE TEMP TABLE ${STAGED_UNREAD_EVENTS} (part INTEGER, kind VARCHAR, n BIGINT);`);
  const parts = [...plan.parts];
  const eventFiles = options.scratchDir === undefined ? null : new StagedEventFiles(connection, join(options.scratchDir, 'staged-events'));
  // The lines the parts so far left to parse: a rolled log's add up over its parts.
  const stagedSoFar = { bytes: 0, lines: 0 };
  for (const index of plan.parts.keys()) {
    // The fast split leaves no row for a task line it does not keep: a row each, nearly all NULL, they held ~100 MB of a
    // 1.3 GB log's split, growing with the log. They are counted apart, before the split, by a read of the same lines
    // that parses nothing and keeps a boolean per task line (a length per other line): counted straight from the lines, DuckDB's reader ran
    // ahead of the count and held most of a log of megabyte lines (330 MB for two hundred of 1 MB).
    const countsApart = !isNumbered(plan, index) && plan.objectReader !== true;
    const spillBytes = options.spilledLinesBytes ?? SPILLED_LINES_BYTES;
    // Where the split writes its lines' text when they are many (see SPILLED_LINES_BYTES); null while it keeps it.
    let splitFile: string | null = null;
    const splitLines = async (deferBytes: number | null, copy: SplitCopy | null = null): Promise<void> => {
      const lines = linesSql(plan, index, copy);
      const filter = badLineFilter(plan, index);
      if (countsApart) {
        // Lines of events the store does not read are counted by the same pass (one VARCHAR, NULL on a task line).
        // It also sums the text of the other lines, which tells whether the split is to write its text to a file.
        await connection.run(`CREATE OR REPLACE TEMP TABLE task_line_kinds AS
            SELECT start, unread, text FROM (
              SELECT CASE WHEN ${isTaskLineSql('Start')} THEN true WHEN ${isTaskLineSql('End')} THEN false END AS start,
                CASE WHEN start IS NULL THEN ${unreadKindSql('json')} END AS unread,
                CASE WHEN start IS NULL AND unread IS NULL THEN strlen(json) END AS text
              FROM ${lines});
          DELETE FROM ${STAGED_TASK_COUNTS} WHERE part = ${index};
          INSERT INTO ${STAGED_TASK_COUNTS}
            SELECT ${index}, count(*) FILTER (WHERE start), count(*) FILTER (WHERE NOT start), count(*) FROM task_line_kinds;
          DELETE FROM ${STAGED_UNREAD_EVENTS} WHERE part = ${index};
          ${countUnreadSql(index, 'task_line_kinds')}`);
        const [other] = (
          await connection.runAndReadAll('SELECT coalesce(sum(text), 0)::DOUBLE AS bytes FROM task_line_kinds')
        ).getRowObjectsJS() as Array<{ bytes: number }>;
        await connection.run('DROP TABLE task_line_kinds');
        splitFile = options.scratchDir !== undefined && other!.bytes > spillBytes ? join(options.scratchDir, `part-${index}-split.parquet`) : null;
      }
      // One pass keeps the few lines that are not task events as text; only those are then parsed into their full
      // shapes. A line of an event the store does not read keeps no text, and where counted apart, no row; nor does a
      // task line, which otherwise leaves a marker (for counting).
      // Each kept line's length, and the execution of a plan update, are noted as it is read, so batches are sized
      // and an execution's last update found without reading the text again. A long plan update's text is deferred
      // (see restoreDeferredLines).
      // A rewritten line is not deferred: it is read again by the way Spark writes its head, which it does not have.
      const deferred = deferBytes === null
        ? 'false'
        : `(plan_update_of IS NOT NULL OR start_of IS NOT NULL) AND bytes > ${deferBytes} AND NOT rewritten`;
      const split = `
        SELECT line, task_kind, CASE WHEN deferred THEN NULL ELSE json END AS json, bytes, plan_update_of,
          false AS superseded, CASE WHEN deferred THEN file END AS deferred_from, start_of, false AS start_superseded,
          NULL::BIGINT AS plan_text, NULL::BIGINT AS description_text, unread FROM (
          SELECT *, ${deferred} AS deferred FROM (
            SELECT line, task_kind, json, file, rewritten, ${copy ? standInBytesSql : 'strlen(json)'} AS bytes,
              ${planUpdateExecutionSql} AS plan_update_of, ${sqlStartExecutionSql} AS start_of, unread FROM (
              SELECT line, task_kind, file, rewritten, unread,
                CASE WHEN task_kind IS NULL THEN ${slimPropertiesSql('json')} END AS json
              FROM (SELECT line, json, file, rewritten, unread,
                      CASE WHEN ${taskStartLineSql} THEN 'start' WHEN ${taskEndLineSql} THEN 'end' END AS task_kind
                    FROM ${sparkWrittenLinesSql(lines)})
              WHERE true ${filter})
            WHERE ${countsApart ? 'task_kind IS NULL AND unread IS NULL' : 'true'}))`;
      const file = splitFile;
      if (file === null) {
        await connection.run(`CREATE OR REPLACE TEMP TABLE staged_lines AS ${split}`);
      } else {
        // The text goes to the file and the rest to staged_lines, row for row in file order (see linesWithTextSql).
        await connection.run(`COPY (${split}) TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE ${SPILLED_ROW_GROUP_LINES})`);
        await connection.run(`CREATE OR REPLACE TEMP TABLE staged_lines AS
          SELECT * REPLACE (NULL::VARCHAR AS json) FROM read_parquet(${sqlString(file)})`);
      }
      // Marked apart from the text (a window over the lines would hold every plan's text at once).
      await connection.run(`UPDATE staged_lines SET superseded = true WHERE plan_update_of IS NOT NULL
        AND rowid NOT IN (SELECT max(rowid) FROM staged_lines WHERE plan_update_of IS NOT NULL GROUP BY plan_update_of)`);
      // An execution's start whose description a later update replaces: that one is shown, never the start's.
      await connection.run(`UPDATE staged_lines SET start_superseded = true WHERE start_of IS NOT NULL
        AND start_of IN (SELECT plan_update_of FROM staged_lines u WHERE u.plan_update_of IS NOT NULL AND u.rowid > staged_lines.rowid)`);
    };
    const stagePart = async (): Promise<void> => {
      // Deferred only where rows are the files' lines in order (the CSV split) and a superseded tree is reshaped.
      const reshape = options.supersededPlanTree;
      const deferring = reshape !== undefined && !isNumbered(plan, index) && plan.objectReader !== true;
      const deferBytes = options.deferredPlanUpdateBytes ?? DEFERRED_PLAN_UPDATE_BYTES;
      // Lines too long for the fast split make the split hold them (~400 MB for ten 16 MB updates, wherever they lie):
      // when they add up, it reads a copy holding a stand-in for each plan update it would defer.
      const standIns = deferring && plan.longLines === true && options.scratchDir !== undefined
        ? await TaskCopies.withStandIns(plan, index, deferBytes, options.standInCopyBytes ?? STAND_IN_COPY_BYTES, join(options.scratchDir, `part-${index}-stand-ins`))
        : null;
      if (standIns === null) {
        await splitLines(deferring ? deferBytes : null);
      } else {
        try {
          await splitLines(deferBytes, { pieces: standIns.pieces, longLines: false });
        } catch (error) {
          if (!(lineErrorOf(error) instanceof OversizedEventError)) throw error;
          await splitLines(deferBytes, { pieces: standIns.pieces, longLines: true });
        }
      }
      if (deferring) {
        const deferred = (await deferredLines(connection)).map((row) => ({ ...row, deferred_from: standIns?.copies.originOf(row.deferred_from) ?? row.deferred_from }));
        const files = readerFilesOf(plan, index);
        const byDuckDb = standIns === null && fewDeferredInCompressedFiles(files, deferred);
        // The task read's copies are written by the pass that reads the files again, so only where that pass runs.
        const copies = !byDuckDb && standIns === null && deferred.length > 0 && options.scratchDir !== undefined
          ? await TaskCopies.worthMaking(plan, index, deferred, join(options.scratchDir, `part-${index}-tasks`))
          : null;
        const lines = byDuckDb
          ? deferredLinesReadByDuckDb(connection, linesSql(plan, index), deferBytes)
          : deferredLinesReadFromFiles(files, deferred, deferBytes, copies);
        if (lines !== null && (await restoreDeferredLines(connection, lines, deferred, reshape))) {
          const taskPieces = standIns?.pieces ?? (await copies?.finish());
          if (taskPieces) parts[index] = { ...plan.parts[index]!, taskPieces };
        } else {
          await copies?.abandon();
          await standIns?.copies.abandon();
          // The lines read again were not the ones deferred (DuckDB's split and a reader of lines disagree on where a
          // line ends): split again, keeping every line's text.
          await splitLines(null);
        }
      }
      if (!countsApart) {
        await connection.run(`INSERT INTO ${STAGED_TASK_COUNTS}
          SELECT ${index}, count(*) FILTER (WHERE task_kind = 'start'), count(*) FILTER (WHERE task_kind = 'end'), count(*)
          FROM staged_lines;
          ${countUnreadSql(index, 'staged_lines')};
          DELETE FROM staged_lines WHERE unread IS NOT NULL`);
      }
      const slimmed = options.supersededPlanTree ? await slimSupersededLines(connection, splitFile, options.supersededPlanTree) : null;
      const kept = await keptLines(connection);
      // Text the split wrote to a file is always read back through a file of its own.
      const spillTo = options.scratchDir !== undefined && (kept.bytes > spillBytes || splitFile !== null)
        ? join(options.scratchDir, `part-${index}-lines.parquet`)
        : null;
      // Held in memory, the parsed events of a log of thousands of jobs, stages and queries (~140 MB of the event-heavy
      // bench log's) sat under every insert that read them; each costs ~2 KB whatever its size (see event-schema).
      stagedSoFar.bytes += kept.bytes;
      stagedSoFar.lines += kept.lines;
      const eventsToFiles = spillTo !== null || stagedSoFar.bytes > spillBytes
        || stagedSoFar.lines > (options.spilledEventLines ?? SPILLED_EVENT_LINES);
      // A spilled file goes whatever happens (a malformed line sends the log down the slow path, which reads no file).
      try {
        const lines = await settleLines(connection, splitFile, slimmed, spillTo);
        await parseLines(connection, index, lines, options.supersededPlanTree, eventsToFiles ? eventFiles : null);
      } finally {
        await dropLines(connection);
        for (const file of [spillTo, splitFile]) if (file !== null) await rm(file, { force: true });
      }
    };
    try {
      await stagePart();
    } catch (error) {
      throw lineErrorOf(error) ?? error;
    }
  }
  await eventFiles?.settle();
  return { ...plan, parts };
}

/** The staged events' columns, in order (`seq`: see {@link STAGED_EVENTS}). */
const stagedEventsDdl = `part INTEGER, line BIGINT, kind VARCHAR, ${columnsDdl(stagedEventColumns)}, planText BIGINT, descriptionText BIGINT, seq BIGINT`;

/** An event's place in the log across parts, from its part and its place `r` among the part's lines. */
const seqSql = (index: number, r: string): string => `(${index}::BIGINT << 32) + ${r}`;

/** Directories of Parquet files that the staged events of a connection are read from (see {@link StagedEventFiles}). */
const stagedEventDirectories = new WeakMap<DuckDBConnection, string>();

/**
 * Parquet files that the staged events of a log of many events are written to, a file per batch, as they are parsed
 * (past {@link SPILLED_LINES_BYTES} of text or {@link SPILLED_EVENT_LINES} lines). Once every part is staged
 * ({@link settle}), {@link STAGED_EVENTS} becomes a view over them (with the rows of parts kept in memory written out
 * too), so each insert streams the columns it reads instead of all events being held at once.
 */
class StagedEventFiles {
  private files = 0;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly directory: string,
  ) {}

  /** Writes the rows `select` yields (in the staged events' columns) to the next file. */
  async write(select: string, values?: Record<string, DuckDBValue>, types?: Record<string, DuckDBType>): Promise<void> {
    if (this.files === 0) {
      await mkdir(this.directory, { recursive: true });
      stagedEventDirectories.set(this.connection, this.directory);
    }
    const file = join(this.directory, `${String(this.files).padStart(6, '0')}.parquet`);
    this.files += 1;
    await this.connection.run(`COPY (${select}) TO ${sqlString(file)} (FORMAT parquet)`, values, types);
  }

  /** Makes {@link STAGED_EVENTS} the view over the files, when any was written; typed as the table is. */
  async settle(): Promise<void> {
    if (this.files === 0) return;
    const [kept] = (await this.connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM ${STAGED_EVENTS}`)).getRowObjectsJS();
    if (Number(kept!.n) > 0) await this.write(`FROM ${STAGED_EVENTS} ORDER BY seq`);
    await this.connection.run(`DROP TABLE ${STAGED_EVENTS}`);
    await this.connection.run(`CREATE TEMP VIEW ${STAGED_EVENTS} AS SELECT ${stagedEventViewColumns}
      FROM read_parquet(${sqlString(join(this.directory, '*.parquet'))})`);
  }
}

/** The view's columns: each file's column cast to the table's type, so readers see the same types either way. */
const stagedEventViewColumns = Object.entries({ part: 'INTEGER', line: 'BIGINT', kind: 'VARCHAR', ...stagedEventColumns, planText: 'BIGINT', descriptionText: 'BIGINT', seq: 'BIGINT' })
  .map(([name, type]) => `"${name}"::${type.replace(/\s+/g, ' ')} AS "${name}"`)
  .join(', ');

/** Drops the staged events, a table or a view over files (which are removed). */
export async function dropStagedEvents(connection: DuckDBConnection): Promise<void> {
  const [view] = (
    await connection.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM duckdb_views() WHERE temporary AND view_name = '${STAGED_EVENTS}'`)
  ).getRowObjectsJS();
  await connection.run(Number(view!.n) > 0 ? `DROP VIEW ${STAGED_EVENTS}` : `DROP TABLE IF EXISTS ${STAGED_EVENTS}`);
  const directory = stagedEventDirectories.get(connection);
  if (directory !== undefined) {
    stagedEventDirectories.delete(connection);
    await rm(directory, { recursive: true, force: true });
  }
}

/**
 * Parses part `index`'s lines (`lines`, a table expression with `r`, see {@link settleLines}) batch by batch into
 * {@link STAGED_EVENTS}; superseded plan trees are cut down by `reshape` when given.
 */
async function parseLines(
  connection: DuckDBConnection,
  index: number,
  lines: string,
  reshape: ((tree: unknown) => unknown) | undefined,
  eventFiles: StagedEventFiles | null,
): Promise<void> {
  await refuseNumbersPast64Bits(connection, lines);
  const shape = jsonShapeSql(stagedEventColumns);
  for (const { first, last, long_texts: longTexts } of await stagedLineBatches(connection, lines)) {
    const reshaped = reshape
      ? await reshapedSupersededTrees(connection, lines, first, last, reshape)
      : { rowids: [], trees: [] };
    // Only an execution's last plan description is ever shown (see the sql_plan_updates insert), and of its
    // earlier trees only what the given reshape keeps: on Databricks logs each is megabytes, so neither is kept
    // past its parse. The batch is sorted back into file order after the join, bounded by the batch's size.
    const events = `SELECT r, line, ${kindSql} AS kind, plan_text AS restored_text, description_text, CASE WHEN superseded
        THEN struct_update(event, physicalPlanDescription := NULL::VARCHAR, sparkPlanInfo := coalesce(tree, event.sparkPlanInfo))
        WHEN start_superseded THEN struct_update(event, physicalPlanDescription := NULL::VARCHAR)
        ELSE event END AS event
      FROM (SELECT r, line, superseded, start_superseded, plan_text, description_text, tree, raw_event, json_transform(json, ${shape}) AS event FROM (
              SELECT r, line, json, superseded, start_superseded, plan_text, description_text, tree, ${rawEventNameSql} AS raw_event FROM (
                SELECT l.r, l.line, l.json, l.superseded, l.start_superseded, l.plan_text, l.description_text, x.tree::JSON AS tree
                FROM ${lines} l
                LEFT JOIN (SELECT unnest($rowids) AS r, unnest($trees) AS tree) x ON x.r = l.r
                WHERE l.task_kind IS NULL AND l.r BETWEEN $first AND $last)))
      WHERE raw_event IS NULL OR raw_event NOT IN ${TASK_KINDS}`;
    const values = { first, last, rowids: listValue(reshaped.rowids), trees: listValue(reshaped.trees) };
    const types = { first: BIGINT, last: BIGINT, rowids: LIST(BIGINT), trees: LIST(VARCHAR) };
    const stage = async (select: string): Promise<void> => {
      if (eventFiles === null) await connection.run(`INSERT INTO ${STAGED_EVENTS} ${select}`, values, types);
      else await eventFiles.write(select, values, types);
    };
    if (!longTexts) {
      await stage(`SELECT ${index} AS part, line, kind, unnest(event), restored_text AS planText,
          description_text AS descriptionText, ${seqSql(index, 'r')} AS seq
        FROM (${events}) ORDER BY r`);
      continue;
    }
    // A long description that is shown, and a long query text, go to plan_texts now, committed, and the staged event
    // keeps their ids. They are read from their line, so the batch is parsed into the staged shape once, straight into
    // staged_events: parsed into a table first and copied, it cost a second of a log of thousands of queries.
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE staged_batch_texts AS
       SELECT r, CASE WHEN strlen(text) > ${LONG_PLAN_TEXT_BYTES} THEN nextval('plan_text_ids') END AS planText, text,
         CASE WHEN strlen(query) > ${LONG_PLAN_TEXT_BYTES} THEN nextval('plan_text_ids') END AS descriptionText, query
       FROM (
         SELECT r, CASE WHEN NOT start_superseded THEN field[3] END AS text,
           CASE WHEN field[1] LIKE '%SparkListenerSQLExecutionStart' THEN field[2] END AS query
         FROM (
           -- One parse of the line for the three fields.
           SELECT r, start_superseded, TRY(json_extract_string(json, ['$.Event', '$.description', '$.physicalPlanDescription'])) AS field
           FROM ${lines}
           WHERE task_kind IS NULL AND r BETWEEN $first AND $last AND bytes > ${LONG_PLAN_TEXT_BYTES} AND NOT superseded))
       WHERE strlen(text) > ${LONG_PLAN_TEXT_BYTES} OR strlen(query) > ${LONG_PLAN_TEXT_BYTES}`,
      { first, last },
      { first: BIGINT, last: BIGINT },
    );
    await writePlanTexts(connection, 'staged_batch_texts', 'text');
    await writePlanTexts(connection, 'staged_batch_texts', 'query', 'descriptionText');
    await stage(
      `SELECT ${index} AS part, e.line, e.kind,
         unnest(CASE WHEN t.planText IS NULL AND t.descriptionText IS NULL THEN e.event
           ELSE struct_update(e.event,
             physicalPlanDescription := CASE WHEN t.planText IS NULL THEN e.event.physicalPlanDescription END,
             description := CASE WHEN t.descriptionText IS NULL THEN e.event.description END) END),
         coalesce(t.planText, e.restored_text) AS planText, coalesce(t.descriptionText, e.description_text) AS descriptionText,
         ${seqSql(index, 'e.r')} AS seq
       FROM (${events}) e LEFT JOIN staged_batch_texts t ON t.r = e.r ORDER BY e.r`,
    );
    await connection.run('DROP TABLE staged_batch_texts');
  }
}

/**
 * Throws {@link NumberPast64BitsError} for the first of `lines` (those not task events) that holds a number no field
 * can hold, before any is parsed: the staged parse would store its field as unknown without a word. Only the lines a
 * regular expression finds are looked at in JavaScript (~0.5 s of one thread for 190 MB of job, stage and SQL lines).
 */
async function refuseNumbersPast64Bits(connection: DuckDBConnection, lines: string): Promise<void> {
  const reader = await connection.runAndReadAll(
    `SELECT json FROM ${lines} WHERE task_kind IS NULL AND regexp_matches(json, ${MAY_HOLD_NUMBER_PAST_64_BITS_SQL})
     ORDER BY r`,
  );
  for (const [json] of reader.getRows()) {
    const found = numberPast64Bits(json as string);
    if (found !== null) throw new NumberPast64BitsError(found);
  }
}

/** How {@link stageEvents} stages a log beyond what its plan says. */
export interface StagingOptions {
  /**
   * What to keep of the plan tree of a SQL plan update that a later one of its execution supersedes (the ingest keeps
   * what shuffle-boundary reads of it); unset, the whole tree. The last version of an execution is always whole.
   */
  supersededPlanTree?: (tree: unknown) => unknown;
  /**
   * SQL plan updates longer than this are left out of the line split and read again (see {@link restoreDeferredLines});
   * default {@link DEFERRED_PLAN_UPDATE_BYTES}. Only with {@link supersededPlanTree}.
   */
  deferredPlanUpdateBytes?: number;
  /**
   * Bytes of plan updates too long for the fast split past which a part that has them is split from a copy holding
   * stand-ins (see {@link TaskCopies.withStandIns}); default {@link STAND_IN_COPY_BYTES}. Only with a scratchDir. A
   * negative value copies a part with any update the split defers.
   */
  standInCopyBytes?: number;
  /**
   * Where copies for the task read are written (see {@link TaskCopies}), and lines spilled (see
   * {@link SPILLED_LINES_BYTES}): the ingest's temp directory. Unset, the task read reads the files the split read and
   * the lines stay in memory.
   */
  scratchDir?: string;
  /** Text of the lines to parse past which they are spilled to the scratch directory; default {@link SPILLED_LINES_BYTES}. */
  spilledLinesBytes?: number;
  /** Lines to parse (over the parts so far) past which events are written to the scratch directory; default {@link SPILLED_EVENT_LINES}. */
  spilledEventLines?: number;
}

/**
 * A file whose deferred plan updates are at least this share of its bytes, and at least as much as the task read's
 * buffers hold ({@link MAX_EVENT_BYTES}), gets a copy for the task read with them stubbed. DuckDB's JSON reader parses
 * every line it reads, and the plan-heavy bench log's runs of 25 consecutive 1 MB updates took its task read to
 * 286-302 MB (217-235 MB from the copy). Writing is slow here (~200 MB/s into the page cache: the copy of that log's
 * 46 MB of other lines costs ~0.3 s), so a file of mostly other lines, or a few MB of plan text, is read as it is.
 */
const TASK_COPY_SHARE = 0.5;

/**
 * The copies of a part's files that its task read reads instead (see {@link TASK_COPY_SHARE}): written, decoded and in
 * pieces, from the other lines of the pass that restores the deferred plan updates, so the file is read once. Line
 * numbers stay the part's. Made with stand-ins ({@link TaskCopies.withStandIns}), they are what the line split reads
 * too.
 */
class TaskCopies {
  private readonly writers = new Map<string, { writer: PieceWriter; deferred: number; dropped: boolean }>();
  /** The file each piece of a finished copy was copied from. */
  private readonly origins = new Map<string, string>();

  private constructor(
    private readonly files: readonly DecodedFile[],
    private readonly firstLines: readonly number[],
  ) {}

  /** No copies yet of the files the line split of part `index` reads, each with the part's line it starts at. */
  private static ofPart(plan: StagingPlan, index: number): TaskCopies {
    const splitPieces = piecesOf(plan, index);
    return new TaskCopies(readerFilesOf(plan, index), splitPieces.length > 0 ? splitPieces.map((piece) => piece.firstLine) : [1]);
  }

  /**
   * The copies worth making for part `index`, whose `deferred` lines are known; null when none is. A plain file's size
   * is known first; a compressed one's copy is dropped as soon as the file proves too big for it.
   */
  static async worthMaking(plan: StagingPlan, index: number, deferred: readonly DeferredLine[], piecePrefix: string): Promise<TaskCopies | null> {
    const copies = TaskCopies.ofPart(plan, index);
    const deferredBytes = new Map<string, number>();
    for (const row of deferred) deferredBytes.set(row.deferred_from, (deferredBytes.get(row.deferred_from) ?? 0) + Number(row.bytes));
    for (const [i, file] of copies.files.entries()) {
      const bytes = deferredBytes.get(file.path) ?? 0;
      if (bytes < MAX_EVENT_BYTES) continue;
      if (file.codec === 'none' && bytes < TASK_COPY_SHARE * (await stat(file.path)).size) continue;
      copies.writers.set(file.path, { writer: new PieceWriter(`${piecePrefix}-${i}`), deferred: bytes, dropped: false });
    }
    return copies.writers.size > 0 ? copies : null;
  }

  /**
   * Copies of the files of part `index` that hold a SQL plan update or execution start the split defers (over
   * `deferBytes`), each such line replaced by a stand-in naming its execution and length ({@link standInFor}), made
   * when the lines too long for the fast split add up to more than `standInBytes`: the copies' pieces, every other file as it is, and the
   * copies (for {@link originOf}). They serve the line split and the task read, whose readers then never see those
   * lines. Null when not worth making, or when a copy could not be written (the split then reads the part itself).
   * A first pass only measures, so a log with a few long lines is not copied whole.
   */
  static async withStandIns(
    plan: StagingPlan,
    index: number,
    deferBytes: number,
    standInBytes: number,
    piecePrefix: string,
  ): Promise<{ copies: TaskCopies; pieces: Piece[] } | null> {
    const copies = TaskCopies.ofPart(plan, index);
    let tooLongForFastSplit = 0;
    for (const [i, file] of copies.files.entries()) {
      let holdsOne = false;
      for await (const line of longLinesStartingWith([file], SQL_EVENT_LINE_PREFIX, deferBytes, { headBytes: PLAN_UPDATE_HEAD_BYTES })) {
        if (sqlLineHead(line.bytes) === null) continue;
        // A line longer than any event may be is the split's to find and skip with a warning, never stood in for.
        if (line.length > MAX_EVENT_BYTES) return null;
        holdsOne = true;
        if (line.length > FAST_SPLIT_LINE_BYTES) tooLongForFastSplit += line.length;
      }
      if (holdsOne) copies.writers.set(file.path, { writer: new PieceWriter(`${piecePrefix}-${i}`), deferred: Infinity, dropped: false });
    }
    if (copies.writers.size === 0 || tooLongForFastSplit <= standInBytes) return null;
    const decodedBytes = new Map<string, number>();
    const copied = copies.files.filter((file) => copies.writers.has(file.path));
    const pass = longLinesStartingWith(copied, SQL_EVENT_LINE_PREFIX, deferBytes, {
      decodedBytes,
      otherLinesOf: (file) => copies.otherLinesOf(file, decodedBytes),
      stubOf: standInFor,
    });
    for await (const _line of pass) {
      // Only the copies are wanted: the lines themselves are read again once the split has found each one's fate.
    }
    if ([...copies.writers.values()].some((copy) => copy.dropped)) {
      await copies.abandon();
      return null;
    }
    return { copies, pieces: (await copies.finish())! };
  }

  /** The file a piece of a finished copy was copied from; `path` itself for any other. */
  originOf(path: string): string {
    return this.origins.get(path) ?? path;
  }

  /** Where the pass sends `file`'s other lines, given how much of it is decoded so far. */
  otherLinesOf(file: DecodedFile, decodedBytes: ReadonlyMap<string, number>): OtherLines | null {
    const copy = this.writers.get(file.path);
    if (!copy) return null;
    const drop = async (): Promise<void> => {
      copy.dropped = true;
      await copy.writer.abandon();
    };
    return async (bytes) => {
      if (copy.dropped) return;
      if ((decodedBytes.get(file.path) ?? 0) * TASK_COPY_SHARE > copy.deferred) return drop();
      try {
        await copy.writer.write(bytes);
      } catch (error) {
        // The copy only saves memory: whatever stops it (a full temp disk) leaves the task read to the file itself.
        logger.warn({ err: error, file: file.path }, 'no copy without its SQL plan updates for the task read; it reads the log itself');
        await drop();
      }
    };
  }

  /** The task pieces: each copied file's pieces, every other file as it is; null when nothing was copied. */
  async finish(): Promise<Piece[] | null> {
    const taskPieces: Piece[] = [];
    let copied = false;
    for (const [i, file] of this.files.entries()) {
      const copy = this.writers.get(file.path);
      if (!copy || copy.dropped) {
        taskPieces.push({ path: file.path, firstLine: this.firstLines[i]! });
        continue;
      }
      for (const piece of await copy.writer.finish()) {
        taskPieces.push({ ...piece, firstLine: piece.firstLine + this.firstLines[i]! - 1 });
        this.origins.set(piece.path, file.path);
      }
      copied = true;
    }
    return copied ? taskPieces : null;
  }

  /** Removes every copy (the lines read again were not the ones deferred). */
  async abandon(): Promise<void> {
    for (const copy of this.writers.values()) await copy.writer.abandon();
  }
}

/**
 * The plan trees of the superseded plan updates among the rows `first`..`last` of `source` (the lines, with `r`; a
 * batch: a bounded amount of text), reshaped. DuckDB picks each tree out of its line, so JavaScript never holds a
 * description; a tree that is not JSON is left as it is.
 */
async function reshapedSupersededTrees(
  connection: DuckDBConnection,
  source: string,
  first: bigint,
  last: bigint,
  reshape: (tree: unknown) => unknown,
): Promise<{ rowids: bigint[]; trees: string[] }> {
  const lines = (
    await connection.runAndReadAll(
      // TRY: a line that is not JSON yields no tree here (DuckDB names it when it stages it), parsed once, not twice.
      `SELECT r, TRY(json_extract(json, '$.sparkPlanInfo'))::VARCHAR AS tree FROM ${source}
       WHERE superseded AND r BETWEEN $first AND $last`,
      { first, last },
    )
  ).getRowObjects() as Array<{ r: bigint; tree: string | null }>;
  const reshaped: { rowids: bigint[]; trees: string[] } = { rowids: [], trees: [] };
  for (const { r, tree } of lines) {
    if (tree === null) continue;
    // A tree too deep to walk (see plan-tree.ts) is left whole: every reader of plans passes it over.
    const parsed = parsePlanTree<unknown>(tree);
    if (parsed === null) continue;
    reshaped.rowids.push(r);
    reshaped.trees.push(JSON.stringify(reshape(parsed)));
  }
  return reshaped;
}

/**
 * Superseded plan updates' text past which {@link slimSupersededLines} rewrites them before the log is parsed: more
 * than one batch of it. Below, the batches drop their descriptions as they parse them; rewriting every log's took the
 * wide bench log ~0.07 s more (seven alternating pairs), for the copy of its lines.
 */
const SLIM_SUPERSEDED_BYTES = 8 * 1024 * 1024;

/** The lines the batches parse, as a SELECT over staged_lines (with `r`, the line's place) and its parameters. */
interface LinesSelect {
  sql: string;
  values: Record<string, DuckDBValue>;
  types: Record<string, DuckDBType>;
}

/**
 * staged_lines with its text, each row with `r`, its place (rowid: the split keeps file order): where the split wrote
 * its text to `splitFile`, staged_lines holds the rest of each row and the text of the lines read again (deferred), and
 * the file the text of the others, row for row. Read `inFull` (every line, in file order), the two are zipped: a hash
 * join let ~20,000 rows pass ahead of the few it matched, and the lines written on in that order spread every run of
 * SQL plan lines over row groups that each batch then read (twice the batches' reads on the event-heavy bench log).
 * Read by `r` (a range of the lines), they are joined, so both skip to the range.
 */
function linesWithTextSql(splitFile: string | null, read: 'inFull' | 'byPlace'): string {
  const columns = ['line', 'task_kind', 'bytes', 'plan_update_of', 'superseded', 'start_superseded', 'plan_text', 'description_text'];
  if (splitFile === null) return `(SELECT rowid AS r, ${columns.join(', ')}, json FROM staged_lines)`;
  const text = `read_parquet(${sqlString(splitFile)}, file_row_number = true)`;
  const fromBoth = read === 'inFull'
    ? `(SELECT rowid AS r, * FROM staged_lines) s POSITIONAL JOIN ${text} t`
    : `(SELECT rowid AS r, * FROM staged_lines) s JOIN ${text} t ON t.file_row_number = s.r`;
  return `(SELECT s.r, ${columns.map((column) => `s.${column}`).join(', ')}, coalesce(s.json, t.json) AS json FROM ${fromBoth})`;
}

/**
 * staged_lines with each superseded plan update as its execution and the reshaped tree alone, when those updates hold
 * more than {@link SLIM_SUPERSEDED_BYTES}; null when they hold less. Databricks' adaptive re-plans are up to megabytes
 * each, and a long query logs dozens: parsing each whole into the staged shape, description and tree, only to drop
 * them, took a quarter of the plan-heavy bench log's ingest (1.4-1.5 s against 1.9-2.0 s; its peak memory is the same,
 * held by the split text while the trees are reshaped). The trees are reshaped batch by batch; the lines are then
 * written in file order with the superseded ones rewritten (see {@link settleLines}). A tree that is not JSON or too
 * deep to walk keeps its line, for the batches to treat as before.
 */
async function slimSupersededLines(
  connection: DuckDBConnection,
  splitFile: string | null,
  reshape: (tree: unknown) => unknown,
): Promise<LinesSelect | null> {
  const [total] = (
    await connection.runAndReadAll('SELECT coalesce(sum(bytes), 0)::DOUBLE AS bytes FROM staged_lines WHERE superseded')
  ).getRowObjectsJS() as Array<{ bytes: number }>;
  if (total!.bytes <= SLIM_SUPERSEDED_BYTES) return null;
  const reshaped: { rowids: bigint[]; trees: string[] } = { rowids: [], trees: [] };
  const byPlace = linesWithTextSql(splitFile, 'byPlace');
  for (const { first, last } of await stagedLineBatches(connection, byPlace, 'superseded', RESHAPE_BATCH_BYTES)) {
    const batch = await reshapedSupersededTrees(connection, byPlace, first, last, reshape);
    reshaped.rowids.push(...batch.rowids);
    reshaped.trees.push(...batch.trees);
  }
  // A projection, not a join: DuckDB keeps the lines' order without sorting their text. The lookup runs on superseded
  // lines only.
  const tree = `CASE WHEN superseded THEN list_extract($trees, list_position($rowids, r)) END`;
  return {
    sql: `SELECT r, line, task_kind, json, strlen(json) AS bytes, plan_update_of, superseded AND tree IS NULL AS superseded,
       start_superseded, plan_text, description_text FROM (
       SELECT r, line, task_kind, plan_update_of, superseded, start_superseded, plan_text, description_text, tree,
         CASE WHEN tree IS NULL THEN json ELSE '{"Event":"${PLAN_UPDATE_EVENT}","executionId":' || plan_update_of
           || '${DESCRIPTION_NULL},"sparkPlanInfo":' || tree || '}' END AS json
       FROM (SELECT *, ${tree} AS tree FROM ${linesWithTextSql(splitFile, 'inFull')}))`,
    values: { rowids: listValue(reshaped.rowids), trees: listValue(reshaped.trees) },
    types: { rowids: LIST(BIGINT), trees: LIST(VARCHAR) },
  };
}

/**
 * Text of the lines the batches parse past which it is written to a file the batches read instead, when there is a
 * scratch directory. The split holds the text of every line but task events, and the batches the parsed events: a log
 * of thousands of queries (the event-heavy bench log: ~190 MB of jobs, stages and SQL events) held both at once.
 * Where the counts apart find that much text in lines other than task events (before properties are slimmed), the
 * split itself writes the text to a file: held in a table, all of it was held at once, and the parallel split as much
 * again. On the event-heavy bench log the split and its copy went from 418-451 MB to ~250-270 MB. (On one thread the
 * split's file peaked ~80 MB higher on the plan-heavy bench log; on two, DuckDB writes it in order all the same.)
 */
const SPILLED_LINES_BYTES = 32 * 1024 * 1024;

/** Lines per row group of the spilled lines: a batch (at most {@link STAGE_BATCH_ROWS}) reads little past its own. */
const SPILLED_ROW_GROUP_LINES = 1024;
/**
 * Bytes past which a row group of the spilled lines is written before its {@link SPILLED_ROW_GROUP_LINES}: the writer
 * holds a row group whole, and a hundred 1 MB SQL starts in one took the copy from ~300 to ~480 MB.
 */
const SPILLED_ROW_GROUP_BYTES = 8 * 1024 * 1024;

/**
 * Lines to parse, over the parts staged so far, past which the parsed events are written to files (see
 * {@link StagedEventFiles}) even when the text stays in memory: a staged event costs ~2 KB however short its line, so a
 * log of 20,000 executors added and removed (16 MB) staged ~160 MB, and a rolled log's parts add up.
 */
const SPILLED_EVENT_LINES = 16_384;

/**
 * The text and the number of the lines the batches will parse. By their length: a line keeps its length exactly when
 * it keeps text (a deferred line gets both back once read again), and staged_lines holds the length where the split
 * wrote the text to a file.
 */
async function keptLines(connection: DuckDBConnection): Promise<{ bytes: number; lines: number }> {
  const [row] = (
    await connection.runAndReadAll(`SELECT coalesce(sum(bytes), 0)::DOUBLE AS bytes, count(bytes)::DOUBLE AS lines FROM staged_lines`)
  ).getRowObjectsJS() as Array<{ bytes: number; lines: number }>;
  return row!;
}

/**
 * The lines the batches parse, as a table expression with `r`: the slimmed lines when `slimmed`, else staged_lines as
 * it is, with its text (see {@link linesWithTextSql}); written to `spillTo` (Parquet, in small row groups the batches'
 * ranges skip to) and dropped from memory when given. Named in each statement rather than through a view: a kept
 * statement (see reused-statements.ts) bound through a view that was replaced failed inside DuckDB when bound again.
 */
async function settleLines(
  connection: DuckDBConnection,
  splitFile: string | null,
  slimmed: LinesSelect | null,
  spillTo: string | null,
): Promise<string> {
  if (spillTo === null && slimmed === null) return linesWithTextSql(splitFile, 'byPlace');
  const lines = slimmed ?? { sql: `FROM ${linesWithTextSql(splitFile, 'inFull')}`, values: {}, types: {} };
  if (spillTo === null) {
    await connection.run(`CREATE OR REPLACE TEMP TABLE staged_lines_slim AS ${lines.sql}`, lines.values, lines.types);
    await connection.run('DROP TABLE staged_lines');
    return 'staged_lines_slim';
  }
  // On one thread: written in order on two, each thread's row groups waited in memory for their turn (~270 MB more
  // on the event-heavy bench log, as much as holding the lines twice). DuckDB takes a row group's size in bytes only
  // with the insertion order not kept; one thread writes the rows in order all the same, and the batches read by `r`.
  await withThreads(connection, 1, () =>
    withoutInsertionOrder(connection, () =>
      connection.run(
        `COPY (${lines.sql}) TO ${sqlString(spillTo)} (FORMAT parquet, COMPRESSION zstd,
           ROW_GROUP_SIZE ${SPILLED_ROW_GROUP_LINES}, ROW_GROUP_SIZE_BYTES ${SPILLED_ROW_GROUP_BYTES})`,
        lines.values,
        lines.types,
      ),
    ),
  );
  await connection.run('DROP TABLE staged_lines');
  // The text of every line to parse, freed at once: given back before the batches parse (on the event-heavy bench log
  // the first batch began ~100 MB higher than the others).
  await releaseFreedMemory(connection, { afterDrop: true });
  return `read_parquet(${sqlString(spillTo)})`;
}

/** Drops the lines the batches read (a file written for them is the caller's to remove). */
async function dropLines(connection: DuckDBConnection): Promise<void> {
  await connection.run('DROP TABLE IF EXISTS staged_lines; DROP TABLE IF EXISTS staged_lines_slim');
}

/**
 * SQL plan updates longer than this are not held by the line split. Databricks logs an adaptive re-plan of a long query
 * dozens of times, each up to megabytes of description and tree, and the split held all of that text at once: 200 MB
 * of its 430-475 MB peak on a log of Photon task ends with a hundred 2 MB re-plans. Such lines are read again once
 * the split has found which update of each execution is its last (see {@link restoreDeferredLines}).
 */
const DEFERRED_PLAN_UPDATE_BYTES = 256 * 1024;

/**
 * Plan updates too long for the fast split, in one part, past which it is split from a copy with stand-ins: one line
 * of the longest an event may be splits within 200 MB, three took 241-292 MB and ten 354-402 MB.
 */
const STAND_IN_COPY_BYTES = MAX_EVENT_BYTES;

/** A line the split deferred: where it is among the split's rows, its execution, length and file. */
interface DeferredLine {
  r: bigint;
  execution: bigint;
  /** An execution's start (else a plan update), and whether a later update's description replaces its own. */
  start: boolean;
  start_superseded: boolean;
  bytes: bigint;
  superseded: boolean;
  deferred_from: string;
}

/** The lines the split deferred, in file order. */
async function deferredLines(connection: DuckDBConnection): Promise<DeferredLine[]> {
  const reader = await connection.runAndReadAll(
    `SELECT rowid AS r, coalesce(plan_update_of, start_of) AS execution, start_of IS NOT NULL AS start, start_superseded,
       bytes, superseded, deferred_from FROM staged_lines
     WHERE deferred_from IS NOT NULL ORDER BY rowid`,
  );
  return reader.getRowObjects() as unknown as DeferredLine[];
}

/**
 * Deferred plan updates up to which a compressed part's are read again by DuckDB rather than by JavaScript, which
 * decodes the whole file (~1 s for the wide bench log's 440 MB of zstd, for its four 1 MB updates) where DuckDB reads it
 * again in ~0.15 s; DuckDB then holds those few MB at once.
 */
const DUCKDB_READ_DEFERRED_BYTES = MAX_EVENT_BYTES;

/** Whether the `deferred` lines are few and in a compressed file (see {@link DUCKDB_READ_DEFERRED_BYTES}). */
function fewDeferredInCompressedFiles(files: readonly DecodedFile[], deferred: readonly DeferredLine[]): boolean {
  const holding = new Set(deferred.map((row) => row.deferred_from));
  const deferredBytes = deferred.reduce((sum, row) => sum + Number(row.bytes), 0);
  return deferredBytes < DUCKDB_READ_DEFERRED_BYTES && files.some((file) => file.codec !== 'none' && holding.has(file.path));
}

/**
 * The long plan updates of the files the split read (`lines`, its read), read again by DuckDB with the same reader, in
 * file order, for a few MB of them.
 */
async function* deferredLinesReadByDuckDb(connection: DuckDBConnection, lines: string, deferBytes: number): AsyncGenerator<Buffer> {
  // As bytes, chunk by chunk: read as text, each line was held twice more in JavaScript (a string, then its bytes), and
  // a blob value is a copy of the bytes the vector hands out, another 16 MB for the longest line an event may be.
  const result = await connection.run(
    `SELECT encode(json) AS bytes FROM ${lines} WHERE starts_with(json, '${SQL_EVENT_LINE_PREFIX}') AND strlen(json) > ${deferBytes}`,
  );
  for (let chunk = await result.fetchChunk(); chunk !== null && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    const vector = chunk.getColumnVector(0) as DuckDBBlobVector;
    for (let row = 0; row < chunk.rowCount; row += 1) {
      const bytes = vector.getItemBytes(row)!;
      yield Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
}

/**
 * The long plan updates of those of `files` (the files the split read, in order) that hold a `deferred` line, read one
 * at a time; the same pass writes the task read's `copies`, if any. Null when a file the split named is not among them.
 */
function deferredLinesReadFromFiles(
  files: readonly DecodedFile[],
  deferred: readonly DeferredLine[],
  deferBytes: number,
  copies: TaskCopies | null,
): AsyncIterable<Buffer> | null {
  // Only the files that hold a deferred line are read again: of a slimmed log's hundreds of pieces, a few.
  const holding = new Set(deferred.map((row) => row.deferred_from));
  const toRead = files.filter((file) => holding.has(file.path));
  if (toRead.length !== holding.size) return null;
  const decodedBytes = new Map<string, number>();
  const otherLinesOf = copies ? (file: DecodedFile) => copies.otherLinesOf(file, decodedBytes) : undefined;
  const read = longLinesStartingWith(toRead, SQL_EVENT_LINE_PREFIX, deferBytes, { decodedBytes, otherLinesOf });
  return (async function* () {
    for await (const line of read) yield line.bytes;
  })();
}

/**
 * Puts back the text of the `deferred` plan updates from `lines`, the long plan update lines of the files the split read,
 * in order: an execution's last update whole, an earlier one as its execution and reshaped tree alone (as
 * {@link slimSupersededLines} writes it; a line that is not JSON, or whose tree is too deep to walk, whole, for the
 * batches to treat as before). So the split never holds the superseded text, and what is held at once is one update
 * and a batch of what is kept. Lines are matched in order and checked by execution and length; false when they do not
 * match, for the caller to split again keeping every line.
 */
async function restoreDeferredLines(
  connection: DuckDBConnection,
  lines: AsyncIterable<Buffer>,
  deferred: readonly DeferredLine[],
  reshape: (tree: unknown) => unknown,
): Promise<boolean> {
  // Lines go to DuckDB as bytes: a 16 MB description never becomes a JavaScript string.
  // Each line goes as its head and, when its plan description is to be kept apart, that description's JSON string and
  // what follows it: no part is copied here, and DuckDB reads the long text once. A start whose query text is to be
  // kept apart goes as what precedes that text (its lead), the text, and then the rest as above.
  type Batch = {
    rowids: bigint[];
    leads: Array<Buffer | null>;
    queries: Array<Buffer | null>;
    /** The id of a query text already written apart (see writePlanTextInParts). */
    queriesWritten: Array<bigint | null>;
    heads: Buffer[];
    texts: Array<Buffer | null>;
    tails: Array<Buffer | null>;
    /** The id of a description already written apart (see writePlanTextInParts). */
    written: Array<bigint | null>;
    superseded: boolean[];
    bytes: number;
    textBytes: number;
  };
  const empty = (): Batch => ({
    rowids: [], leads: [], queries: [], queriesWritten: [], heads: [], texts: [], tails: [], written: [], superseded: [], bytes: 0, textBytes: 0,
  });
  const writtenInParts = (literal: Buffer | null): Promise<bigint | null> | null =>
    literal !== null && literal.length > PLAN_TEXT_IN_PARTS_BYTES
      ? writePlanTextInParts(connection, jsonStringParts(literal.subarray(1, literal.length - 1), PLAN_TEXT_PART_BYTES))
      : null;
  let batch = empty();
  const flush = async (): Promise<void> => {
    if (batch.rowids.length === 0) return;
    // A long description that is shown, and a long query text, go to plan_texts now (see src/store/plan-texts.ts),
    // and the line keeps only their ids: so the text is never held by the staged lines, the staged events or the
    // write. One that is not a valid JSON string keeps its line whole, for the staging to name.
    const blobs = (parts: Array<Buffer | null>): DuckDBValue => listValue(parts.map((part) => (part === null ? null : blobValue(part))));
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE restored_lines AS
       SELECT r, superseded, planText, text, descriptionText, query,
         coalesce(CASE WHEN descriptionText IS NOT NULL THEN decode(lead) || '${QUERY_TEXT_KEY_TEXT}null'
           ELSE decode(lead) || '${QUERY_TEXT_KEY_TEXT}' || decode(query_literal) END, '')
         || CASE WHEN planText IS NOT NULL THEN decode(head) || '${DESCRIPTION_NULL}' || decode(tail)
           WHEN literal IS NULL THEN decode(head)
           ELSE decode(head) || '${DESCRIPTION_KEY_TEXT}' || decode(literal) || decode(tail) END AS json
       FROM (SELECT *, coalesce(written, CASE WHEN text IS NOT NULL THEN nextval('plan_text_ids') END) AS planText,
           coalesce(query_written, CASE WHEN query IS NOT NULL THEN nextval('plan_text_ids') END) AS descriptionText FROM (
         SELECT r, lead, query_literal, query_written, head, literal, tail, written, superseded,
           CASE WHEN literal IS NOT NULL THEN TRY(json_extract_string(TRY(decode(literal)), '$')) END AS text,
           CASE WHEN query_literal IS NOT NULL THEN TRY(json_extract_string(TRY(decode(query_literal)), '$')) END AS query
         FROM (SELECT unnest($rowids) AS r, unnest($leads) AS lead, unnest($queries) AS query_literal,
           unnest($queriesWritten) AS query_written, unnest($heads) AS head, unnest($texts) AS literal, unnest($tails) AS tail,
           unnest($written) AS written, unnest($superseded) AS superseded)))`,
      {
        rowids: listValue(batch.rowids),
        leads: blobs(batch.leads),
        queries: blobs(batch.queries),
        queriesWritten: listValue(batch.queriesWritten),
        heads: listValue(batch.heads.map((head) => blobValue(head))),
        texts: listValue(batch.texts.map((text) => (text === null ? null : blobValue(text)))),
        tails: listValue(batch.tails.map((tail) => (tail === null ? null : blobValue(tail)))),
        written: listValue(batch.written),
        superseded: listValue(batch.superseded),
      },
      {
        rowids: LIST(BIGINT),
        leads: LIST(BLOB),
        queries: LIST(BLOB),
        queriesWritten: LIST(BIGINT),
        heads: LIST(BLOB),
        texts: LIST(BLOB),
        tails: LIST(BLOB),
        written: LIST(BIGINT),
        superseded: LIST(BOOLEAN),
      },
    );
    if (batch.texts.some((text) => text !== null)) await writePlanTexts(connection, 'restored_lines', 'text');
    if (batch.queries.some((query) => query !== null)) await writePlanTexts(connection, 'restored_lines', 'query', 'descriptionText');
    await connection.run(
      `UPDATE staged_lines SET json = x.json, bytes = strlen(x.json), superseded = x.superseded, plan_text = x.planText,
         description_text = x.descriptionText
       FROM restored_lines x WHERE staged_lines.rowid = x.r;
       DROP TABLE restored_lines`,
    );
    batch = empty();
  };
  let next = 0;
  for await (const line of lines) {
    const head = sqlLineHead(line);
    // The split deferred no other SQL event, nor a plan update without a description after its execution.
    if (head === null) continue;
    const row = deferred[next];
    next += 1;
    if (row === undefined || row.start !== (head.kind === 'start') || row.execution !== BigInt(head.execution) || row.bytes !== BigInt(line.length)) {
      return false;
    }
    // An execution id JSON would refuse (a leading zero) keeps its line, for the staging to name.
    const valid = JSON_INTEGER.test(head.execution);
    const slim = head.kind === 'start'
      ? (row.start_superseded && valid ? startWithoutDescription(line) : null)
      : (row.superseded && valid ? supersededUpdateAsTree(line, head.descriptionStart, row.execution, reshape) : null);
    const shown = valid && slim === null && !(head.kind === 'start' ? row.start_superseded : row.superseded);
    const kept = slim ?? line;
    const span = shown ? descriptionSpan(line) : null;
    const apart = span !== null && span.end - span.keyAt > LONG_PLAN_TEXT_BYTES;
    // Every start's query text is shown (a later update replaces only its plan); it comes before the plan description.
    const querySpan = head.kind === 'start' && valid ? queryTextSpan(kept) : null;
    const queryApart = querySpan !== null && querySpan.end - querySpan.keyAt > LONG_PLAN_TEXT_BYTES && (!apart || querySpan.end < span.keyAt);
    const restAt = queryApart ? querySpan.end + 1 : 0;
    const literal = apart ? line.subarray(span.keyAt + DESCRIPTION_KEY_TEXT.length, span.end + 1) : null;
    const queryLiteral = queryApart ? kept.subarray(querySpan.keyAt + QUERY_TEXT_KEY_TEXT.length, querySpan.end + 1) : null;
    // A text of megabytes is written on its own a part at a time; one that is not a JSON string after all goes with
    // its batch, which keeps its line whole.
    const written = await writtenInParts(literal);
    const queryWritten = await writtenInParts(queryLiteral);
    batch.rowids.push(row.r);
    batch.leads.push(queryApart ? kept.subarray(0, querySpan.keyAt) : null);
    batch.queries.push(queryWritten === null ? queryLiteral : null);
    batch.queriesWritten.push(queryWritten);
    batch.heads.push(apart ? line.subarray(restAt, span.keyAt) : kept.subarray(restAt));
    batch.texts.push(written === null ? literal : null);
    batch.tails.push(apart ? line.subarray(span.end + 1) : null);
    batch.written.push(written);
    batch.superseded.push(row.superseded && slim === null);
    // Whole lines count: the parts the batch keeps are views of them.
    batch.bytes += kept.length;
    if (written === null && literal !== null) batch.textBytes += literal.length;
    if (queryWritten === null && queryLiteral !== null) batch.textBytes += queryLiteral.length;
    if (batch.bytes >= STAGE_BATCH_BYTES || batch.textBytes >= RESTORED_TEXT_BATCH_BYTES) await flush();
  }
  if (next !== deferred.length) return false;
  await flush();
  return true;
}

/**
 * Most bytes of event text parsed in one statement. DuckDB parses a vector of lines (up to 2,048) at once and
 * holds each line's text, parsed document and typed copy together: a hundred SQL plan updates of 1 MB in one
 * vector ran a 512 MB limit out. A batch holds lines that start within this many bytes of each other, so it is
 * at most this plus one line.
 */
const STAGE_BATCH_BYTES = 8 * 1024 * 1024;

/**
 * Most bytes of descriptions kept apart that one statement puts back (with the line that goes past it); one past
 * PLAN_TEXT_IN_PARTS_BYTES is written on its own (see writePlanTextInParts). DuckDB holds ~6 copies of each while it
 * reads them: three 3 MB descriptions in one 8 MB batch took a log of a hundred of them to 341-356 MB, one at a time to
 * 317-331 MB.
 */
const RESTORED_TEXT_BATCH_BYTES = 1024 * 1024;

/**
 * Most bytes of superseded plan updates whose trees JavaScript reshapes at once: each tree is parsed into objects
 * several times its text's size, so batches of 8 MB grew the heap by ~40 MB on the plan-heavy bench log (peak RSS
 * 355-385 MB); a batch of about one Databricks re-plan keeps that to a few MB (322-334 MB) at the same speed.
 */
const RESHAPE_BATCH_BYTES = 1024 * 1024;

/**
 * Most lines parsed in one statement. Each line's typed copy is wide (the staged shape's 60 columns and their
 * nested lists), whatever its length: 21,000 short events in one 8 MB batch took the statement ~100 MB past the
 * rest of the ingest, against ~30 MB in batches of 8,192.
 */
const STAGE_BATCH_ROWS = 8192;

/**
 * Ranges of `r` of the rows of `source` (the lines, with `r`) matching `lines` (non-task lines unless told), in file
 * order: at most `batchBytes` of text (or one line) and {@link STAGE_BATCH_ROWS} lines each.
 */
async function stagedLineBatches(
  connection: DuckDBConnection,
  source: string,
  lines = 'task_kind IS NULL',
  batchBytes = STAGE_BATCH_BYTES,
): Promise<Array<{ first: bigint; last: bigint; long_texts: boolean }>> {
  // Both counts only grow along the rows, and so does their sum: each batch is a run of rows.
  const reader = await connection.runAndReadAll(`SELECT min(r) AS first, max(r) AS last, bool_or(long_text) AS long_texts FROM (
      SELECT r, (sum(bytes) OVER (ORDER BY r) - bytes) // ${batchBytes}
        + (row_number() OVER (ORDER BY r) - 1) // ${STAGE_BATCH_ROWS} AS batch,
        -- Judged by the line alone, however it is written; the parse then finds which descriptions are long.
        bytes > ${LONG_PLAN_TEXT_BYTES} AND NOT superseded AS long_text
      FROM ${source} WHERE ${lines})
    GROUP BY batch ORDER BY batch`);
  return reader.getRowObjects() as Array<{ first: bigint; last: bigint; long_texts: boolean }>;
}

/**
 * Drops the staged temp tables. They would live as long as the connection, and the ingest's write connection is
 * kept from one log to the next.
 */
export async function dropStagedTables(connection: DuckDBConnection): Promise<void> {
  await dropStagedEvents(connection);
  await connection.run(`DROP TABLE IF EXISTS ${STAGED_TASK_COUNTS}; DROP TABLE IF EXISTS ${STAGED_UNREAD_EVENTS}; DROP TABLE IF EXISTS staged_lines; DROP TABLE IF EXISTS staged_application;
    DROP TABLE IF EXISTS staged_lines_slim;
    DROP TABLE IF EXISTS task_line_kinds; DROP TABLE IF EXISTS staged_batch_texts;`);
}

/**
 * DuckDB's error for a line it could not read, as {@link OversizedEventError} or {@link MalformedJsonError}, or
 * null for any other error. Both send the log down the slow path, which names every such line.
 */
export function lineErrorOf(error: unknown): OversizedEventError | MalformedJsonError | null {
  const message = error instanceof Error ? error.message : String(error);
  // The CSV reader's parallel split gives up on a line longer than its buffer, in its own words.
  if (/maximum_object_size|Maximum line size|does not support a full read/.test(message)) {
    return new OversizedEventError(message);
  }
  // The CSV line splitter refuses bytes that are no text (invalid UTF-8); the JSON readers say "Malformed JSON".
  if (/Malformed JSON|CSV Error on Line|Invalid unicode/i.test(message)) return new MalformedJsonError(message);
  return null;
}

/**
 * DuckDB skips blank lines, so the r-th row read is not always line r. Blank line b_i (sorted, i from 1) has
 * b_i - i rows before it, so row r sits on line r + #{i : b_i - i < r}.
 */
function realLineNumberSql(skippedLines: readonly number[]): string {
  if (skippedLines.length === 0) return 'row_in_part';
  return `row_in_part + len(list_filter([${rowsBeforeEach(skippedLines).join(',')}]::BIGINT[], g -> g < row_in_part))`;
}

/** The line of the `row`-th row DuckDB read from a file whose blank lines are `skippedLines` (the rule above, for an error's row). */
export function realLineNumber(row: number, skippedLines: readonly number[]): number {
  return row + rowsBeforeEach(skippedLines).filter((good) => good < row).length;
}

/** b_i - i for each skipped line b_i (sorted, i from 1): the rows read before it. */
function rowsBeforeEach(skippedLines: readonly number[]): number[] {
  return [...skippedLines].sort((a, b) => a - b).map((line, i) => line - (i + 1));
}
