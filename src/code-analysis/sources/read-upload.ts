import type { Readable } from 'node:stream';
import { UploadTooLargeError } from '../../ingest/upload-service.js';
import { MAX_CODE_FILE_BYTES } from '../limits.js';

/**
 * Reads an uploaded code file into memory, stopping as soon as it passes `maxBytes` (code files are small; the
 * limit keeps a huge upload from being buffered). Throws UploadTooLargeError naming the file and the limit.
 */
export async function readCodeUpload(fileName: string, stream: Readable, maxBytes: number = MAX_CODE_FILE_BYTES): Promise<Buffer> {
  const tooLarge = (): UploadTooLargeError =>
    new UploadTooLargeError(`${fileName} is larger than the limit of ${maxBytes} bytes for code files`);
  // busboy signals its own (server-wide) size limit with 'limit' and then stops feeding the stream without ending it.
  stream.once('limit', () => stream.destroy(tooLarge()));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    size += buffer.length;
    if (size > maxBytes) {
      stream.destroy();
      throw tooLarge();
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
