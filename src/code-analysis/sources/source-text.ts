import { BadInputError } from '../../errors.js';
import { MAX_CODE_FILE_BYTES } from '../limits.js';

/**
 * Turns a code file's bytes into text, or says what is wrong with them: empty, over the size limit, binary
 * (a NUL byte), or not UTF-8. A UTF-8 byte-order mark is dropped.
 */
export function decodeSourceText(fileName: string, bytes: Uint8Array): string {
  if (bytes.length === 0) throw new BadInputError(`${fileName} is empty`);
  if (bytes.length > MAX_CODE_FILE_BYTES) {
    throw new BadInputError(`${fileName} is ${bytes.length} bytes, over the limit of ${MAX_CODE_FILE_BYTES} bytes for code files`);
  }
  const nul = bytes.indexOf(0);
  if (nul !== -1) throw new BadInputError(`${fileName} is binary, not text (a NUL byte at offset ${nul})`);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new BadInputError(`${fileName} is not UTF-8 text: save it as UTF-8`);
  }
}
