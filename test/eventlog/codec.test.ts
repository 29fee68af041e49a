import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import xxh32 from 'lz4js/xxh32.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import {
  codecFromFileName,
  createDecoder,
  duckDbDecodeFailure,
  isInProgressName,
  logBaseName,
  openDecodedStream,
  sniffCodec,
  type Codec,
} from '../../src/eventlog/codec.js';
import { xxhash32 } from '../../src/eventlog/xxhash32.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { makeTempDir, sha256OfFile, sha256OfStream } from './helpers.js';
import { writeLz4Zeros } from '../security/bombs.js';

const codecsDir = eventLogPath('formats', 'codecs');
const codecFiles = readdirSync(codecsDir).sort();

/** The original plain log a file of formats/codecs/ was compressed from. */
function originalOf(file: string): string {
  return eventLogPath('apache-spark', logBaseName(file));
}

/** Feeds `data` to a decoder in random-sized pieces (1 byte to 4 KiB) to exercise frames split across chunks. */
function inRandomChunks(data: Buffer, seed: number): Readable {
  let state = seed;
  const pieces: Buffer[] = [];
  for (let pos = 0; pos < data.length; ) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const size = 1 + (state % 4096);
    pieces.push(data.subarray(pos, pos + size));
    pos += size;
  }
  return Readable.from(pieces, { objectMode: false });
}

function decodeBuffer(data: Buffer, codec: Codec, seed = 1): Readable {
  return inRandomChunks(data, seed).pipe(createDecoder(codec));
}

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

describe('codecFromFileName', () => {
  it.each([
    ['app-1.lz4', 'lz4'],
    ['app-1.lzf', 'lzf'],
    ['app-1.snappy', 'snappy'],
    ['app-1.zstd', 'zstd'],
    ['app-1.zst', 'zstd'],
    ['eventlog-2021-06-15--15-00.gz', 'gzip'],
    ['app-1.lz4.inprogress', 'lz4'],
    ['events_3_app-1.zstd.compact', 'zstd'],
    ['local-1430917381535_1', 'none'],
    ['app-1.inprogress', 'none'],
    ['eventlog', 'none'],
  ])('%s → %s', (name, codec) => {
    expect(codecFromFileName(name)).toBe(codec);
  });

  it('strips markers and codec from log names', () => {
    expect(logBaseName('app-1.lz4.inprogress')).toBe('app-1');
    expect(logBaseName('local-1430917381535_1')).toBe('local-1430917381535_1');
    expect(isInProgressName('app-1.snappy.inprogress')).toBe(true);
    expect(isInProgressName('app-1.snappy')).toBe(false);
  });
});

describe('sniffCodec', () => {
  it.each([
    [['formats', 'codecs', 'local-1642039451826.lz4'], 'lz4'],
    [['formats', 'codecs', 'local-1642039451826.lzf'], 'lzf'],
    [['formats', 'codecs', 'local-1642039451826.snappy'], 'snappy'],
    [['formats', 'codecs', 'local-1642039451826.zstd'], 'zstd'],
    [['formats', 'db_sim_eventlog', 'eventlog-2021-06-15--15-00.gz'], 'gzip'],
    [['formats', 'eventLogs-application_1489705648216_1600.zip'], 'zip'],
    [['apache-spark', 'local-1642039451826'], 'none'],
  ])('%j is %s', async (parts, codec) => {
    expect(await sniffCodec(eventLogPath(...parts))).toBe(codec);
  });

  it('rejects a 0-byte file', async () => {
    const path = eventLogPath('broken', 'file_event_log_empty_test');
    await expect(sniffCodec(path)).rejects.toThrow(BadInputError);
    await expect(sniffCodec(path)).rejects.toThrow(`${path} is empty (0 bytes): nothing to ingest`);
  });

  it('rejects binary content that is no known codec', async () => {
    const path = join(tmp.dir, 'random.bin');
    // A leading NUL keeps the random bytes from starting with a real magic by chance.
    await writeFile(path, Buffer.concat([Buffer.from([0]), randomBytes(8191)]));
    await expect(sniffCodec(path)).rejects.toThrow(BadInputError);
    await expect(sniffCodec(path)).rejects.toThrow(/random\.bin is not a Spark event log: it is binary/);
  });

  it('rejects a missing file', async () => {
    await expect(sniffCodec(join(tmp.dir, 'nope'))).rejects.toThrow(/nope does not exist/);
  });
});

