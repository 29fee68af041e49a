import type { TransformCallback } from 'node:stream';
import { Decompress, ZstdErrorCode, type ZstdError } from 'fzstd';
import { BadInputError } from '../errors.js';
import { PacedDecoder } from './paced-decoder.js';

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames have magics 0x184D2A50 to 0x184D2A5F. */
const SKIPPABLE_MAGIC = 0x184d2a50;

/** Where {@link nextUnit} is in the zstd format: at a frame's start, among its blocks, or at its checksum. */
interface ZstdPosition {
  expect: 'frame' | 'block' | 'checksum';
  checksum: boolean;
}

/**
 * The length of the next unit at the start of `input`: a frame header, a block (header and payload), a checksum or a
 * skippable frame; 0 when it is not all there yet; all of `input` when it is not zstd, for fzstd to refuse. Moves
 * `position` past it. A block decodes to at most 128 KB, so one unit at a time bounds what is decoded at once.
 */
function nextUnit(input: Buffer, position: ZstdPosition): number {
  if (position.expect === 'checksum') {
    if (input.length < 4) return 0;
    position.expect = 'frame';
    return 4;
  }
  if (position.expect === 'block') {
    if (input.length < 3) return 0;
    const header = input.readUIntLE(0, 3);
    const type = (header >> 1) & 3;
    const length = 3 + (type === 1 ? 1 : header >>> 3);
    if (input.length < length) return 0;
    if ((header & 1) === 1) position.expect = position.checksum ? 'checksum' : 'frame';
    return length;
  }
  if (input.length < 5) return 0;
  const magic = input.readUInt32LE(0);
  if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) return input.length < 8 ? 0 : 8 + input.readUInt32LE(4);
  if (magic !== ZSTD_MAGIC) return input.length;
  const descriptor = input[4]!;
  const singleSegment = (descriptor >> 5) & 1;
  const contentSizeBytes = [singleSegment, 2, 4, 8][descriptor >> 6]!;
  const dictionaryBytes = [0, 1, 2, 4][descriptor & 3]!;
  position.expect = 'block';
  position.checksum = ((descriptor >> 2) & 1) === 1;
  return 5 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
}

/**
 * Streaming zstd decoder over fzstd's `Decompress` (pure JS: Node 20's zlib has no zstd).
 * Handles the several frames Spark writes when it flushes. It hands fzstd one block at a time (see
 * {@link PacedDecoder}): a block of a few bytes can decode to 128 KB, so a 16 MB run of one character is ~1.5 KB of
 * input, and a pass over a zstd log with ten such lines peaked at 500 MB when whole reads were decoded.
 */
export class ZstdDecoder extends PacedDecoder {
  private readonly inner: Decompress;
  private pending: Buffer = Buffer.alloc(0);
  private readonly position: ZstdPosition = { expect: 'frame', checksum: false };

  /**
   * @param source what is being decoded (usually the file path), for error messages
   * @param endMayBeCut the input is a log still being written: its frame may end unfinished, as Spark's continuous
   *   reader allows, and what its whole blocks hold is given out
   */
  constructor(
    private readonly source = 'zstd input',
    private readonly endMayBeCut = false,
  ) {
    super();
    this.inner = new Decompress((data) => {
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.pending = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.decodeUnits().then(() => callback(), callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.endMayBeCut) {
      // Every whole block was given out as it came; what is left is the start of one not written yet.
      callback();
      return;
    }
    try {
      // What is left is an unfinished unit: fzstd names the truncation.
      this.inner.push(this.pending, true);
    } catch (err) {
      callback(this.toBadInput(err as ZstdError));
      return;
    }
    callback();
  }

  private async decodeUnits(): Promise<void> {
    for (let length = nextUnit(this.pending, this.position); length > 0; length = nextUnit(this.pending, this.position)) {
      const unit = this.pending.subarray(0, length);
      this.pending = this.pending.subarray(length);
      try {
        this.inner.push(unit);
      } catch (err) {
        throw this.toBadInput(err as ZstdError);
      }
      if (this.holdsEnough) await this.readerCaughtUp();
    }
  }

  private toBadInput(err: ZstdError): BadInputError {
    if (err.code === ZstdErrorCode.UnexpectedEOF) {
      return new BadInputError(
        `${this.source} is truncated: its zstd data ends in the middle of a frame. The file was cut short ` +
          '(copied partially; a log Spark is still writing is named .inprogress); re-copy it once Spark has closed it.',
      );
    }
    return new BadInputError(
      `${this.source} is corrupt: it is not valid zstd (${err.message}); re-copy the file from the Spark event log directory.`,
    );
  }
}
