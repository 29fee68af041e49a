import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { findBlankLines, scanLines } from '../../src/eventlog/line-scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-blank-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('blank lines of a log part', () => {
  const text = '{"a":1}\n\n{"b":2}\r\n \t\r\n\r\n{"c":3}\n   x\n{"d":4}\n\n';

  it('are the lines holding only spaces, tabs or a carriage return, as the line-by-line scan finds them', async () => {
    const plain = join(dir, 'log.json');
    writeFileSync(plain, text);
    expect(await findBlankLines(plain, 'none')).toEqual([2, 4, 5, 9]);
    expect(await findBlankLines(plain, 'none')).toEqual((await scanLines(plain, 'none')).blankLines);
  });

  it('are found in a compressed part too', async () => {
    const gzip = join(dir, 'log.json.gz');
    writeFileSync(gzip, gzipSync(text));
    expect(await findBlankLines(gzip, 'gzip')).toEqual([2, 4, 5, 9]);
  });

  it('include lines of form feeds or vertical tabs, which DuckDB skips as well', async () => {
    const path = join(dir, 'feeds.json');
    writeFileSync(path, '{"a":1}\n\f\n{"b":2}\n \v\t\n{"c":3}\n');
    expect(await findBlankLines(path, 'none')).toEqual([2, 4]);
    expect(await findBlankLines(path, 'none')).toEqual((await scanLines(path, 'none')).blankLines);
  });

  it('include a blank last line without a line end, as the line-by-line scan does', async () => {
    const path = join(dir, 'blank-end.json');
    writeFileSync(path, '{"a":1}\n\n{"b":2}\n  ');
    expect(await findBlankLines(path, 'none')).toEqual([2, 4]);
    expect(await findBlankLines(path, 'none')).toEqual((await scanLines(path, 'none')).blankLines);
  });
});
