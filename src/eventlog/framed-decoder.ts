import type { TransformCallback } from 'node:stream';
import { BadInputError } from '../errors.js';
import { PacedDecoder } from './paced-decoder.js';

/** What a framed decoder made of the bytes it was given. */
export interface DecodeProgress {
  /** Bytes fully decoded from the start of the buffer. */
  consumed: number;
  /**
   * Bytes needed, counted from the first unconsumed byte, before the next frame can be decoded; 0 when the decoder
   * stopped because it holds enough for its reader (see {@link PacedDecoder}), to go on once the reader has taken it.
   */
  need: number;
}

/**
 * Base of the decoders for Spark's chunked codecs (lz4-java, snappy-java, ning lzf): it buffers only
 * the frame being read, so memory stays at one block however large the file is.
 */
export abstract class FramedDecoder extends PacedDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private need = 1;
  /** Stream offset of the first unconsumed byte, so errors can say where the damage is. */
  private offset = 0;

  /**
   * @param format codec name used in error messages
   * @param source what is being decoded (usually the file path), used in error messages
   * @param endMayBeCut the input is a log still being written: a frame cut off at its end is left out, not an error
   */
  protected constructor(
    protected readonly format: string,
    protected readonly source: string,
    private readonly endMayBeCut = false,
  ) {
    super();
  }

  /**
   * Decodes, and pushes, every complete frame at the start of `buf` (whose first byte is at stream
   * offset `offset`), stopping early (need 0) once it {@link holdsEnough}. Throws the error of `corrupt()` on bad
   * framing.
   */
  protected abstract decode(buf: Buffer, offset: number): DecodeProgress;

  /** A BadInputError saying the input is damaged, with `detail` saying how and where. */
  protected corrupt(detail: string): BadInputError {
    return new BadInputError(
      `${this.source} is corrupt: ${detail}. It is not valid ${this.format} as Spark writes it; ` +
        're-copy the file from the Spark event log directory.',
    );
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    // Concatenating only once a whole frame is here keeps big frames linear, not quadratic.
    if (this.buffered < this.need) {
      callback();
      return;
    }
    this.decodeBuffered().then(() => callback(), callback);
  }

  /** Decodes the buffered frames, waiting for the reader whenever {@link decode} stops for it. */
  private async decodeBuffered(): Promise<void> {
    for (;;) {
      const buf = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
      const progress = this.decode(buf, this.offset);
      this.offset += progress.consumed;
      this.need = progress.need;
      const rest = buf.subarray(progress.consumed);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.buffered = rest.length;
      if (progress.need > 0) return;
      await this.readerCaughtUp();
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.buffered > 0 && !this.endMayBeCut) {
      callback(
        new BadInputError(
          `${this.source} is truncated: the ${this.format} frame at byte ${this.offset} needs ` +
            `${this.need} bytes but the input ends after ${this.buffered}. The file was cut short ` +
            '(copied partially; a log Spark is still writing is named .inprogress); re-copy it once Spark has closed it.',
        ),
      );
      return;
    }
    callback();
  }
}
