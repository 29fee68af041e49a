import { writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/** A zip entry to write: stored as given, or deflated when `deflate`. */
export interface ZipEntry {
  name: string;
  data: Buffer;
  /** Declared uncompressed size and CRC when `data` is already deflated (a bomb built without inflating it). */
  deflated?: { size: number; crc: number };
}

/** A minimal zip (no zip64): local headers, data, central directory. */
export function buildZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const method = entry.deflated ? 8 : 0;
    const size = entry.deflated?.size ?? entry.data.length;
    const crc = entry.deflated?.crc ?? crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, entry.data);
    centrals.push(central, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/**
 * Writes a zip archive of `entries` (name → content), stored without compression: enough for tests that
 * need a real archive, with no zip tool or library.
 */
export function writeZip(path: string, entries: Record<string, string | Buffer>): void {
  const list = Object.entries(entries).map(([name, content]) => ({ name, data: Buffer.isBuffer(content) ? content : Buffer.from(content) }));
  writeFileSync(path, buildZip(list));
}
