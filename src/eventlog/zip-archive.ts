import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname, resolve, sep } from 'node:path';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw } from 'node:zlib';
import yauzl from 'yauzl';
import { BadInputError } from '../errors.js';
import { DecompressionLimitError, type DecompressionBudget } from './decompression-limit.js';

/** How a zip is extracted. */
export interface ZipExtraction {
  /** Meters every entry's inflation (uploads): entries, decompressed bytes and ratio. */
  budget?: DecompressionBudget;
  /** Told of an entry left out (named as in the zip), and why. */
  onSkipped?: (entryName: string, reason: string) => void;
}

/** The longest file name most file systems take, in bytes. */
const MAX_NAME_BYTES = 255;
const STORED = 0;
const DEFLATED = 8;

/**
 * Extracts every entry of `zipPath` that may hold a log into `destDir`, streaming, under its path inside the zip.
 * Each entry is inflated here (so an upload's budget measures the ratio against the compressed bytes read so far) and
 * checked against its size and CRC-32, which yauzl leaves to its caller. A damaged archive is a BadInputError; an
 * entry named twice is read once, from its first entry.
 */
export async function extractZip(zipPath: string, destDir: string, options: ZipExtraction = {}): Promise<void> {
  const { budget, onSkipped } = options;
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  } catch (err) {
    throw new BadInputError(
      `${zipPath} starts like a zip archive but cannot be read (${(err as Error).message}); it may be truncated.`,
    );
  }
  try {
    // The central directory's count is known before any entry is read: a zip of thousands is refused at once.
    budget?.checkZipEntries('the zip archive', zip.entryCount);
    const extracted = new Set<string>();
    for await (const entry of zip.eachEntry()) {
      const segments = entry.fileName.split('/');
      // Directory entries, macOS resource forks and hidden files hold no logs.
      if (entry.fileName.endsWith('/') || segments.some((s) => s.startsWith('.') || s === '__MACOSX')) continue;
      const target = resolve(destDir, ...segments.map(fitFileName));
      if (!target.startsWith(destDir + sep)) {
        throw new BadInputError(`${zipPath} has an entry that points outside the archive (${entry.fileName}).`);
      }
      if (extracted.has(target)) {
        onSkipped?.(entry.fileName, `${basename(zipPath)} holds a second entry named ${entry.fileName}; the first was read, this one skipped.`);
        continue;
      }
      extracted.add(target);
      if (entry.isEncrypted()) {
        throw new BadInputError(`${zipPath} has an encrypted entry (${entry.fileName}): unzip it with its password and give the logs themselves.`);
      }
      if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
        throw new BadInputError(`${entry.fileName} uses zip compression method ${entry.compressionMethod}; only stored and deflate are read.`);
      }
      await mkdir(dirname(target), { recursive: true });
      // yauzl refuses `decompress: false` for a stored entry: it has nothing to inflate.
      const raw = await zip.openReadStreamPromise(entry, entry.compressionMethod === DEFLATED ? { decompress: false } : {});
      let consumed = 0;
      raw.on('data', (chunk: Buffer) => {
        consumed += chunk.length;
      });
      await pipeline([
        raw,
        ...(entry.compressionMethod === DEFLATED ? [createInflateRaw()] : []),
        ...(budget ? [budget.meter(entry.fileName, () => consumed)] : []),
        new EntryCheck(zipPath, entry),
        createWriteStream(target),
      ]);
    }
  } catch (err) {
    if (err instanceof BadInputError || err instanceof DecompressionLimitError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // File-system trouble (disk full...) is ours, not the user's; everything else is a damaged archive.
    if (typeof code === 'string' && !code.startsWith('Z_')) throw err;
    throw new BadInputError(`${zipPath} is a damaged zip archive: ${(err as Error).message}.`);
  } finally {
    zip.close();
  }
}

/**
 * `name` as a file name the file system takes: unchanged up to 255 bytes, else its start, a hash of the whole and its
 * end (where a codec's extension or `.inprogress` is), so two long names stay apart.
 */
function fitFileName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_NAME_BYTES) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const characters = [...name];
  return `${withinBytes(characters, 180).join('')}~${hash}${withinBytes(characters.reverse(), 48).reverse().join('')}`;
}

/** The longest run of `characters`, from the first, that takes at most `bytes` in UTF-8. */
function withinBytes(characters: readonly string[], bytes: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (const character of characters) {
    used += Buffer.byteLength(character);
    if (used > bytes) break;
    kept.push(character);
  }
  return kept;
}

/** Passes an entry's bytes through and fails, naming the entry, when their size or CRC-32 is not the directory's. */
class EntryCheck extends Transform {
  private crc = 0;
  private size = 0;

  constructor(
    private readonly zipPath: string,
    private readonly entry: yauzl.Entry,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const { fileName, uncompressedSize, crc32: expected } = this.entry;
    if (this.size !== uncompressedSize) {
      callback(new BadInputError(`${this.zipPath} is a damaged zip archive: its entry ${fileName} holds ${this.size} bytes, not the ${uncompressedSize} its directory says.`));
    } else if (this.crc !== expected) {
      callback(new BadInputError(`${this.zipPath} is a damaged zip archive: its entry ${fileName} does not match its CRC-32.`));
    } else {
      callback();
    }
  }
}
