/**
 * SQL adaptive plan update lines read without parsing them: how Spark writes their head (event, execution, then the
 * description), the stand-in a copy holds in place of a long one, and a superseded one cut down to its tree. The
 * line split's SQL reads the same heads ({@link planUpdateExecutionSql}, {@link standInBytesSql}), so both sides of
 * each rule are here.
 */
import { walkablePlanTree } from '../model/plan-tree.js';
import type { LongLine } from '../eventlog/line-scanner.js';

/** The event name Spark writes for an adaptive re-plan (a SQL plan update). */
export const PLAN_UPDATE_EVENT = 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate';

/** How a SQL adaptive plan update line starts when Spark writes it (the split's {@link planUpdateExecutionSql} too). */
export const PLAN_UPDATE_LINE_PREFIX = `{"Event":"${PLAN_UPDATE_EVENT}","executionId":`;
/** How Spark writes the start of a SQL execution's line, up to its execution id. */
const SQL_START_LINE_PREFIX = '{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":';
/** The execution of a plan update line that carries a description, as {@link planUpdateExecutionSql} reads it. */
const PLAN_UPDATE_EXECUTION = /^[^,]*,"executionId":(-?[0-9]+),"physicalPlanDescription":"/;

/** Characters of a SQL event line in which its head is looked for, here and by the split's SQL. */
const HEAD_CHARS = 180;
/** Bytes of a plan update line that hold its head: {@link HEAD_CHARS} characters of up to four bytes. */
export const PLAN_UPDATE_HEAD_BYTES = 4 * HEAD_CHARS;

/** The head of a plan update line up to its description, with its execution; null for a line written otherwise. */
export function planUpdateHead(line: Buffer): RegExpExecArray | null {
  return PLAN_UPDATE_EXECUTION.exec(line.subarray(0, PLAN_UPDATE_HEAD_BYTES).toString('utf8').slice(0, HEAD_CHARS));
}

/** The key of a stand-in that holds the length of the plan update it stands in for. */
const STAND_IN_BYTES_KEY = 'standInForBytes';

/**
 * What a copy holds in place of a long plan update or execution start: its execution (as written) and its length,
 * which the split reads as if from the line itself ({@link standInBytesSql}); null for a line the split would not defer
 * (the copy keeps it). Only its head is needed.
 */
export function standInFor(line: LongLine): Buffer | null {
  const head = sqlLineHead(line.bytes);
  if (head === null) return null;
  const prefix = head.kind === 'update' ? `${PLAN_UPDATE_LINE_PREFIX}${head.execution},"physicalPlanDescription":""` : `${SQL_START_LINE_PREFIX}${head.execution}`;
  return Buffer.from(`${prefix},"${STAND_IN_BYTES_KEY}":${line.length}}`);
}

/**
 * A split line's length, or the length a stand-in holds. A line of the log that looks like one is deferred like a
 * stand-in, is then not found among the long lines read again, and the part is split again from the log itself.
 */
export const standInBytesSql = `CASE WHEN (starts_with(json, '${PLAN_UPDATE_LINE_PREFIX}') OR starts_with(json, '${SQL_START_LINE_PREFIX}'))
      AND strlen(json) < 400
    THEN coalesce(TRY_CAST(regexp_extract(json, ',"${STAND_IN_BYTES_KEY}":([0-9]+)}$', 1) AS BIGINT), strlen(json))
    ELSE strlen(json) END`;

/** An integer as JSON writes one (no leading zero): an execution id the staging's JSON parse accepts. */
export const JSON_INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

const TREE_KEY = Buffer.from(',"sparkPlanInfo":');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const CLOSING_BRACE = 0x7d;
/** The characters a JSON string may escape with a backslash, besides `u` and four hex digits. */
const SIMPLE_ESCAPES = new Set([...'"\\/bfnrt'].map((character) => character.charCodeAt(0)));
const HEX_DIGIT = /^[0-9a-fA-F]{4}$/;

/**
 * Where the JSON string whose text starts at `from` (past its opening quote) ends: its closing quote, or -1 when it
 * is not a valid JSON string (a raw control character, an unknown escape, no end). DuckDB's split checked the UTF-8.
 */
