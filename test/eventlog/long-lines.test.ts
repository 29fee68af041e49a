import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { longLinesStartingWith } from '../../src/eventlog/line-scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-long-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(files: Array<{ path: string; codec: 'none' | 'gzip' }>, prefix: string, minBytes: number): Promise<string[]> {
  const found: string[] = [];
  for await (const line of longLinesStartingWith(files, prefix, minBytes)) found.push(line.toString('utf8'));
  return found;
}

describe('long lines that start with a prefix', () => {
  const prefix = '{"Event":"Plan"';
  const long = (tag: string, bytes: number): string => `${prefix},"tag":"${tag}","pad":"${'x'.repeat(bytes)}"}`;
  const filler = `{"Event":"Other","pad":"${'y'.repeat(65_000)}"}`;
  const lines = [
    long('a', 100_000),
    `${prefix},"tag":"short"}`,
    filler,
    long('b', 200_000),
    `{"Event":"Other","pad":"${'z'.repeat(300_000)}"}`,
    long('c', 70_000),
  ];

  it('are found in order, whole, across read chunks, with a CRLF line end dropped and a last line without one', async () => {
    const path = join(dir, 'log.json');
    writeFileSync(path, `${lines.slice(0, 5).join('\n')}\r\n${lines[5]}`);
    expect(await collect([{ path, codec: 'none' }], prefix, 1_000)).toEqual([lines[0], lines[3], lines[5]]);
  });

  it('are told apart when a read ends inside their first bytes', async () => {
    // Plain files are read 1 MB at a time: the wanted line starts k bytes before that, for every k across the prefix.
    const read = 1024 * 1024;
    for (let k = 1; k <= prefix.length + 1; k += 1) {
      const path = join(dir, `boundary-${k}.json`);
      const before = `{"Event":"Other","pad":"${'y'.repeat(read - k - 27)}"}`;
      expect(before.length + 1).toBe(read - k);
      writeFileSync(path, `${before}\n${lines[3]}\n${prefix.slice(0, 5)}\n`);
      expect(await collect([{ path, codec: 'none' }], prefix, 1_000), `k = ${k}`).toEqual([lines[3]]);
    }
  });

  it('leave out lines no longer than the minimum, and lines that only hold the prefix later on', async () => {
    const path = join(dir, 'mixed.json');
    writeFileSync(path, `${lines.join('\n')}\n{"Event":"Other","x":${JSON.stringify(long('d', 5_000))}}\n`);
    expect(await collect([{ path, codec: 'none' }], prefix, 150_000)).toEqual([lines[3]]);
  });

  it('are read from a compressed part (decoded in small chunks, so lines span many) and from several files in turn', async () => {
    const gzip = join(dir, 'log.json.gz');
    writeFileSync(gzip, gzipSync(`${lines.slice(0, 3).join('\n')}\n`));
    const plain = join(dir, 'rest.json');
    writeFileSync(plain, `${lines.slice(3).join('\n')}\n`);
    expect(await collect([{ path: gzip, codec: 'gzip' }, { path: plain, codec: 'none' }], prefix, 1_000)).toEqual([lines[0], lines[3], lines[5]]);
  });
});
