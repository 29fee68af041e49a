import { createReadStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { createDecoder, fileError, type Codec } from './codec.js';

/** Output a stream may produce before the ratio is checked: small files may compress very well without harm. */
const RATIO_GRACE_BYTES = 1024 * 1024;

/** Decompression stopped at a limit: the message names the limit and the setting that raises it. */
export class DecompressionLimitError extends Error {
  override readonly name = 'DecompressionLimitError';

  constructor(
    message: string,
    /** 'size': MAX_DECOMPRESSED_BYTES (PAYLOAD_TOO_LARGE); 'ratio' and 'entries': suspicious input (BAD_USER_INPUT). */
    readonly limit: 'size' | 'ratio' | 'entries',
  ) {
    super(message);
  }
}

/** The limits one upload's decompression must stay within, over all its files. */
export interface DecompressionLimits {
  /** Decompressed bytes, summed over every file of the upload (MAX_DECOMPRESSED_BYTES). */
  maxBytes: number;
  /** Decompressed bytes per compressed byte, per stream, once past RATIO_GRACE_BYTES (MAX_COMPRESSION_RATIO). */
  maxRatio: number;
  /** Entries in a zip archive (MAX_ZIP_ENTRIES). */
  maxZipEntries: number;
}

/**
 * One upload's decompression budget: every decoding stream draws on the same byte total, and each stream
 * is refused as soon as its own output outgrows its input by more than the ratio. Checked per chunk, so a
 * bomb stops after about a megabyte of output, not after filling the disk.
 */
export class DecompressionBudget {
  private used = 0;

  constructor(readonly limits: DecompressionLimits) {}

  /** Bytes decompressed so far, over every stream. */
  get bytesUsed(): number {
    return this.used;
  }

  /** Refuses a zip before extraction when its central directory lists more entries than allowed. */
  checkZipEntries(label: string, entryCount: number): void {
    if (entryCount > this.limits.maxZipEntries) {
      throw new DecompressionLimitError(
        `${label} holds ${entryCount} entries; the limit is ${this.limits.maxZipEntries} (MAX_ZIP_ENTRIES)`,
        'entries',
      );
    }
  }

  /** Counts `bytes` of output against the total and, with `compressedSoFar`, the ratio; throws past either. */
  charge(label: string, bytes: number, outputSoFar: number, compressedSoFar: number): void {
    this.used += bytes;
    if (this.used > this.limits.maxBytes) {
      throw new DecompressionLimitError(
        `${label} decompresses to more than ${this.limits.maxBytes} bytes, the limit (MAX_DECOMPRESSED_BYTES)`,
        'size',
      );
    }
    if (outputSoFar > RATIO_GRACE_BYTES && outputSoFar > this.limits.maxRatio * Math.max(compressedSoFar, 1)) {
      throw new DecompressionLimitError(
        `${label} expands more than ${this.limits.maxRatio} times (${outputSoFar} bytes out of ${compressedSoFar} ` +
          `compressed so far), past the limit (MAX_COMPRESSION_RATIO): refused as a decompression bomb`,
        'ratio',
      );
    }
  }

  /** A pass-through that charges what flows through it; `compressedSoFar` reports the input consumed so far. */
  meter(label: string, compressedSoFar: () => number): Transform {
    let output = 0;
    return new Transform({
      transform: (chunk: Buffer, _encoding, done) => {
        output += chunk.length;
        try {
          this.charge(label, chunk.length, output, compressedSoFar());
          done(null, chunk);
        } catch (error) {
          done(error as Error);
        }
      },
    });
  }

  /**
   * The decoded content of `path`, like openDecodedStream, metered against this budget; errors name it `label`, and
   * `endMayBeCut` is as {@link createDecoder} says.
   */
  openDecoded(path: string, codec: Codec, label: string = path, endMayBeCut = false): Readable {
    const source = createReadStream(path);
    let compressed = 0;
    const decoder = createDecoder(codec, label, endMayBeCut);
    const meter = this.meter(label, () => compressed);
    source.on('data', (chunk: string | Buffer) => {
      compressed += chunk.length;
    });
    source.on('error', (err) => decoder.destroy(fileError(err, label)));
    decoder.on('error', (err) => meter.destroy(err));
    meter.on('close', () => {
      decoder.destroy();
      source.destroy();
    });
    source.pipe(decoder).pipe(meter);
    return meter;
  }
}
