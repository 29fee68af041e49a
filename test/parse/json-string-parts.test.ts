import { describe, expect, it } from 'vitest';
import { jsonStringParts } from '../../src/parse/plan-update-lines.js';
import { jsonStringText } from '../helpers/plan-texts.js';

function partsOf(text: string, size: number): Buffer[] {
  return [...jsonStringParts(jsonStringText(text), size)];
}

/** Each part read as a JSON string of its own (throws where a part is not one). */
function readParts(parts: Buffer[]): string[] {
  return parts.map((part) => JSON.parse(`"${part.toString('utf8')}"`) as string);
}

describe('jsonStringParts', () => {
  it('cuts a long description into parts of about the size asked, each a JSON string that reads back to its share', () => {
    const text = `== Physical Plan ==\n${'+- Project [c#1, "quoted", back\\slash]\n'.repeat(2_000)}`;
    const parts = partsOf(text, 1_000);
    expect(parts.length).toBeGreaterThan(50);
    for (const part of parts.slice(0, -1)) {
      // A cut moves past the size only to the end of the escape or character it falls in.
      expect(part.length).toBeGreaterThanOrEqual(1_000);
      expect(part.length).toBeLessThan(1_006);
    }
    expect(readParts(parts).join('')).toBe(text);
  });

  it('never cuts inside an escape, a UTF-8 character or a surrogate pair written as two escapes', () => {
    const samples = [
      'tab\there "q" \\ / \b\f\r\n end',
      'Überschrift – 日本語のプラン – ✓',
      'emoji 😀 raw, then escaped: ',
    ];
    const escapedPair = Buffer.from('a\\ud83d\\ude00b\\u00e9c');
    for (let size = 1; size <= 8; size += 1) {
      for (const text of samples) expect(readParts(partsOf(text, size)).join('')).toBe(text);
      const parts = [...jsonStringParts(escapedPair, size)];
      expect(readParts(parts).join('')).toBe('a😀béc');
      // The high surrogate's escape always travels with the low one.
      expect(parts.some((part) => part.toString().endsWith('\\ud83d'))).toBe(false);
    }
  });

  it('gives a short text as one part, and nothing for an empty one', () => {
    expect(partsOf('short plan', 1_024).map(String)).toEqual(['short plan']);
    expect(partsOf('', 1_024)).toEqual([]);
  });
});
