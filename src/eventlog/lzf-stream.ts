import lzfjs from 'lzfjs';
import { FramedDecoder, type DecodeProgress } from './framed-decoder.js';

// ning compress-lzf's LZFOutputStream, the format of Spark's `lzf` codec: chunks of at most 64 KiB,
// each `ZV` + type + big-endian uint16 lengths. Type 0 is stored: [len] then the bytes; type 1 is
// compressed: [compressed len][original len] then a raw LZF block.
const Z = 0x5a;
const V = 0x56;
const TYPE_STORED = 0;
const TYPE_COMPRESSED = 1;
const STORED_HEADER_LENGTH = 5;
const COMPRESSED_HEADER_LENGTH = 7;

/**
 * Streaming decoder for ning compress-lzf chunks (Spark's `lzf` codec). lzfjs only decodes whole
 * buffers, so it is given one chunk (at most 64 KiB) at a time.
 */
export class LzfDecoder extends FramedDecoder {
  /**
   * @param source what is being decoded (usually the file path), for error messages
   * @param endMayBeCut the input is a log still being written (see {@link FramedDecoder})
   */
  constructor(source = 'lzf input', endMayBeCut = false) {
    super('lzf (ning compress-lzf LZFOutputStream)', source, endMayBeCut);
  }

  protected decode(buf: Buffer, offset: number): DecodeProgress {
    let pos = 0;
    for (;;) {
      if (this.holdsEnough) return { consumed: pos, need: 0 };
      const available = buf.length - pos;
      const at = offset + pos;
      if (available < STORED_HEADER_LENGTH) return { consumed: pos, need: STORED_HEADER_LENGTH };
      if (buf[pos] !== Z || buf[pos + 1] !== V) throw this.corrupt(`no ZV chunk signature at byte ${at}`);
      const type = buf[pos + 2];
      if (type === TYPE_STORED) {
        const frameLength = STORED_HEADER_LENGTH + buf.readUInt16BE(pos + 3);
        if (available < frameLength) return { consumed: pos, need: frameLength };
        this.push(buf.subarray(pos + STORED_HEADER_LENGTH, pos + frameLength));
        pos += frameLength;
      } else if (type === TYPE_COMPRESSED) {
        if (available < COMPRESSED_HEADER_LENGTH) return { consumed: pos, need: COMPRESSED_HEADER_LENGTH };
        const compressedLength = buf.readUInt16BE(pos + 3);
        const originalLength = buf.readUInt16BE(pos + 5);
        const frameLength = COMPRESSED_HEADER_LENGTH + compressedLength;
        if (available < frameLength) return { consumed: pos, need: frameLength };
        if (originalLength > 0) {
          let block: Uint8Array;
          try {
            block = lzfjs.decompress(buf.subarray(pos + COMPRESSED_HEADER_LENGTH, pos + frameLength));
          } catch (err) {
            throw this.corrupt(`bad LZF block at byte ${at} (${(err as Error).message})`);
          }
          if (block.length !== originalLength) {
            throw this.corrupt(`chunk at byte ${at} decompressed to ${block.length} bytes, not ${originalLength}`);
          }
          this.push(Buffer.isBuffer(block) ? block : Buffer.from(block.buffer, block.byteOffset, block.byteLength));
        }
        pos += frameLength;
      } else {
        throw this.corrupt(`unknown chunk type ${type} at byte ${at}`);
      }
    }
  }
}
