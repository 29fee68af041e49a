import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { constants as zlibConstants, createGunzip } from 'node:zlib';
import { BadInputError } from '../errors.js';
import { Lz4BlockDecoder } from './lz4-block-stream.js';
import { LzfDecoder } from './lzf-stream.js';
import { SnappyJavaDecoder } from './snappy-java-stream.js';
import { ZstdDecoder } from './zstd-stream.js';

/** How an event-log file is compressed: Spark's four codecs, gzip (Databricks rotation), or none. */
export type Codec = 'none' | 'gzip' | 'zstd' | 'lz4' | 'lzf' | 'snappy';

const IN_PROGRESS_SUFFIX = '.inprogress';
/** Spark renames a compacted rolling part to `<name>.compact`. */
const COMPACTED_SUFFIX = '.compact';

const CODEC_BY_EXTENSION: ReadonlyArray<readonly [string, Codec]> = [
  ['.lz4', 'lz4'],
  ['.lzf', 'lzf'],
  ['.snappy', 'snappy'],
  ['.zstd', 'zstd'],
  ['.zst', 'zstd'],
  ['.gz', 'gzip'],
];

/** Strips Spark's `.compact` and `.inprogress` markers, in the order Spark appends them. */
function stripStateSuffixes(name: string): string {
  let stripped = name;
  if (stripped.toLowerCase().endsWith(COMPACTED_SUFFIX)) stripped = stripped.slice(0, -COMPACTED_SUFFIX.length);
  if (stripped.toLowerCase().endsWith(IN_PROGRESS_SUFFIX)) stripped = stripped.slice(0, -IN_PROGRESS_SUFFIX.length);
  return stripped;
}

/** The codec a file name says (`.lz4`, `.lzf`, `.snappy`, `.zstd`/`.zst`, `.gz`), ignoring `.inprogress`/`.compact`; else 'none'. */
export function codecFromFileName(name: string): Codec {
  const lower = stripStateSuffixes(name).toLowerCase();
  for (const [extension, codec] of CODEC_BY_EXTENSION) {
    if (lower.endsWith(extension)) return codec;
  }
  return 'none';
}

/** A log file name without Spark's `.compact`/`.inprogress` markers and codec extension, e.g. `app-1.lz4.inprogress` → `app-1`. */
export function logBaseName(name: string): string {
  const stripped = stripStateSuffixes(name);
  const lower = stripped.toLowerCase();
  for (const [extension] of CODEC_BY_EXTENSION) {
    if (lower.endsWith(extension)) return stripped.slice(0, -extension.length);
  }
  return stripped;
}

/** Whether a file name carries Spark's `.inprogress` marker (the application was still running). */
export function isInProgressName(name: string): boolean {
  let lower = name.toLowerCase();
  if (lower.endsWith(COMPACTED_SUFFIX)) lower = lower.slice(0, -COMPACTED_SUFFIX.length);
  return lower.endsWith(IN_PROGRESS_SUFFIX);
}

/** Whether a file name carries Spark's `.compact` marker (a compacted rolling part). */
export function isCompactedName(name: string): boolean {
  return name.toLowerCase().endsWith(COMPACTED_SUFFIX);
}

/** What the first bytes of a file say it is. */
export type FileContent =
  | { kind: 'empty' }
  | { kind: 'encoded'; codec: Codec | 'zip'; head: Buffer };

/** Bytes read to sniff a file: enough for every magic and for a fair look at text. */
const SNIFF_BYTES = 4096;

const MAGICS: ReadonlyArray<readonly [Codec | 'zip', Buffer]> = [
  ['gzip', Buffer.from([0x1f, 0x8b])],
  ['zstd', Buffer.from([0x28, 0xb5, 0x2f, 0xfd])],
  ['lz4', Buffer.from('LZ4Block', 'latin1')],
  ['snappy', Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])],
  ['zip', Buffer.from([0x50, 0x4b, 0x03, 0x04])],
];