function jsonStringEnd(bytes: Buffer, from: number): number {
  for (let at = from; at < bytes.length; at += 1) {
    const byte = bytes[at]!;
    if (byte === QUOTE) return at;
    if (byte < 0x20) return -1;
    if (byte !== BACKSLASH) continue;
    const escaped = bytes[at + 1];
    if (escaped === 0x75 /* u */) {
      if (!HEX_DIGIT.test(bytes.toString('latin1', at + 2, at + 6))) return -1;
      at += 5;
    } else if (escaped !== undefined && SIMPLE_ESCAPES.has(escaped)) {
      at += 1;
    } else {
      return -1;
    }
  }
  return -1;
}

/**
 * The text of a valid JSON string (`bytes`, between its quotes) cut into parts of about `size` bytes, each the text of
 * a valid JSON string itself: a cut never falls inside an escape or a UTF-8 character, nor right after a \u escape
 * (it may be the first half of a surrogate pair), so the parts read one by one give the string's text.
 */
export function* jsonStringParts(bytes: Buffer, size: number): Generator<Buffer> {
  let start = 0;
  let at = 0;
  let afterUnicodeEscape = false;
  while (start < bytes.length) {
    const target = start + size;
    while (at < bytes.length && (at < target || bytes[at]! >= 0x80 || afterUnicodeEscape)) {
      const escape = bytes[at] === BACKSLASH;
      afterUnicodeEscape = escape && bytes[at + 1] === 0x75; /* u */
      at += escape ? (afterUnicodeEscape ? 6 : 2) : 1;
    }
    at = Math.min(at, bytes.length);
    yield bytes.subarray(start, at);
    start = at;
  }
}

/**
 * A superseded plan update's line as its execution and reshaped tree alone; null to keep the line as it is (it is not
 * JSON, for the staging to name; or its tree is absent or too deep to walk). Spark writes the description and then the
 * tree, last: the description is checked as a JSON string where it lies and only the tree is parsed, so a 16 MB
 * description costs a byte scan, not a string. A line written otherwise is parsed whole.
 */
export function supersededUpdateAsTree(line: Buffer, descriptionStart: number, execution: bigint, reshape: (tree: unknown) => unknown): Buffer | null {
  let tree: unknown;
  const descriptionEnd = jsonStringEnd(line, descriptionStart);
  if (descriptionEnd < 0) return null;
  try {
    if (line.subarray(descriptionEnd + 1, descriptionEnd + 1 + TREE_KEY.length).equals(TREE_KEY)) {
      let end = line.length - 1;
      while (end > descriptionEnd && line[end] !== CLOSING_BRACE) end -= 1;
      // Past the closing brace only whitespace may follow; the tree's own text must then parse alone.
      if (line.subarray(end + 1).toString('latin1').trim() !== '') return null;
      tree = JSON.parse(line.toString('utf8', descriptionEnd + 1 + TREE_KEY.length, end));
    } else {
      tree = (JSON.parse(line.toString('utf8')) as { sparkPlanInfo?: unknown }).sparkPlanInfo;
    }
  } catch {
    return null;
  }
  const walkable = tree === undefined || tree === null ? null : walkablePlanTree(tree);
  if (walkable === null) return null;
  return Buffer.from(
    `{"Event":"${PLAN_UPDATE_EVENT}","executionId":${execution}${DESCRIPTION_NULL},"sparkPlanInfo":${JSON.stringify(reshape(walkable))}}`,
  );
}

/**
 * The execution of a SQL adaptive plan update that carries a description, from the start of its line (Spark writes
 * "executionId" and then "physicalPlanDescription" right after "Event"); NULL for any other line, or one written
 * otherwise, whose description is then kept.
 */
export const planUpdateExecutionSql = `CASE WHEN task_kind IS NULL
    AND starts_with(json, '${PLAN_UPDATE_LINE_PREFIX}')
    THEN TRY_CAST(regexp_extract(substr(json, 1, ${HEAD_CHARS}), '${PLAN_UPDATE_EXECUTION.source}', 1) AS BIGINT) END`;

/** How every SQL event's line starts when Spark writes it: plan updates and executions' starts among them. */
export const SQL_EVENT_LINE_PREFIX = '{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQL';

