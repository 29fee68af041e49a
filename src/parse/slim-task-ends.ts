import type { DuckDBConnection } from '@duckdb/node-api';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openDecodedStream } from '../eventlog/codec.js';
import type { DuckDbInput } from '../eventlog/discover.js';
import { PIECE_BYTES, PieceWriter } from '../eventlog/pieces.js';
import { logger } from '../logger.js';
import { VENDOR_METRIC_NAME, vendorAccumulableRegex } from '../model/vendor-metrics.js';
import { compressionOf, lineReadSql, TASK_END_LINE_PREFIX } from './stage-events.js';
import { USER_ACCUMULATOR_OBJECT_PATTERN, USER_ACCUMULATOR_PATTERN } from './task-accumulables.js';

/**
 * Task ends of SQL-heavy logs are mostly their accumulables: Photon and RAPIDS task ends carry hundreds (~25 KB
 * a line), a plain Spark 3 SQL task end about a third of its bytes. From them the store keeps only user
 * accumulators and the vendor metrics of src/model/vendor-metrics.ts, both logged `"Internal":false`; internal
 * task metrics and SQL metrics are dropped (see userAccumulables in the application writer). So a task end's
 * accumulables are cut down to the ones kept before DuckDB reads the line: DuckDB then parses a line a tenth of
 * the size. Lines this cannot be sure of (no "Internal" flags, as in Spark 1.x; a user accumulator the patterns do not
 * read whole; an unusual layout) are copied whole, and DuckDB reads them as before.
 */

const TASK_END_PREFIX = Buffer.from(TASK_END_LINE_PREFIX);
const TASK_INFO = Buffer.from('"Task Info":{');
const ACCUMULABLES = Buffer.from('"Accumulables":[');
/** Task Info's accumulables end the object, and another "Task ..." key (Executor Metrics or Metrics) follows. */
const ACCUMULABLES_END = Buffer.from(']},"Task ');
const INTERNAL_FALSE = Buffer.from('"Internal":false');
const INTERNAL = Buffer.from('"Internal":');
const USER_ACCUMULATORS = new RegExp(USER_ACCUMULATOR_PATTERN, 'g');
const USER_ACCUMULATOR_OBJECT = new RegExp(USER_ACCUMULATOR_OBJECT_PATTERN, 'y');
const ACCUMULABLE_START = '{"ID":';
const VENDOR_ACCUMULABLES = new RegExp(vendorAccumulableRegex, 'g');
const NEWLINE = 0x0a;

/** When a copy pays for itself, and how the part is read. */
export interface SlimmingOptions {
  /** A part smaller than this is read by DuckDB as fast as a copy would be. */
  minBytes: number;
  /**
   * The share of bytes the cut must save in the part's first {@link SlimmingOptions.judgedBytes}: below it,
   * copying costs more than it saves DuckDB (measured: a third saved is a loss, nine tenths a clear gain).
   */
  share: number;
  judgedBytes: number;
  /** Bytes read at a time (at 1 MB the pass waited on its reads: see docs/performance/ingest.md). */
  chunkBytes: number;
  /** A line longer than this is passed through as it comes rather than held (it is no task end worth cutting). */
  longestHeldLine: number;
  /** Size of the pieces the copy is written in (see eventlog/pieces.ts). */
  pieceBytes: number;
}

const DEFAULTS: SlimmingOptions = {
  minBytes: 4 * 1024 * 1024,
  share: 0.5,
  judgedBytes: 16 * 1024 * 1024,
  chunkBytes: 4 * 1024 * 1024,
  longestHeldLine: 16 * 1024 * 1024,
  pieceBytes: PIECE_BYTES,
};

function startsWith(buffer: Buffer, start: number, prefix: Buffer): boolean {
  if (buffer.length - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i += 1) if (buffer[start + i] !== prefix[i]) return false;
  return true;
}

/**
 * Whether the start of a line may be a task end, the only lines the cut changes (and so the only ones held
 * until their end arrives): true while it is too short to tell.
 */
export function mayBeTaskEnd(lineStart: Buffer): boolean {
  const length = Math.min(lineStart.length, TASK_END_PREFIX.length);
  return lineStart.subarray(0, length).equals(TASK_END_PREFIX.subarray(0, length));
}

/** Task Info's accumulables in a task end line, [start, end) of the array's contents, and what of them to keep. */
export interface AccumulablesCut {
  start: number;
  end: number;
  /** The accumulables to leave in the array (user accumulators and vendor metrics), as JSON text; empty to leave none. */
  kept: Buffer;
}

