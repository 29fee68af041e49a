import type { Codec } from './codec.js';
import { openDecodedStream } from './codec.js';
import { isUtf8 } from 'node:buffer';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { open } from 'node:fs/promises';

/** A line of an event log that is not a JSON object. */
export interface BadLine {
  line: number;
  reason: string;
}

/** What a line-by-line scan of one decoded log part found. */
export interface LineScan {
  /** Lines that are not JSON objects (blank lines excluded), in order. */
  badLines: BadLine[];
  /** Blank lines: harmless, but they shift the numbering of what DuckDB reads. */
  blankLines: number[];
  /** Total lines in the part. */
  lineCount: number;
  /** Lines longer than the scan's limit (also in badLines): a reader must be given a copy without them. */
  oversizedLines: number[];
  /** The last line is not JSON: the writer stopped mid-line (a running app, or a copy taken mid-write). */
  lastLineCutOff: boolean;
}

/**
 * Scans a log part line by line in JavaScript to say exactly which lines are broken and why.
 * This is the slow path, used only after DuckDB has reported a malformed or oversized line; healthy logs
 * never take it. A line longer than `maxLineBytes` is reported as bad without ever being held in memory
 * whole (only its length is counted), so a 200 MB line costs no more memory than a short one.
 */
export async function scanLines(path: string, codec: Codec, maxLineBytes = Number.POSITIVE_INFINITY): Promise<LineScan> {
  const badLines: BadLine[] = [];
  const blankLines: number[] = [];
  const oversizedLines: number[] = [];
  let lineCount = 0;
  for await (const { bytes, length } of linesOf(path, codec, maxLineBytes)) {
    lineCount += 1;
    if (bytes === null) {
      oversizedLines.push(lineCount);
      badLines.push({ line: lineCount, reason: `${formatBytes(length)} long, more than the ${formatBytes(maxLineBytes)} an event may be` });
      continue;
    }
    const text = bytes.toString('utf8').replace(/\r$/, '');
    if (text.trim() === '') blankLines.push(lineCount);
    else {
      // DuckDB refuses bytes that are no UTF-8 text; decoding here would hide them behind U+FFFD.
      const reason = isUtf8(bytes) ? jsonObjectProblem(text) : 'it holds bytes that are not UTF-8 text';
      if (reason) badLines.push({ line: lineCount, reason });
    }
  }
  const lastLineCutOff = badLines.length > 0 && badLines[badLines.length - 1]!.line === lineCount;
  return { badLines, blankLines, oversizedLines, lineCount, lastLineCutOff };
}

/**
 * The first line (1-based) of a decoded log part that `matches`, or null; lines over `maxLineBytes` are passed over.
 * For naming the line behind an error found after the log was read (the slow path).
 */
export async function findFirstLine(
  path: string,
  codec: Codec,
  maxLineBytes: number,
  matches: (line: string) => boolean,
): Promise<number | null> {
  let lineCount = 0;
  for await (const { bytes } of linesOf(path, codec, maxLineBytes)) {
    lineCount += 1;
    if (bytes !== null && matches(bytes.toString('utf8'))) return lineCount;
  }
  return null;
}

/** The text of line `lineNumber` (1-based) of a decoded log part, or null when it has none or is over `maxLineBytes`. */
export async function lineAt(path: string, codec: Codec, lineNumber: number, maxLineBytes: number): Promise<string | null> {
  let lineCount = 0;
  for await (const { bytes } of linesOf(path, codec, maxLineBytes)) {
    lineCount += 1;
    if (lineCount === lineNumber) return bytes === null ? null : bytes.toString('utf8');
  }
  return null;
}

/**
 * Each line of a decoded log part, in order, with its length in bytes: its bytes (without the line end), or null when
 * it is longer than `maxLineBytes`. Past the limit a line is only measured, its bytes dropped as they come, so a
 * 200 MB line costs no more memory than a short one. A last line without a line end counts when it has bytes.
 */