function startsWith(head: Buffer, magic: Buffer): boolean {
  return head.length >= magic.length && head.compare(magic, 0, magic.length, 0, magic.length) === 0;
}

/** A zstd skippable frame (magic 0x184D2A5?, little-endian) may precede the first real frame. */
function isZstdSkippable(head: Buffer): boolean {
  return head.length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18;
}

/** `ZV` then chunk type 0 (stored) or 1 (compressed); the type byte keeps text starting "ZV" from matching. */
function isLzf(head: Buffer): boolean {
  return head.length >= 5 && head[0] === 0x5a && head[1] === 0x56 && (head[2] === 0 || head[2] === 1);
}

/** Text is valid UTF-8 without NULs or control bytes other than tab, newlines, form feed and escape. */
function looksLikeText(head: Buffer): boolean {
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c && byte !== 0x1b) return false;
    if (byte === 0x7f) return false;
  }
  try {
    // stream: true lets the sample end inside a multi-byte character.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Reads the first bytes of `path`; throws BadInputError when it does not exist or is binary but no known codec. */
export async function inspectFile(path: string): Promise<FileContent> {
  let head: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw fileError(err, path);
  }
  if (head.length === 0) return { kind: 'empty' };
  for (const [codec, magic] of MAGICS) {
    if (startsWith(head, magic)) return { kind: 'encoded', codec, head };
  }
  if (isZstdSkippable(head)) return { kind: 'encoded', codec: 'zstd', head };
  if (isLzf(head)) return { kind: 'encoded', codec: 'lzf', head };
  if (looksLikeText(head)) return { kind: 'encoded', codec: 'none', head };
  const firstBytes = [...head.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new BadInputError(
    `${path} is not a Spark event log: it is binary (first bytes ${firstBytes}) but not in any format Spark ` +
      'writes (plain JSON lines, lz4, lzf, snappy, zstd) nor gzip or zip. If another tool compressed it, decompress it first.',
  );
}

/**
 * The codec of `path` by its content (magic bytes), or 'zip' for an archive; 'none' for plain text.
 * Throws BadInputError for a missing or empty file and for binary content that matches no codec.
 */
export async function sniffCodec(path: string): Promise<Codec | 'zip'> {
  const content = await inspectFile(path);
  if (content.kind === 'empty') throw emptyFileError(path);
  return content.codec;
}

/** The error for a 0-byte file. */
export function emptyFileError(path: string): BadInputError {
  return new BadInputError(`${path} is empty (0 bytes): nothing to ingest.`);
}

/** Turns a file-system error on `path` into a BadInputError when it is the user's doing (missing file...). */
export function fileError(err: unknown, path: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new BadInputError(`${path} does not exist.`);
  if (code === 'EISDIR') return new BadInputError(`${path} is a directory where a file was expected.`);
  if (code === 'EACCES' || code === 'EPERM') return new BadInputError(`${path} cannot be read: permission denied.`);
  if (code === 'ELOOP') return new BadInputError(`${path} cannot be read: its symbolic links lead in a loop.`);
  return err instanceof Error ? err : new Error(String(err));
}

/**
 * zlib reports bad data through destroy(err); `_destroy` is the hook that decides what 'error' carries. Where the end
 * may be cut (a log still being written), zlib flushes what it has instead of asking for the rest.
 */
function gunzipDecoder(source: string, endMayBeCut: boolean): Transform {
  const gunzip = createGunzip(endMayBeCut ? { finishFlush: zlibConstants.Z_SYNC_FLUSH } : {});
  const destroy = gunzip._destroy.bind(gunzip);
  gunzip._destroy = (error, callback) => {
    destroy(error, (err) => callback(err ? gzipError(err, source) : err));
  };
  return gunzip;
}

function gzipError(err: Error, source: string): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'Z_BUF_ERROR') {
    return new BadInputError(
      `${source} is truncated: its gzip data ends early (${err.message}). The file was cut short; re-copy it.`,
    );
  }
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new BadInputError(`${source} is corrupt: it is not valid gzip (${err.message}); re-copy the file.`);
  }
  return err;
}

