import lz4js from 'lz4js';
import { FramedDecoder, type DecodeProgress } from './framed-decoder.js';
import { xxhash32 } from './xxhash32.js';

// lz4-java's LZ4BlockOutputStream, the format of Spark's `lz4` codec (not the LZ4 frame format):
// each block is "LZ4Block" + token + compressed length + original length + checksum (LE int32s),
// then the raw LZ4 block or the stored bytes.
const MAGIC = Buffer.from('LZ4Block', 'latin1');
const HEADER_LENGTH = MAGIC.length + 1 + 4 + 4 + 4;
const METHOD_RAW = 0x10;
const METHOD_LZ4 = 0x20;
const COMPRESSION_LEVEL_BASE = 10;
/** lz4-java's default seed, which Spark keeps. */
const CHECKSUM_SEED = 0x9747b28c;
/** lz4-java masks the checksum to 28 bits (StreamingXXHash32.asChecksum). */
const CHECKSUM_MASK = 0x0fffffff;

/**
 * Streaming decoder for lz4-java's LZ4BlockOutputStream (Spark's `lz4` codec). Handles LZ4 and
 * stored blocks and concatenated streams, and verifies each block's xxhash32 checksum.
 * A missing end-of-stream block is accepted, as Spark's reader does (an in-progress log has none).
 */
export class Lz4BlockDecoder extends FramedDecoder {
  /**
   * @param source what is being decoded (usually the file path), for error messages
   * @param endMayBeCut the input is a log still being written (see {@link FramedDecoder})
   */
  constructor(source = 'lz4 input', endMayBeCut = false) {
    super('lz4 (lz4-java LZ4BlockOutputStream)', source, endMayBeCut);
  }

  protected decode(buf: Buffer, offset: number): DecodeProgress {
    let pos = 0;
    for (;;) {
      if (this.holdsEnough) return { consumed: pos, need: 0 };
      if (buf.length - pos < HEADER_LENGTH) return { consumed: pos, need: HEADER_LENGTH };
      const at = offset + pos;
      if (buf.compare(MAGIC, 0, MAGIC.length, pos, pos + MAGIC.length) !== 0) {
        throw this.corrupt(`no LZ4Block magic at byte ${at}`);
      }
      const token = buf[pos + MAGIC.length];
      const method = token & 0xf0;
      const maxLength = 1 << (COMPRESSION_LEVEL_BASE + (token & 0x0f));
      const compressedLength = buf.readInt32LE(pos + 9);
      const originalLength = buf.readInt32LE(pos + 13);
      const checksum = buf.readInt32LE(pos + 17);
      // The same sanity checks as lz4-java's LZ4BlockInputStream, so garbage lengths never make us buffer.
      if (
        (method !== METHOD_RAW && method !== METHOD_LZ4) ||
        compressedLength < 0 ||
        originalLength < 0 ||
        originalLength > maxLength ||
        (originalLength === 0) !== (compressedLength === 0) ||
        (method === METHOD_RAW && originalLength !== compressedLength) ||
        compressedLength > originalLength + Math.floor(originalLength / 255) + 16
      ) {
        throw this.corrupt(
          `impossible block header at byte ${at} (token 0x${token.toString(16)}, ` +
            `${compressedLength} compressed / ${originalLength} original bytes)`,
        );
      }
      if (originalLength === 0) {
        // End of one stream; Spark may have appended another after it.
        if (checksum !== 0) throw this.corrupt(`end-of-stream block at byte ${at} has a non-zero checksum`);
        pos += HEADER_LENGTH;
        continue;
      }
      const frameLength = HEADER_LENGTH + compressedLength;
      if (buf.length - pos < frameLength) return { consumed: pos, need: frameLength };
      const body = buf.subarray(pos + HEADER_LENGTH, pos + frameLength);
      let block: Buffer;
      if (method === METHOD_RAW) {
        block = body;
      } else {
        block = Buffer.allocUnsafe(originalLength);
        // lz4js does no bounds checks; a wrong output length or the checksum below catches bad data.
        const written = lz4js.decompressBlock(body, block, 0, compressedLength, 0);
        if (written !== originalLength) {
          throw this.corrupt(`block at byte ${at} decompressed to ${written} bytes, not ${originalLength}`);
        }
      }
      if ((xxhash32(block, 0, originalLength, CHECKSUM_SEED) & CHECKSUM_MASK) !== checksum) {
        throw this.corrupt(`checksum mismatch in the block at byte ${at}`);
      }
      this.push(block);
      pos += frameLength;
    }
  }
}
