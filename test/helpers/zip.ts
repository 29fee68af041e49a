import { writeFileSync } from 'node:fs';
import { buildZip } from '../security/bombs.js';

/**
 * Writes a zip archive of `entries` (name → content), stored without compression: enough for tests that
 * need a real archive, with no zip tool or library.
 */
export function writeZip(path: string, entries: Record<string, string | Buffer>): void {
  writeFileSync(path, buildZip(Object.entries(entries).map(([name, content]) => ({ name, data: Buffer.isBuffer(content) ? content : Buffer.from(content) }))));
}
