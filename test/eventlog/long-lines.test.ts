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
  // Node reads files 64 KB at a time: the filler puts the third line's start, prefix included, across a chunk's end.
  const filler = `{"Event":"Other","pad":"${'y'.repeat(65_536 - 5 - 30)}"}`;
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

  it('leave out lines no longer than the minimum, and lines that only hold the prefix later on', async () => {
    const path = join(dir, 'mixed.json');
    writeFileSync(path, `${lines.join('\n')}\n{"Event":"Other","x":${JSON.stringify(long('d', 5_000))}}\n`);
    expect(await collect([{ path, codec: 'none' }], prefix, 150_000)).toEqual([lines[3]]);
  });

  it('are read from a compressed part and from several files in turn', async () => {
    const gzip = join(dir, 'log.json.gz');
    writeFileSync(gzip, gzipSync(`${lines.slice(0, 3).join('\n')}\n`));
    const plain = join(dir, 'rest.json');
    writeFileSync(plain, `${lines.slice(3).join('\n')}\n`);
    expect(await collect([{ path: gzip, codec: 'gzip' }, { path: plain, codec: 'none' }], prefix, 1_000)).toEqual([lines[0], lines[3], lines[5]]);
  });
});
