import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { crc32, createDeflateRaw } from 'node:zlib';
import { xxhash32 } from '../../src/eventlog/xxhash32.js';
import { buildZip } from '../helpers/zip.js';

const BLOCK = 64 * 1024;

/**
 * One lz4-java block (Spark's lz4 codec) holding 64 KiB of zeros: a 1-byte literal, one long match at
 * offset 1, and the 5 literal bytes LZ4 requires at the end; about 280 bytes for 65,536.
 */
function lz4ZeroFrame(): Buffer {
  const matchLength = BLOCK - 1 - 5;
  const extra = matchLength - 4 - 15;
  const lengthBytes = [...Array(Math.floor(extra / 255)).fill(255), extra % 255];
  const body = Buffer.from([0x1f, 0x00, 0x01, 0x00, ...lengthBytes, 0x50, 0, 0, 0, 0, 0]);
  const header = Buffer.alloc(21);
  header.write('LZ4Block', 0, 'latin1');
  header[8] = 0x20 | 6; // LZ4-compressed, 64 KiB blocks
  header.writeInt32LE(body.length, 9);
  header.writeInt32LE(BLOCK, 13);
  header.writeInt32LE(xxhash32(Buffer.alloc(BLOCK), 0, BLOCK, 0x9747b28c) & 0x0fffffff, 17);
  return Buffer.concat([header, body]);
}

/** Writes an .lz4 event log of zeros about `bytes` long (it decompresses ~230 times larger). */
export async function writeLz4Zeros(path: string, bytes: number): Promise<void> {
  const frame = lz4ZeroFrame();
  const chunk = Buffer.concat(Array(Math.max(1, Math.floor((1024 * 1024) / frame.length))).fill(frame));
  const out = createWriteStream(path);
  for (let written = 0; written < bytes; written += chunk.length) {
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

/** A zip with one entry of `megabytes` MiB of zeros, deflated as it streams (about 1 KB per MiB). */
export async function zipBomb(megabytes: number): Promise<Buffer> {
  const mib = Buffer.alloc(1024 * 1024);
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => parts.push(chunk));
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    crc = crc32(mib, crc);
    if (!deflate.write(mib)) await once(deflate, 'drain');
  }
  deflate.end();
  await once(deflate, 'end');
  return buildZip([{ name: 'eventlog', data: Buffer.concat(parts), deflated: { size: megabytes * mib.length, crc } }]);
}