const NOTHING = Buffer.alloc(0);

/**
 * Where a task end line's accumulables the store will not keep sit, or null when the line must be read whole.
 *
 * The pattern taken as the array's end holds a quote, which inside a JSON string would be escaped, so it is
 * structure: the first one after the array's start closes the array unless an accumulable is itself an object
 * with a "Task ..." key, which Spark never writes. A cut in the wrong place almost always leaves brackets
 * unbalanced, which DuckDB reports as a malformed line (the ingest then re-reads the log itself).
 */
export function accumulablesCut(line: Buffer): AccumulablesCut | null {
  if (!startsWith(line, 0, TASK_END_PREFIX)) return null;
  const taskInfo = line.indexOf(TASK_INFO);
  if (taskInfo < 0) return null;
  const found = line.indexOf(ACCUMULABLES, taskInfo);
  if (found < 0) return null;
  const start = found + ACCUMULABLES.length;
  // The first end after the start: an accumulable never holds a key named "Task ...", while a vendor may add
  // one after Task Metrics, so searching from the line's end could take a later `]` and still leave valid JSON.
  const end = line.indexOf(ACCUMULABLES_END, start);
  if (end < 0) return null;
  const list = line.subarray(start, end);
  // Accumulables without the flag (Spark 1.x) cannot be told apart without parsing them.
  if (!list.includes(INTERNAL)) return null;
  if (!list.includes(INTERNAL_FALSE)) return { start, end, kept: NOTHING };
  const text = list.toString('latin1');
  const users = userAccumulators(text);
  if (users === null) return null;
  // Every other accumulable not flagged internal is a SQL metric: only the vendor ones among them are kept.
  // A user accumulator named like a vendor metric is one accumulable, found both ways.
  const userStarts = new Set(users.map((user) => user.at));
  const vendor = VENDOR_METRIC_NAME.test(text)
    ? [...text.matchAll(VENDOR_ACCUMULABLES)].filter((match) => !userStarts.has(match.index)).map((match) => ({ at: match.index, text: match[0] }))
    : [];
  const kept = [...users, ...vendor].sort((a, b) => a.at - b.at);
  return { start, end, kept: kept.length === 0 ? NOTHING : Buffer.from(kept.map((accumulable) => accumulable.text).join(','), 'latin1') };
}

/**
 * The user accumulators of an accumulables array's text, each whole with where it starts, or null when one of them is
 * not read whole by the object pattern (a value that is an object, say). Each is found from its marker back to the
 * object's start: matching the object pattern at every accumulable took four fifths of the pass on a Photon-like log
 * (hundreds of SQL metrics per line) with a counter in every task.
 */
function userAccumulators(text: string): Array<{ at: number; text: string }> | null {
  const found: Array<{ at: number; text: string }> = [];
  for (const marker of text.matchAll(USER_ACCUMULATORS)) {
    // A key's quote inside a JSON string is escaped, so an accumulable's start is never inside a string.
    const at = text.lastIndexOf(ACCUMULABLE_START, marker.index);
    USER_ACCUMULATOR_OBJECT.lastIndex = at;
    const object = at < 0 ? null : USER_ACCUMULATOR_OBJECT.exec(text);
    if (object === null || at + object[0].length <= marker.index) return null;
    found.push({ at, text: object[0] });
  }
  return found;
}

/**
 * Reads a part's decoded bytes a chunk at a time. A plain file is read into two buffers in turn, the next read
 * running while the current chunk is handled; a gzip part is inflated as a stream.
 */
interface ChunkReader {
  /** The next chunk (valid until the next call), or null at the end. */
  next(): Promise<Buffer | null>;
  close(): Promise<void>;
}

async function plainReader(path: string, chunkBytes: number): Promise<ChunkReader> {
  const file = await open(path, 'r');
  const buffers = [Buffer.allocUnsafe(chunkBytes), Buffer.allocUnsafe(chunkBytes)];
  let turn = 0;
  const read = (buffer: Buffer): Promise<Buffer | null> =>
    file.read(buffer, 0, buffer.length, null).then(({ bytesRead }) => (bytesRead === 0 ? null : buffer.subarray(0, bytesRead)));
  let ahead = read(buffers[0]!);
  return {
    async next() {
      const chunk = await ahead;
      turn = 1 - turn;
      ahead = chunk === null ? Promise.resolve(null) : read(buffers[turn]!);
      return chunk;
    },
    async close() {
      await ahead.catch(() => null);
      await file.close();
    },
  };
}

