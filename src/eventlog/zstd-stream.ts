import { Transform, type TransformCallback } from 'node:stream';
import { Decompress, ZstdErrorCode, type ZstdError } from 'fzstd';
import { BadInputError } from '../errors.js';

/**
 * Streaming zstd decoder over fzstd's `Decompress` (pure JS: Node 20's zlib has no zstd).
 * Handles the several frames Spark writes when it flushes.
 */
export class ZstdDecoder extends Transform {
  private readonly inner: Decompress;

  /** @param source what is being decoded (usually the file path), for error messages */
  constructor(private readonly source = 'zstd input') {
    super();
    this.inner = new Decompress((data) => {
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.inner.push(chunk);
    } catch (err) {
      callback(this.toBadInput(err as ZstdError));
      return;
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.inner.push(new Uint8Array(0), true);
    } catch (err) {
      callback(this.toBadInput(err as ZstdError));
      return;
    }
    callback();
  }

  private toBadInput(err: ZstdError): BadInputError {
    if (err.code === ZstdErrorCode.UnexpectedEOF) {
      return new BadInputError(
        `${this.source} is truncated: its zstd data ends in the middle of a frame. The file was cut short ` +
          '(still being written, or copied partially); re-copy it once Spark has closed it.',
      );
    }
    return new BadInputError(
      `${this.source} is corrupt: it is not valid zstd (${err.message}); re-copy the file from the Spark event log directory.`,
    );
  }
}