describe('xxhash32', () => {
  it('matches the lz4js reference implementation at every tail length', () => {
    const data = randomBytes(1100);
    for (const length of [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 64, 100, 1024]) {
      for (const start of [0, 1, 3]) {
        expect(xxhash32(data, start, length, 0x9747b28c)).toBe(xxh32.hash(0x9747b28c, data, start, length));
      }
    }
  });
});

describe.each(codecFiles)('decoding formats/codecs/%s', (file) => {
  const path = join(codecsDir, file);

  it('streams to the exact bytes of the original, by name and by sniffing', async () => {
    const expected = await sha256OfFile(originalOf(file));
    const named = codecFromFileName(file);
    const sniffed = await sniffCodec(path);
    expect(sniffed).toBe(named);
    expect(await sha256OfStream(openDecodedStream(path, named))).toBe(expected);
    expect(await sha256OfStream(openDecodedStream(path, sniffed as Codec))).toBe(expected);
  });

  it('decodes the same when frames are split across tiny chunks', async () => {
    const expected = await sha256OfFile(originalOf(file));
    const data = await readFile(path);
    expect(await sha256OfStream(decodeBuffer(data, codecFromFileName(file), 7))).toBe(expected);
  });

  it('decodes two concatenated streams as both contents in order', async () => {
    const original = await readFile(originalOf(file));
    const data = await readFile(path);
    const decoded = await Buffer.concat(await decodeBuffer(Buffer.concat([data, data]), codecFromFileName(file)).toArray());
    expect(decoded.equals(Buffer.concat([original, original]))).toBe(true);
  });
});

describe('corrupt and truncated input', () => {
  async function truncatedCopy(file: string, keep: number): Promise<string> {
    const data = await readFile(join(codecsDir, file));
    const path = join(tmp.dir, `truncated-${file}`);
    await writeFile(path, data.subarray(0, keep));
    return path;
  }

  it.each([
    ['local-1642039451826.lz4', 'lz4'],
    ['local-1642039451826.snappy', 'snappy'],
    ['local-1642039451826.lzf', 'lzf'],
    ['local-1642039451826.zstd', 'zstd'],
  ] as const)('a truncated %s fails with an error naming the file', async (file, codec) => {
    const path = await truncatedCopy(file, 20_000);
    const error = await sha256OfStream(openDecodedStream(path, codec)).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/is truncated/);
  });

  it('a truncated gzip fails with a BadInputError too', async () => {
    const data = await readFile(eventLogPath('formats', 'db_sim_eventlog', 'eventlog-2021-06-15--15-00.gz'));
    const path = join(tmp.dir, 'truncated.gz');
    await writeFile(path, data.subarray(0, 10_000));
    const error = await sha256OfStream(openDecodedStream(path, 'gzip')).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toMatch(/truncated\.gz is truncated/);
  });

  it('an lz4 file cut at a block boundary decodes what it holds, as Spark reads an in-progress log', async () => {
    const data = await readFile(join(codecsDir, 'local-1642039451826.lz4'));
    const firstBlock = 21 + data.readInt32LE(9);
    const decoded = Buffer.concat(await decodeBuffer(data.subarray(0, firstBlock), 'lz4').toArray());
    const original = await readFile(originalOf('local-1642039451826.lz4'));
    expect(decoded.equals(original.subarray(0, data.readInt32LE(13)))).toBe(true);
  });

  it('a flipped byte in an lz4 block fails the checksum', async () => {
    const data = Buffer.from(await readFile(join(codecsDir, 'local-1642039451826.lz4')));
    data[100] ^= 0x01;
    await expect(decodeBuffer(data, 'lz4').toArray()).rejects.toThrow(/is corrupt: .*block at byte 0/);
  });

  it('a snappy file with a bad magic is rejected', async () => {
    const data = Buffer.from(await readFile(join(codecsDir, 'local-1642039451826.snappy')));
    data[1] = 0x00;
    await expect(decodeBuffer(data, 'snappy').toArray()).rejects.toThrow(BadInputError);
  });

  it('a missing file fails with a BadInputError', async () => {
    await expect(sha256OfStream(openDecodedStream(join(tmp.dir, 'gone.lz4'), 'lz4'))).rejects.toThrow(
      /gone\.lz4 does not exist/,
    );
  });
});

