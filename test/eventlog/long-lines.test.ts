import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { longLinesStartingWith, type LongLine } from '../../src/eventlog/line-scanner.js';
import { PieceWriter } from '../../src/eventlog/pieces.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-long-lines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collect(files: Array<{ path: string; codec: 'none' | 'gzip' }>, prefix: string, minBytes: number): Promise<string[]> {
  const found: string[] = [];
  for await (const line of longLinesStartingWith(files, prefix, minBytes)) found.push(line.bytes.toString('utf8'));
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

  it('are told by their head and length alone when only heads are held, across read chunks and codecs', async () => {
    const whole = [lines[0]!, lines[3]!, lines[5]!];
    const gzip = join(dir, 'heads.json.gz');
    writeFileSync(gzip, gzipSync(`${lines.slice(0, 3).join('\r\n')}\r\n`));
    const plain = join(dir, 'heads.json');
    // Line 3 (200 KB) spans a 1 MB read.
    writeFileSync(plain, `${'{"Event":"Other"}\n'.repeat(Math.ceil((1024 * 1024 - 150_000) / 18))}${lines.slice(3).join('\n')}\r\n`);
    const found: Array<{ head: string; length: number }> = [];
    for await (const line of longLinesStartingWith([{ path: gzip, codec: 'gzip' }, { path: plain, codec: 'none' }], prefix, 1_000, { headBytes: 40 })) {
      found.push({ head: line.bytes.toString('utf8'), length: line.length });
    }
    expect(found.map((line) => line.length)).toEqual(whole.map((line) => line.length));
    found.forEach((line, i) => {
      expect(whole[i]!.startsWith(line.head)).toBe(true);
      // At least the minimum is held, to know the line is long; past it, nothing more of what is read later (a line
      // within one read is held as read).
      expect(line.head.length).toBeGreaterThan(1_000);
      if (i < 2) expect(line.head.length).toBeLessThan(whole[i]!.length);
    });
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

describe('the other lines of a file with long lines that start with a prefix, as they are read', () => {
  const prefix = '{"Event":"Plan"';
  const long = (tag: string, bytes: number): string => `${prefix},"tag":"${tag}","pad":"${'x'.repeat(bytes)}"}`;

  async function stubbed(
    text: string,
    minBytes: number,
    pieceBytes: number,
    options: { headBytes?: number; stubOf?: (line: LongLine) => Buffer | null } = {},
  ): Promise<{ text: string; firstLines: number[] }> {
    const path = join(dir, 'source.json');
    writeFileSync(path, text);
    const writer = new PieceWriter(join(dir, `stubbed-${pieceBytes}`), pieceBytes);
    const otherLinesOf = () => (bytes: readonly Buffer[]) => writer.write(bytes);
    for await (const line of longLinesStartingWith([{ path, codec: 'none' }], prefix, minBytes, { otherLinesOf, ...options })) expect(line.length).toBeGreaterThan(minBytes);
    const pieces = await writer.finish();
    return { text: pieces.map((piece) => readFileSync(piece.path, 'utf8')).join(''), firstLines: pieces.map((piece) => piece.firstLine) };
  }

  it('keeps every other line as it is, line for line, CRLF ends and a last line without an end included', async () => {
    const lines = [long('a', 5_000), `${prefix},"short":1}`, `{"Event":"Other","pad":"${'z'.repeat(9_000)}"}`, long('b', 2_000), '', 'x'];
    const text = `${lines[0]}\r\n${lines.slice(1).join('\n')}`;
    const expected = `{}\n${lines.slice(1, 3).join('\n')}\n{}\n\nx`;
    expect((await stubbed(text, 1_000, 1024 * 1024)).text).toBe(expected);
    // In small pieces, each piece still starts at a line end and knows its first line.
    const small = await stubbed(text, 1_000, 4_000);
    expect(small.text).toBe(expected);
    expect(small.firstLines).toEqual([1, 4]);
  });

  it('holds what a stub makes of each line in its place, or the line itself', async () => {
    const lines = [long('a', 5_000), `${prefix},"short":1}`, long('keep', 3_000), long('b', 2_000), 'x'];
    const text = `${lines[0]}\r\n${lines.slice(1).join('\n')}\n`;
    const stubOf = (line: LongLine): Buffer | null =>
      line.bytes.includes('"keep"') ? null : Buffer.from(`{"length":${line.length},"head":${JSON.stringify(line.bytes.subarray(0, 20).toString())}}`);
    const made = (length: number, line: string): string => `{"length":${length},"head":${JSON.stringify(line.slice(0, 20))}}`;
    const expected = `${made(lines[0]!.length, lines[0]!)}\n${lines.slice(1, 3).join('\n')}\n${made(lines[3]!.length, lines[3]!)}\nx\n`;
    expect((await stubbed(text, 1_000, 1024 * 1024, { stubOf })).text).toBe(expected);
    // Holding heads only would leave no whole line to keep.
    await expect(stubbed(text, 1_000, 1024 * 1024, { stubOf, headBytes: 40 })).rejects.toThrow(/headBytes/);
  });

  it('stubs a long line whose first bytes straddle the end of a 1 MB read, and ends a stubbed last line without a line end', async () => {
    const read = 1024 * 1024;
    for (const k of [1, 7, prefix.length]) {
      const before = `{"Event":"Other","pad":"${'y'.repeat(read - k - 27)}"}`;
      const result = await stubbed(`${before}\n${long('c', 3_000)}\n${long('d', 3_000)}`, 1_000, 64 * 1024 * 1024);
      expect(result.text, `k = ${k}`).toBe(`${before}\n{}\n{}`);
    }
  });
});