async function* linesOf(path: string, codec: Codec, maxLineBytes: number): AsyncGenerator<{ bytes: Buffer | null; length: number }> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const keep = (piece: Buffer): void => {
    pendingBytes += piece.length;
    if (pendingBytes <= maxLineBytes) pending.push(piece);
    else pending = [];
  };
  const line = (): { bytes: Buffer | null; length: number } => {
    const ended = { bytes: pendingBytes > maxLineBytes ? null : Buffer.concat(pending, pendingBytes), length: pendingBytes };
    pending = [];
    pendingBytes = 0;
    return ended;
  };
  for await (const chunk of openDecodedStream(path, codec) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let newline = chunk.indexOf(10, from); newline !== -1; newline = chunk.indexOf(10, from)) {
      keep(chunk.subarray(from, newline));
      yield line();
      from = newline + 1;
    }
    if (from < chunk.length) keep(chunk.subarray(from));
  }
  if (pendingBytes > 0) yield line();
}

/** Bytes a line may hold and still be blank to DuckDB's JSON readers (which skip such lines): C's isspace. */
const SPACE = 0x20;
const TAB = 0x09;
const VERTICAL_TAB = 0x0b;
const FORM_FEED = 0x0c;
const CR = 0x0d;

/**
 * The blank lines (nothing but spaces, tabs, vertical tabs, form feeds or carriage returns) of a decoded log
 * part, in order. DuckDB's JSON readers skip them without a trace, so rows read are renumbered around them. A
 * byte scan, no parse: most lines are told apart by their first byte.
 */
