import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PieceWriter } from '../../src/eventlog/pieces.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-pieces-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `text` through a writer in slices of `sliceBytes`, as a stream would hand it over. */
async function writeInSlices(prefix: string, text: string, sliceBytes: number, pieceBytes: number): Promise<string[]> {
  return (await piecesOf(prefix, text, sliceBytes, pieceBytes)).map((piece) => piece.path);
}

async function piecesOf(prefix: string, text: string, sliceBytes: number, pieceBytes: number): Promise<Array<{ path: string; firstLine: number }>> {
  const bytes = Buffer.from(text);
  const writer = new PieceWriter(join(dir, prefix), pieceBytes);
  for (let at = 0; at < bytes.length; at += sliceBytes) await writer.write([bytes.subarray(at, at + sliceBytes)]);
  return writer.finish();
}

describe('pieces of a copy for DuckDB', () => {
  const lines = Array.from({ length: 300 }, (_, i) => `{"Event":"E","n":${i},"pad":"${'x'.repeat(i % 37)}"}`);
  lines[150] = `{"Event":"Long","pad":"${'y'.repeat(5_000)}"}`;
  const text = `${lines.join('\n')}\n`;

  it('holds every byte in order, each piece ending at a line end, a line longer than a piece whole in one', async () => {
    const pieces = await writeInSlices('a', text, 97, 1_024);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.map((piece) => readFileSync(piece, 'utf8')).join('')).toBe(text);
    for (const piece of pieces) {
      const content = readFileSync(piece, 'utf8');
      expect(content.endsWith('\n')).toBe(true);
      // Full once it reaches the size (give or take the slice that took it there): it ends with the line it was in.
      const withoutLast = content.slice(0, content.slice(0, -1).lastIndexOf('\n') + 1);
      expect(withoutLast.length).toBeLessThan(1_024 + 97);
    }
    expect(pieces.filter((piece) => readFileSync(piece, 'utf8').includes(lines[150]!))).toHaveLength(1);
  });

  it("tells each piece's first line in the part, whatever the slices the bytes came in", async () => {
    for (const slice of [1, 97, 4_096, text.length]) {
      const pieces = await piecesOf(`f${slice}`, text, slice, 1_024);
      expect(pieces[0]!.firstLine).toBe(1);
      for (const piece of pieces) {
        const first = readFileSync(piece.path, 'utf8').split('\n')[0];
        expect(first, `slices of ${slice}`).toBe(lines[piece.firstLine - 1]);
      }
    }
  });

  it('splits bytes handed over at once into pieces of about the size, not one piece per write', async () => {
    const pieces = await writeInSlices('e', text, text.length, 1_024);
    expect(pieces.length).toBeGreaterThan(5);
    expect(pieces.map((piece) => readFileSync(piece, 'utf8')).join('')).toBe(text);
    for (const piece of pieces) {
      const content = readFileSync(piece, 'utf8');
      expect(content.endsWith('\n')).toBe(true);
      // Full at its 1,024th byte: only the line that holds that byte follows it.
      expect(content.slice(0, content.slice(0, -1).lastIndexOf('\n') + 1).length).toBeLessThan(1_024);
    }
  });

  it('keeps a last line without a line end, and writes nothing for no bytes', async () => {
    const pieces = await writeInSlices('b', 'one\ntwo', 3, 2);
    expect(pieces.map((piece) => readFileSync(piece, 'utf8'))).toEqual(['one\n', 'two']);
    expect(await writeInSlices('c', '', 10, 10)).toEqual([]);
  });

  it('removes what it wrote when abandoned', async () => {
    const writer = new PieceWriter(join(dir, 'd'), 8);
    await writer.write([Buffer.from('first line\nsecond line\nthird')]);
    await writer.abandon();
    expect(['d-0000.json', 'd-0001.json', 'd-0002.json'].some((name) => existsSync(join(dir, name)))).toBe(false);
  });
});