/**
 * How DuckDB's own decoders, which read gzip and zstd parts directly, refuse damaged data: zlib's and zstd's error
 * names after "IO Error: ".
 */
const DUCKDB_DECODE_FAILURE: Readonly<Record<'gzip' | 'zstd', RegExp>> = {
  gzip: /^IO Error: (.*(?:GZIP|gzip stream).*)$/m,
  zstd: /^IO Error: (Unknown frame descriptor|Version not supported|Unsupported frame parameter|Frame requires too much memory for decoding|Data corruption detected|Restored data doesn't match checksum|Header of Literals' block doesn't respect format specification|Dictionary is corrupted|Dictionary mismatch|Src size is incorrect|Error \(generic\))$/m,
};

/**
 * DuckDB's refusal of a gzip or zstd part's data as a BadInputError naming the part, or null when `error` is no such
 * refusal. DuckDB reads these parts itself (the command line does not decode them first) and checks what our zstd
 * decoder passes over: a frame's checksum and declared size. It does not say which part: with several, all are named.
 */
export function duckDbDecodeFailure(error: unknown, parts: ReadonlyArray<{ path: string; codec: Codec; shownAs?: string }>): BadInputError | null {
  const message = error instanceof Error ? error.message : String(error);
  for (const codec of ['gzip', 'zstd'] as const) {
    const found = DUCKDB_DECODE_FAILURE[codec].exec(message);
    const suspects = parts.filter((part) => part.codec === codec);
    if (!found || suspects.length === 0) continue;
    // DuckDB names the file in some of its messages: the user's file is named by its own name instead.
    const detail = suspects.reduce((text, part) => text.replaceAll(`: ${part.path}`, ''), found[1]!);
    const names = suspects.map((part) => part.shownAs ?? basename(part.path));
    return new BadInputError(
      names.length === 1
        ? `${names[0]} is corrupt: its ${codec} data does not decode (${detail}); re-copy the file from the Spark event log directory.`
        : `One of ${names.join(', ')} is corrupt: its ${codec} data does not decode (${detail}); re-copy them from the Spark event log directory.`,
    );
  }
  return null;
}

/**
 * A streaming decoder: compressed bytes in, plain bytes out ('none' passes through).
 * Bad framing fails the stream with a BadInputError naming `source` and saying it is corrupt or truncated; with
 * `endMayBeCut` (a log still being written), input that ends mid-frame ends the output where its last whole block does.
 */
export function createDecoder(codec: Codec, source = `${codec} input`, endMayBeCut = false): Transform {
  switch (codec) {
    case 'none':
      return new PassThrough();
    case 'gzip':
      return gunzipDecoder(source, endMayBeCut);
    case 'zstd':
      return new ZstdDecoder(source, endMayBeCut);
    case 'lz4':
      return new Lz4BlockDecoder(source, endMayBeCut);
    case 'lzf':
      return new LzfDecoder(source, endMayBeCut);
    case 'snappy':
      return new SnappyJavaDecoder(source, endMayBeCut);
  }
}

/**
 * Bytes read from a file at a time. Node's default of 64 KB made a pass over a plain 150 MB log take ~145 ms of
 * stream overhead alone; with 1 MB chunks reading it and finding its line ends takes ~35 ms.
 */
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * The decoded content of the file at `path`, streamed. Errors are BadInputErrors naming the file as `shownAs`
 * (missing, corrupt, truncated) unless the file system itself failed; `endMayBeCut`: see {@link createDecoder}.
 */
export function openDecodedStream(path: string, codec: Codec, shownAs: string = path, endMayBeCut = false): Readable {
  const source = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const decoder = createDecoder(codec, shownAs, endMayBeCut);
  // pipe() forwards data and end but not errors, and the reader may stop early: wire both ways by hand.
  source.on('error', (err) => decoder.destroy(fileError(err, shownAs)));
  decoder.on('close', () => source.destroy());
  source.pipe(decoder);
  return decoder;
}