describe('decoding input that grows thousands of times', () => {
  /** A zstd frame of `prefix`, `runs` blocks each a run of 128 KiB of `byte` (4 bytes apiece), and `suffix`. */
  function zstdRuns(prefix: string, byte: string, runs: number, suffix: string): Buffer {
    const block = (type: number, size: number, last: boolean, body: Buffer): Buffer => {
      const header = (size << 3) | (type << 1) | (last ? 1 : 0);
      return Buffer.concat([Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), body]);
    };
    // No content size, not single-segment, a 2 MiB window: blocks up to 128 KiB. The prefix is stored as it is.
    const frame: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58])];
    for (let at = 0; at < prefix.length; at += 128 * 1024) {
      const raw = Buffer.from(prefix.slice(at, at + 128 * 1024));
      frame.push(block(0, raw.length, false, raw));
    }
    for (let i = 0; i < runs; i += 1) frame.push(block(1, 128 * 1024, false, Buffer.from(byte)));
    frame.push(block(0, suffix.length, true, Buffer.from(suffix)));
    return Buffer.concat(frame);
  }

  /** Reads `stream` slowly, a turn of the event loop per chunk; the most it held decoded at once, and all it gave. */
  async function readSlowly(stream: Readable): Promise<{ mostHeld: number; bytes: number; head: string; tail: string }> {
    let mostHeld = 0;
    let bytes = 0;
    let head = '';
    let tail = Buffer.alloc(0);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      mostHeld = Math.max(mostHeld, stream.readableLength + chunk.length);
      if (bytes === 0) head = chunk.subarray(0, 40).toString('latin1');
      bytes += chunk.length;
      tail = Buffer.concat([tail, chunk]).subarray(-40);
      await new Promise((resolve) => setImmediate(resolve));
    }
    return { mostHeld, bytes, head, tail: tail.toString('latin1') };
  }

  it('holds a few MB of a 100 MB zstd line made of 4-byte blocks, not the line, at the start or after other lines', async () => {
    const line = '{"Event":"Padded","pad":"';
    // Other lines first, stored as they are (as dense as input gets): the reads have grown to their largest.
    const others = Array.from({ length: 3_000 }, (_, i) => `{"Event":"Other","n":${i},"r":"${randomBytes(48).toString('base64')}"}\n`).join('');
    for (const prefix of [line, others + line]) {
      const path = join(tmp.dir, 'runs.zstd');
      await writeFile(path, zstdRuns(prefix, 'x', 800, '"}\n'));
      const read = await readSlowly(openDecodedStream(path, 'zstd'));
      expect(read.bytes).toBe(prefix.length + 800 * 128 * 1024 + 3);
      expect(read.head).toBe(`${prefix}${'x'.repeat(40)}`.slice(0, 40));
      expect(read.tail.endsWith('xx"}\n')).toBe(true);
      expect(read.mostHeld, `${prefix.length} bytes first`).toBeLessThan(16 * 1024 * 1024);
    }
  });

  it('holds a few MB of an lz4 file of zeros', async () => {
    const path = join(tmp.dir, 'zeros.lz4');
    await writeLz4Zeros(path, 400_000);
    const read = await readSlowly(openDecodedStream(path, 'lz4'));
    expect(read.bytes % (64 * 1024)).toBe(0);
    expect(read.bytes).toBeGreaterThan(80 * 1024 * 1024);
    expect(read.mostHeld).toBeLessThan(16 * 1024 * 1024);
  });
});

describe("DuckDB's refusal of a part's compressed data", () => {
  const parts = [
    { path: '/logs/eventlog_v2_app/events_1_app.zstd', codec: 'zstd' as const },
    { path: '/logs/eventlog_v2_app/events_2_app.zstd', codec: 'zstd' as const },
    { path: '/logs/other.gz', codec: 'gzip' as const },
  ];

  it('names every part of the codec DuckDB refused, by file name, since DuckDB does not say which', () => {
    const failure = duckDbDecodeFailure(new Error("IO Error: Restored data doesn't match checksum"), parts);
    expect(failure).toBeInstanceOf(BadInputError);
    expect(failure!.message).toBe(
      "One of events_1_app.zstd, events_2_app.zstd is corrupt: its zstd data does not decode (Restored data doesn't match checksum); " +
        're-copy them from the Spark event log directory.',
    );
  });

  it('keeps the path DuckDB puts in a gzip message out of it', () => {
    expect(duckDbDecodeFailure(new Error('IO Error: Unsupported GZIP compression method: /logs/other.gz'), parts)?.message).toBe(
      'other.gz is corrupt: its gzip data does not decode (Unsupported GZIP compression method); re-copy the file from the Spark event log directory.',
    );
  });

  it('leaves other errors, and a codec no part has, alone', () => {
    expect(duckDbDecodeFailure(new Error('IO Error: No space left on device'), parts)).toBeNull();
    expect(duckDbDecodeFailure(new Error('IO Error: Data corruption detected'), [parts[2]!])).toBeNull();
  });
});
