import snappyjs from 'snappyjs';
import { FramedDecoder, type DecodeProgress } from './framed-decoder.js';

// snappy-java's SnappyOutputStream, the format of Spark's `snappy` codec: an 8-byte magic, two
// big-endian int32 versions, then chunks of [BE int32 length][raw snappy block]. Not the
// snappy "framing format" (`\xff\x06\0\0sNaPpY`) that other tools write.
const MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const STREAM_HEADER_LENGTH = MAGIC.length + 4 + 4;
/** A chunk length equal to the magic's first 4 bytes starts a concatenated stream, as in SnappyInputStream. */
const MAGIC_HEAD = MAGIC.readInt32BE(0);
/** Spark's snappy blocks are 32 KiB by default; anything past this is a garbage length, not a block. */
const MAX_CHUNK_LENGTH = 64 * 1024 * 1024;

/**
 * Streaming decoder for snappy-java's SnappyOutputStream (Spark's `snappy` codec), including
 * concatenated streams. The format carries no checksum, so only framing damage is detected.
 */
export class SnappyJavaDecoder extends FramedDecoder {
  private headerRead = false;

  /**
   * @param source what is being decoded (usually the file path), for error messages
   * @param endMayBeCut the input is a log still being written (see {@link FramedDecoder})
   */
  constructor(source = 'snappy input', endMayBeCut = false) {
    super('snappy (snappy-java SnappyOutputStream)', source, endMayBeCut);
  }

  protected decode(buf: Buffer, offset: number): DecodeProgress {
    let pos = 0;
    for (;;) {
      if (this.holdsEnough) return { consumed: pos, need: 0 };
      const available = buf.length - pos;
      const at = offset + pos;
      if (!this.headerRead || (available >= 4 && buf.readInt32BE(pos) === MAGIC_HEAD)) {
        if (available < STREAM_HEADER_LENGTH) return { consumed: pos, need: STREAM_HEADER_LENGTH };
        if (buf.compare(MAGIC, 0, MAGIC.length, pos, pos + MAGIC.length) !== 0) {
          throw this.corrupt(`no snappy-java magic (\\x82SNAPPY\\x00) at byte ${at}`);
        }
        this.headerRead = true;
        pos += STREAM_HEADER_LENGTH;
        continue;
      }
      if (available < 4) return { consumed: pos, need: 4 };
      const length = buf.readInt32BE(pos);
      if (length < 0 || length > MAX_CHUNK_LENGTH) {
        throw this.corrupt(`impossible chunk length ${length} at byte ${at}`);
      }
      if (available < 4 + length) return { consumed: pos, need: 4 + length };
      if (length > 0) {
        let block: Uint8Array;
        try {
          block = snappyjs.uncompress(buf.subarray(pos + 4, pos + 4 + length), MAX_CHUNK_LENGTH);
        } catch (err) {
          throw this.corrupt(`bad snappy block at byte ${at} (${(err as Error).message})`);
        }
        this.push(Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength));
      }
      pos += 4 + length;
    }
  }
}