function decodingReader(path: string, codec: 'gzip' | 'zstd', chunkBytes: number): ChunkReader {
  const stream: Readable = openDecodedStream(path, codec);
  const pieces = (stream as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  return {
    async next() {
      const gathered: Buffer[] = [];
      let bytes = 0;
      while (bytes < chunkBytes) {
        const { value, done } = await pieces.next();
        if (done) break;
        gathered.push(value);
        bytes += value.length;
      }
      return bytes === 0 ? null : Buffer.concat(gathered, bytes);
    },
    async close() {
      stream.destroy();
    },
  };
}

/** Adds the whole lines of `buffer` from `from`, slimmed, to `pieces`; returns the bytes cut and where the unfinished line starts. */
function slimLines(buffer: Buffer, from: number, pieces: Buffer[]): { cut: number; rest: number } {
  let cut = 0;
  let copiedUpTo = from;
  let position = from;
  for (;;) {
    const end = buffer.indexOf(NEWLINE, position);
    if (end < 0) break;
    if (startsWith(buffer, position, TASK_END_PREFIX)) {
      const accumulables = accumulablesCut(buffer.subarray(position, end));
      if (accumulables !== null) {
        pieces.push(buffer.subarray(copiedUpTo, position + accumulables.start));
        if (accumulables.kept.length > 0) pieces.push(accumulables.kept);
        copiedUpTo = position + accumulables.end;
        cut += accumulables.end - accumulables.start - accumulables.kept.length;
      }
    }
    position = end + 1;
  }
  if (position > copiedUpTo) pieces.push(buffer.subarray(copiedUpTo, position));
  return { cut, rest: position };
}

/**
 * `part` with, as its pieces, a copy of it (decoded) without the task-end accumulables the store does not keep,
 * written in pieces named from `piecePrefix`; or null, leaving nothing, when the part is small or the cut would
 * save too little to pay for the copy.
 */
async function slimPart(part: DuckDbInput, piecePrefix: string, options: SlimmingOptions): Promise<DuckDbInput | null> {
  // A plain part's size is known: one too small to pay for a copy is not read at all.
  if (part.compression === 'none' && (await stat(part.path)).size < options.minBytes) return null;
  // Judged by reading alone, then copied from its start: most logs are not slimmed, and writing their first 16 MB
  // only to remove it took longer than reading it (holding it instead held a log's long plans, ten of 16 MB: 360 MB).
  if (!(await passOver(part, options, null))) return null;
  const file = new PieceWriter(piecePrefix, options.pieceBytes);
  let kept = false;
  try {
    await passOver(part, options, file);
    const pieces = await file.finish();
    kept = true;
    return { ...part, pieces };
  } finally {
    // Pieces of a copy that is not used are removed.
    if (!kept) await file.abandon();
  }
}

/**
 * One pass over `part`: with no `file`, judges whether the cut pays (the part's first {@link SlimmingOptions.judgedBytes}
 * of whole lines, or all of a smaller part) and writes nothing; with one, writes the slimmed copy to it. True when the
 * cut pays, or once written.
 */
async function passOver(part: DuckDbInput, options: SlimmingOptions, file: PieceWriter | null): Promise<boolean> {
  const reader =
    part.compression === 'none' ? await plainReader(part.path, options.chunkBytes) : decodingReader(part.path, part.compression, options.chunkBytes);
  /** The start of a line the previous chunk ended in the middle of (a copy: chunk buffers are reused). */
  let carry: Buffer | null = null;
  let passingThrough = false;
  let judged = 0;
  let saved = 0;
  const write = async (pieces: Buffer[]): Promise<void> => {
    if (file !== null) await file.write(pieces);
  };
  try {
    for (let chunk = await reader.next(); chunk !== null; chunk = await reader.next()) {
      if (file === null && judged === 0 && chunk.length < Math.min(options.minBytes, options.chunkBytes)) return false;
      const pieces: Buffer[] = [];
      let from = 0;
      let cut = 0;
      const firstEnd = chunk.indexOf(NEWLINE);
      if (passingThrough || carry !== null) {
        // The line the last chunk left unfinished ends here (or not even here).
        if (firstEnd < 0) {
          if (passingThrough || carry!.length + chunk.length > options.longestHeldLine) {
            if (carry !== null) pieces.push(carry);
            pieces.push(chunk);
            carry = null;
            passingThrough = true;
          } else {
            carry = Buffer.concat([carry!, chunk]);
          }
          await write(pieces);
          continue;
        }
        const head = chunk.subarray(0, firstEnd + 1);
        if (passingThrough) pieces.push(head);
        else {
          const line = Buffer.concat([carry!, head]);
          cut += slimLines(line, 0, pieces).cut;
        }
        carry = null;
        passingThrough = false;
        from = firstEnd + 1;
      }
      const slimmed = slimLines(chunk, from, pieces);
      cut += slimmed.cut;
      if (file === null) {
        judged += slimmed.rest;
        saved += cut;
        if (judged >= options.judgedBytes) return saved >= options.share * judged;
      }
      const unfinished = chunk.subarray(slimmed.rest);
      if (unfinished.length > 0) {
        if (mayBeTaskEnd(unfinished)) carry = Buffer.from(unfinished);
        else {
          // Only task ends are cut: every other line (a SQL plan of many MB) streams through as it comes.
          pieces.push(unfinished);
          passingThrough = true;
        }
      }
      // Written before the next read reuses this chunk's buffer (the pieces point into it).
      await write(pieces);
    }
    if (file === null) return judged >= options.minBytes && saved >= options.share * judged;
    // The last line, without a line end: copied as it is (it may be cut off mid-write).
    if (carry !== null) await write([carry]);
    return true;
  } finally {
    await reader.close();
  }
}

/** Lines of a part {@link taskEndsLookWide} reads. */
const LOOKED_AT_LINES = 1000;

/**
 * Whether at least `share` of the first {@link LOOKED_AT_LINES} lines of `part`, read by DuckDB, is task-end
 * accumulables: from where a task end's "Accumulables" start to the key after them. An estimate for deciding whether
 * to decode a compressed part in JavaScript at all (slimming then judges it exactly); lines over 2 MB are passed over.
 */
export async function taskEndsLookWide(connection: DuckDBConnection, part: DuckDbInput, share: number): Promise<boolean> {
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(sum(strlen(json)), 0)::DOUBLE AS bytes, coalesce(sum(CASE WHEN starts_with(json, '${TASK_END_LINE_PREFIX}')
        AND strpos(json, '"Accumulables":[') > 0 THEN greatest(0, coalesce(nullif(strpos(json, '},"Task Executor Metrics"'), 0),
          nullif(strpos(json, '},"Task Metrics"'), 0), strlen(json)) - strpos(json, '"Accumulables":[')) END), 0)::DOUBLE AS accumulables
     FROM (SELECT json FROM ${lineReadSql('$path', compressionOf(part), 2 * 1024 * 1024, 'ignore_errors = true')} LIMIT ${LOOKED_AT_LINES})`,
    { path: part.path },
  );
  const [{ bytes, accumulables }] = reader.getRowObjectsJS() as Array<{ bytes: number; accumulables: number }>;
  return bytes > 0 && accumulables >= share * bytes;
}

/**
 * The parts DuckDB should read for a log: each part given a slimmed copy as its pieces (see
 * {@link accumulablesCut}), written into `tempDir`, where that pays, else the part itself. Line numbers and every
 * line but the cut task ends are unchanged. A compressed part is slimmed only where `worthDecoding` says so (the ingest
 * asks {@link taskEndsLookWide}).
 */
export async function slimTaskEnds(
  parts: readonly DuckDbInput[],
  tempDir: string,
  options: Partial<SlimmingOptions> = {},
  worthDecoding: (part: DuckDbInput, share: number) => Promise<boolean> = async () => false,
): Promise<DuckDbInput[]> {
  const slimmed: DuckDbInput[] = [];
  const settings = { ...DEFAULTS, ...options };
  for (const [index, part] of parts.entries()) {
    try {
      // A compressed part is decoded in JavaScript only where a cheaper look says the cut pays (see taskEndsLookWide):
      // judging a plain Spark log by decoding its first 16 MB raised its peak (zstd: 30-40 MB; gzip: 10-15 MB, and
      // 0.15 s), and our zstd decoder is slower than DuckDB's.
      const slim = part.compression === 'none' || (await worthDecoding(part, settings.share));
      slimmed.push((slim ? await slimPart(part, join(tempDir, `part-${index}-slim`), settings) : null) ?? part);
    } catch (error) {
      // The copy only saves time: whatever stops it (a corrupt gzip stream, a full temp disk) is DuckDB's to
      // meet and report on the part itself, as it would have without the copy.
      logger.debug({ err: error, part: part.path }, 'log part not slimmed; DuckDB reads it as it is');
      slimmed.push(part);
    }
  }
  return slimmed;
}