/** The execution of a SQL execution's start, at most this many characters past its prefix, as both readers take it. */
const SQL_START_EXECUTION = /^(-?[0-9]+)[,}]/;
const START_EXECUTION_CHARS = 24;
/** A description's key as Spark writes it after the previous field, up to its value. */
export const DESCRIPTION_KEY_TEXT = ',"physicalPlanDescription":';
const DESCRIPTION_KEY = Buffer.from(`${DESCRIPTION_KEY_TEXT}"`);

/** A SQL event line read again, as the line split told it: an update (and where its description starts) or a start. */
export type SqlLineHead = { kind: 'update'; execution: string; descriptionStart: number } | { kind: 'start'; execution: string };

/** What a SQL event line read again is, with its execution as written; null for a line the split did not defer. */
export function sqlLineHead(line: Buffer): SqlLineHead | null {
  const head = line.subarray(0, PLAN_UPDATE_HEAD_BYTES).toString('utf8');
  if (head.startsWith(PLAN_UPDATE_LINE_PREFIX)) {
    const update = planUpdateHead(line);
    return update === null ? null : { kind: 'update', execution: update[1]!, descriptionStart: update[0].length };
  }
  if (!head.startsWith(SQL_START_LINE_PREFIX)) return null;
  const start = SQL_START_EXECUTION.exec(head.slice(SQL_START_LINE_PREFIX.length, SQL_START_LINE_PREFIX.length + START_EXECUTION_CHARS));
  return start === null ? null : { kind: 'start', execution: start[1]! };
}

/**
 * A SQL execution's start without its plan description (null in its place), every other field as written; null to
 * keep the line as it is (no description where Spark writes it, or one that is not a JSON string).
 */
export function startWithoutDescription(line: Buffer): Buffer | null {
  const span = descriptionSpan(line);
  if (span === null) return null;
  return Buffer.concat([line.subarray(0, span.keyAt), Buffer.from(DESCRIPTION_NULL), line.subarray(span.end + 1)]);
}

/** What a SQL event line holds in place of a description it no longer carries. */
export const DESCRIPTION_NULL = `${DESCRIPTION_KEY_TEXT}null`;

/**
 * Where a SQL event line's plan description is, as byte offsets: the comma before its key and the closing quote of
 * its JSON string; null when Spark wrote none or not a string. Strings before it hold no raw quote, so the first
 * `,"physicalPlanDescription":"` in the line is the key (for a start as for an update).
 */
export function descriptionSpan(line: Buffer): { keyAt: number; end: number } | null {
  const keyAt = line.indexOf(DESCRIPTION_KEY);
  if (keyAt < 0) return null;
  const end = jsonStringEnd(line, keyAt + DESCRIPTION_KEY.length);
  return end < 0 ? null : { keyAt, end };
}

/** A SQL execution's query text's key (its description) as Spark writes it after the execution's ids, up to its value. */
export const QUERY_TEXT_KEY_TEXT = ',"description":';
const QUERY_TEXT_KEY = Buffer.from(`${QUERY_TEXT_KEY_TEXT}"`);

/**
 * Where a SQL execution start's query text (its description) is, as byte offsets: the comma before its key and the
 * closing quote of its JSON string; null when Spark wrote none there or not a string. Spark writes it right after the
 * execution's ids, so the key is looked for in the line's head only: an operator's description deeper in the line is
 * never taken for it.
 */
export function queryTextSpan(line: Buffer): { keyAt: number; end: number } | null {
  const keyAt = line.subarray(0, PLAN_UPDATE_HEAD_BYTES).indexOf(QUERY_TEXT_KEY);
  if (keyAt < 0) return null;
  const end = jsonStringEnd(line, keyAt + QUERY_TEXT_KEY.length);
  return end < 0 ? null : { keyAt, end };
}

/**
 * The execution of a SQL execution's start, from the start of its line as Spark writes it; NULL for any other line
 * (whose description is then kept whatever follows).
 */
export const sqlStartExecutionSql = `CASE WHEN task_kind IS NULL AND starts_with(json, '${SQL_START_LINE_PREFIX}')
    THEN TRY_CAST(regexp_extract(substr(json, ${SQL_START_LINE_PREFIX.length + 1}, ${START_EXECUTION_CHARS}), '${SQL_START_EXECUTION.source}', 1) AS BIGINT) END`;
