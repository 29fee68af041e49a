import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { openDecodedStream } from '../eventlog/codec.js';
import type { DuckDbInput } from '../eventlog/discover.js';
import { VENDOR_TASK_METRICS, vendorAccumulableRegex } from '../model/vendor-metrics.js';

/**
 * Task ends of SQL-heavy logs are mostly their accumulables: Photon and RAPIDS task ends carry hundreds (~25 KB
 * a line), a plain Spark 3 SQL task end about a third of its bytes. From them the store keeps only user
 * accumulators and the vendor metrics of src/model/vendor-metrics.ts, both logged `"Internal":false`; internal
 * task metrics and SQL metrics are dropped (see userAccumulables in the application writer). So a task end's
 * accumulables are cut down to the ones kept before DuckDB reads the line: DuckDB then parses a line a tenth of
 * the size. Lines this cannot be sure of (no "Internal" flags, as in Spark 1.x; a user accumulator; an unusual
 * layout) are copied whole, and DuckDB reads them as before.
 */

const TASK_END_PREFIX = Buffer.from('{"Event":"SparkListenerTaskEnd",');
const TASK_INFO = Buffer.from('"Task Info":{');
const ACCUMULABLES = Buffer.from('"Accumulables":[');
/** Task Info's accumulables end the object, and another "Task ..." key (Executor Metrics or Metrics) follows. */
const ACCUMULABLES_END = Buffer.from(']},"Task ');
const INTERNAL_FALSE = Buffer.from('"Internal":false');
const INTERNAL = Buffer.from('"Internal":');
/** An accumulable that is neither internal nor a SQL metric: a user accumulator (JsonProtocol's key order). */
const USER_ACCUMULATOR = /"Internal":false,"Count Failed Values":(?:true|false)(?:\}|,"Metadata":"(?!sql"))/;
const VENDOR_NAME = new RegExp(
  Object.values(VENDOR_TASK_METRICS)
    .map((metric) => metric.namePart.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|'),
);
const VENDOR_ACCUMULABLES = new RegExp(vendorAccumulableRegex, 'g');
const NEWLINE = 0x0a;

/** Bytes handled at a time: whole lines, so a chunk never splits one (longer lines make a longer chunk). */
const CHUNK_BYTES = 4 * 1024 * 1024;
/** A line longer than this is passed through as it comes rather than held (it is no task end worth cutting). */
const LONGEST_HELD_LINE = 16 * 1024 * 1024;

/** When a copy pays for itself. */
export interface SlimmingThresholds {
  /** A part smaller than this is read by DuckDB as fast as a copy would be. */
  minBytes: number;
  /**
   * The share of bytes the cut must save in the part's first {@link SlimmingThresholds.judgedBytes}: below it,
   * copying costs more than it saves DuckDB (measured: a third saved is a loss, nine tenths a clear gain).
   */
  share: number;
  judgedBytes: number;
}

const WORTHWHILE: SlimmingThresholds = { minBytes: CHUNK_BYTES, share: 0.5, judgedBytes: 16 * 1024 * 1024 };

function startsWith(buffer: Buffer, start: number, prefix: Buffer): boolean {
  if (buffer.length - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i += 1) if (buffer[start + i] !== prefix[i]) return false;
  return true;
}

/** Task Info's accumulables in a task end line, [start, end) of the array's contents, and what of them to keep. */
export interface AccumulablesCut {
  start: number;
  end: number;
  /** The accumulables to leave in the array (vendor metrics), as JSON text; empty to leave none. */
  kept: Buffer;
}

const NOTHING = Buffer.alloc(0);

/**
 * Where a task end line's accumulables the store will not keep sit, or null when the line must be read whole.
 *
 * The cut is exact whenever it leaves valid JSON: a quote after a comma is always structural, so the pattern taken
 * as the array's end is a `]` of the same line, and removing anything but a whole array's contents leaves
 * brackets unbalanced, which DuckDB then reports as a malformed line (the ingest re-reads the log itself).
 */
export function accumulablesCut(line: Buffer): AccumulablesCut | null {
  if (!startsWith(line, 0, TASK_END_PREFIX)) return null;
  const taskInfo = line.indexOf(TASK_INFO);
  if (taskInfo < 0) return null;
  const found = line.indexOf(ACCUMULABLES, taskInfo);
  if (found < 0) return null;
  const start = found + ACCUMULABLES.length;
  // Searched from the end: Task Executor Metrics and Task Metrics are short, the accumulables long.
  const end = line.lastIndexOf(ACCUMULABLES_END);
  if (end < start) return null;
  const list = line.subarray(start, end);
  // Accumulables without the flag (Spark 1.x) cannot be told apart without parsing them.
  if (!list.includes(INTERNAL)) return null;
  if (!list.includes(INTERNAL_FALSE)) return { start, end, kept: NOTHING };
  const text = list.toString('latin1');
  if (USER_ACCUMULATOR.test(text)) return null;
  // Every accumulable not flagged internal is a SQL metric: only the vendor ones among them are kept.
  if (!VENDOR_NAME.test(text)) return { start, end, kept: NOTHING };
  return { start, end, kept: Buffer.from((text.match(VENDOR_ACCUMULABLES) ?? []).join(','), 'latin1') };
}

/** The decoded bytes of a part in chunks of at least CHUNK_BYTES (the last may be shorter). */
async function* chunksOf(part: DuckDbInput): AsyncGenerator<Buffer> {
  const stream: Readable =
    part.compression === 'none'
      ? createReadStream(part.path, { highWaterMark: CHUNK_BYTES })
      : openDecodedStream(part.path, 'gzip');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const piece of stream as AsyncIterable<Buffer>) {
    pending.push(piece);
    pendingBytes += piece.length;
    if (pendingBytes >= CHUNK_BYTES) {
      yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending, pendingBytes);
}

/** The whole lines of `buffer` from `from`, slimmed, as pieces to write; returns them, the bytes cut and where the unfinished line starts. */
function slimLines(buffer: Buffer, from: number): { pieces: Buffer[]; cut: number; rest: number } {
  const pieces: Buffer[] = [];
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
  return { pieces, cut, rest: position };
}

async function writeAll(file: FileHandle, pieces: Buffer[]): Promise<void> {
  if (pieces.length > 0) await file.write(Buffer.concat(pieces));
}

/**
 * A copy of `part` (decoded) without the task-end accumulables the store does not keep, written to `target`;
 * or null, writing nothing, when the part is small or the cut would save too little to pay for the copy.
 */
async function slimPart(part: DuckDbInput, target: string, worthwhile: SlimmingThresholds): Promise<DuckDbInput | null> {
  // zstd is left to DuckDB: its decoder is native, ours (fzstd) is JavaScript and slower than the cut saves.
  if (part.compression === 'zstd') return null;
  const chunks = chunksOf(part);
  let file: FileHandle | null = null;
  let carry: Buffer | null = null;
  let passingThrough = false;
  let judged = 0;
  let saved = 0;
  let decided = false;
  try {
    for await (const chunk of chunks) {
      if (judged === 0 && chunk.length < Math.min(worthwhile.minBytes, CHUNK_BYTES)) return null;
      file ??= await open(target, 'w');
      let from = 0;
      if (passingThrough) {
        const end = chunk.indexOf(NEWLINE);
        await file.write(end < 0 ? chunk : chunk.subarray(0, end + 1));
        if (end < 0) continue;
        passingThrough = false;
        from = end + 1;
      }
      const buffer: Buffer = carry === null ? chunk : Buffer.concat([carry, chunk.subarray(from)]);
      const { pieces, cut, rest } = slimLines(buffer, carry === null ? from : 0);
      if (!decided) {
        judged += rest;
        saved += cut;
        if (judged >= worthwhile.judgedBytes) {
          if (saved < worthwhile.share * judged) return null;
          decided = true;
        }
      }
      const unfinished = buffer.subarray(rest);
      if (unfinished.length > LONGEST_HELD_LINE) {
        pieces.push(unfinished);
        passingThrough = true;
        carry = null;
      } else {
        carry = unfinished.length > 0 ? Buffer.from(unfinished) : null;
      }
      await writeAll(file, pieces);
    }
    if (!decided && (judged < worthwhile.minBytes || saved < worthwhile.share * judged)) return null;
    // The last line, without a line end: copied as it is (it may be cut off mid-write).
    if (carry !== null) await file!.write(carry);
    return { path: target, compression: 'none' };
  } finally {
    await chunks.return(undefined);
    await file?.close();
  }
}

/**
 * The parts DuckDB should read for a log: each part slimmed (see {@link accumulablesCut}) into `tempDir`
 * where that pays, else the part itself. Line numbers and every line but the cut task ends are unchanged.
 */
export async function slimTaskEnds(
  parts: readonly DuckDbInput[],
  tempDir: string,
  worthwhile: SlimmingThresholds = WORTHWHILE,
): Promise<DuckDbInput[]> {
  const slimmed: DuckDbInput[] = [];
  for (const [index, part] of parts.entries()) {
    slimmed.push((await slimPart(part, join(tempDir, `part-${index}-slim.json`), worthwhile)) ?? part);
  }
  return slimmed;
}