export async function findBlankLines(path: string, codec: Codec): Promise<number[]> {
  const blankLines: number[] = [];
  let line = 1;
  let blankSoFar = true;
  /** The current line has bytes: a last line without a line end is a line only then. */
  let started = false;
  for await (const chunk of openDecodedStream(path, codec) as AsyncIterable<Buffer>) {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(10, from);
      const end = newline === -1 ? chunk.length : newline;
      started ||= end > from;
      for (let at = from; blankSoFar && at < end; at += 1) {
        const byte = chunk[at];
        blankSoFar = byte === SPACE || byte === TAB || byte === CR || byte === VERTICAL_TAB || byte === FORM_FEED;
      }
      if (newline === -1) break;
      if (blankSoFar) blankLines.push(line);
      line += 1;
      blankSoFar = true;
      started = false;
      from = newline + 1;
    }
  }
  if (started && blankSoFar) blankLines.push(line);
  return blankLines;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${bytes} bytes`;
}

function jsonObjectProblem(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
    return unpairedSurrogateProblem(text);
  } catch (error) {
    return error instanceof Error ? error.message : 'not valid JSON';
  }
}

/** A JSON escape: a \u and its four hex digits (captured), or a backslash and the one character it escapes. */
const JSON_ESCAPE = /\\(?:u([0-9a-fA-F]{4})|[^u])/g;

/**
 * Half of a UTF-16 surrogate pair escaped without the other half (`\ud800` alone): JSON.parse takes it, DuckDB's
 * JSON reader refuses the line ("no low surrogate in string"), so the scan must name it for the line to be skipped.
 */
function unpairedSurrogateProblem(text: string): string | undefined {
  if (!/\\u[dD][89a-fA-F]/.test(text)) return undefined;
  // The escape before when it was a first half, which the second half must follow at once.
  let firstHalf: { escape: string; end: number } | null = null;
  for (const match of text.matchAll(JSON_ESCAPE)) {
    const unit = match[1] === undefined ? null : Number.parseInt(match[1], 16);
    const secondHalf = unit !== null && unit >= 0xdc00 && unit <= 0xdfff;
    if (firstHalf !== null && !(secondHalf && match.index === firstHalf.end)) break;
    if (firstHalf === null && secondHalf) return `it holds ${match[0]}, the second half of a UTF-16 surrogate pair without the first`;
    firstHalf = firstHalf === null && unit !== null && unit >= 0xd800 && unit <= 0xdbff
      ? { escape: match[0], end: match.index + match[0].length }
      : null;
  }
  return firstHalf === null ? undefined : `it holds ${firstHalf.escape}, the first half of a UTF-16 surrogate pair without the second`;
}

/**
 * Writes a decoded copy of a log part to `target` with each of `lines` (1-based) replaced by `{}`, so a
 * reader that cannot skip a line (DuckDB stops at a line over its object size) reads the rest with every
 * line number unchanged. Streams: the replaced lines are never held in memory.
 */
export async function copyWithoutLines(path: string, codec: Codec, lines: readonly number[], target: string): Promise<void> {
  const drop = new Set(lines);
  const out = createWriteStream(target);
  const write = async (piece: Buffer | string): Promise<void> => {
    if (!out.write(piece)) await once(out, 'drain');
  };
  let line = 1;
  for await (const chunk of openDecodedStream(path, codec) as AsyncIterable<Buffer>) {
    let from = 0;
    while (from < chunk.length) {
      const newline = chunk.indexOf(10, from);
      const end = newline === -1 ? chunk.length : newline + 1;
      if (!drop.has(line)) await write(chunk.subarray(from, end));
      if (newline === -1) break;
      if (drop.has(line)) await write('{}\n');
      line += 1;
      from = end;
    }
  }
  out.end();
  await once(out, 'finish');
}

/** A decoded file to read lines from. */
export interface DecodedFile {
  path: string;
  codec: Codec;
}

/**
 * Receives, chunk by chunk, every byte of a file that {@link longLinesStartingWith} does not yield, with a stub (`{}`
 * unless {@link LongLineOptions.stubOf} says otherwise) in place of each line it yields: the file line for line, for a
 * reader that needs none of those lines.
 */
export type OtherLines = (bytes: readonly Buffer[]) => Promise<void>;

/** Options of {@link longLinesStartingWith}. */
export interface LongLineOptions {
  /** Each file's decoded size is added here. */
  decodedBytes?: Map<string, number>;
  /** Where a file's other lines go, if anywhere. */
  otherLinesOf?: (file: DecodedFile) => OtherLines | null;
  /** What those other lines hold in place of a yielded line (default `{}`); null keeps the line itself. */
  stubOf?: (line: LongLine) => Buffer | null;
  /**
   * Hold only a long line's first bytes, at least this many (and at least the minimum length, to know it is long):
   * for a reader that needs a line's head and length, not a 16 MB copy of it. Not with {@link otherLinesOf}, which
   * may need a line whole.
   */
  headBytes?: number;
}

/** A line {@link longLinesStartingWith} yields: its bytes (its head only when asked for) and its length. */
export interface LongLine {
  bytes: Buffer;
  length: number;
}

const NEWLINE = Buffer.from('\n');
const STUB_LINE = Buffer.from('{}');

/**
 * The lines of `files` (read in turn; each ends at a line end) that start with `prefix` and are longer than
 * `minBytes`, in order, each without its line end (a CRLF's carriage return dropped, as DuckDB's line split drops it).
 * Only lines that start with the prefix are held: every other line is passed over once its first bytes tell it
 * apart, so fetching a few long lines again costs a byte search of the file, not a copy of its lines (unless the
 * other lines are asked for).
 */
export async function* longLinesStartingWith(
  files: readonly DecodedFile[],
  prefix: string,
  minBytes: number,
  options: LongLineOptions = {},
): AsyncGenerator<LongLine> {
  const wanted = Buffer.from(prefix);
  if (options.headBytes !== undefined && options.otherLinesOf !== undefined) throw new Error('headBytes leaves no whole line for otherLinesOf');
  const holdAtMost = options.headBytes === undefined ? Infinity : Math.max(options.headBytes, minBytes + 1);
  for (const file of files) {
    const otherLines = options.otherLinesOf?.(file) ?? null;
    // The current line: its first bytes while too few to tell ('start'), then all of it when it starts with the
    // prefix ('held'), or nothing when it does not ('other').
    let state: 'start' | 'held' | 'other' = 'start';
    let held: Buffer[] = [];
    let heldBytes = 0;
    // A held line's length and last byte, when only its head is held.
    let lineBytes = 0;
    let lastByte = -1;
    let out: Buffer[] = [];
    const pass = (...bytes: Buffer[]): void => {
      if (otherLines !== null) out.push(...bytes);
    };
    const take = (bytes: Buffer): void => {
      if (state === 'other') return pass(bytes);
      lineBytes += bytes.length;
      if (bytes.length > 0) lastByte = bytes[bytes.length - 1]!;
      if (state === 'held' && heldBytes >= holdAtMost) return;
      held.push(bytes);
      heldBytes += bytes.length;
      if (state === 'held') return;
      const start = held.length === 1 ? bytes : Buffer.concat(held, heldBytes);
      const known = Math.min(start.length, wanted.length);
      if (!start.subarray(0, known).equals(wanted.subarray(0, known))) {
        pass(...held);
        held = [];
        heldBytes = 0;
        state = 'other';
      } else if (start.length >= wanted.length) {
        state = 'held';
      }
    };
    /** Ends the current line: the line when it is one to yield (its stub passed on), else null (its bytes passed on). */
    const lineEnd = (ending: Buffer | null): LongLine | null => {
      let line: LongLine | null = null;
      const length = lineBytes - (lastByte === CR ? 1 : 0);
      if (state === 'held' && length > minBytes) {
        const bytes = Buffer.concat(held, heldBytes);
        line = { bytes: heldBytes === lineBytes ? bytes.subarray(0, length) : bytes, length };
      }
      // Every line held whole is no longer than the minimum (or is yielded).
      if (line === null) pass(...held);
      else if (otherLines !== null) pass(options.stubOf ? (options.stubOf(line) ?? line.bytes) : STUB_LINE);
      if (ending !== null) pass(ending);
      held = [];
      heldBytes = 0;
      lineBytes = 0;
      lastByte = -1;
      state = 'start';
      return line;
    };
    for await (const chunk of chunksOf(file)) {
      options.decodedBytes?.set(file.path, (options.decodedBytes.get(file.path) ?? 0) + chunk.length);
      let from = 0;
      while (from < chunk.length) {
        const newline = chunk.indexOf(10, from);
        // Most lines start and end within the chunk and are short (task events): passed over without a look.
        if (newline !== -1 && state === 'start' && held.length === 0 && newline - from <= minBytes) {
          pass(chunk.subarray(from, newline + 1));
          from = newline + 1;
          continue;
        }
        take(chunk.subarray(from, newline === -1 ? chunk.length : newline));
        if (newline === -1) break;
        const line = lineEnd(NEWLINE);
        if (line !== null) yield line;
        from = newline + 1;
      }
      if (otherLines !== null && out.length > 0) {
        const chunkOut = out;
        out = [];
        await otherLines(chunkOut);
      }
    }
    const last = lineEnd(null);
    if (otherLines !== null && out.length > 0) await otherLines(out);
    if (last !== null) yield last;
  }
}

/** Bytes of a plain file read at a time by {@link chunksOf}. */
const PLAIN_CHUNK_BYTES = 1024 * 1024;

/**
 * The decoded bytes of `file`, in chunks. A plain file is read straight into fresh buffers: a stream's set-up cost
 * more than the reading of the 1 MB pieces a slimmed log is written in (a pass over 42 of them took 60-90 ms, 15 ms
 * this way).
 */
async function* chunksOf(file: DecodedFile): AsyncGenerator<Buffer> {
  if (file.codec !== 'none') {
    yield* openDecodedStream(file.path, file.codec) as AsyncIterable<Buffer>;
    return;
  }
  const handle = await open(file.path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(PLAIN_CHUNK_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
