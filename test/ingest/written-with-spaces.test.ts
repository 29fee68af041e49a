import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { ingestOutcomes, storedRowsOf } from '../helpers/stored-rows.js';

/**
 * A log line as a tool that parses and writes the log again does (Python's json.dumps by default): a space after each
 * colon and comma between values. Text only, so every number keeps its digits.
 */
function withSpaces(line: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i += 1) {
    const character = line[i]!;
    out += character;
    if (inString) {
      if (character === '\\') out += line[++i] ?? '';
      else if (character === '"') inString = false;
    } else if (character === '"') inString = true;
    else if (character === ':' || character === ',') out += ' ';
  }
  return out;
}

describe('a log written again with spaces between keys and values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-spaced-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the spaced lines the test compares', () => {
    expect(withSpaces('{"Event":"X","a":[1,2],"s":"a:b, \\"c\\""}')).toBe('{"Event": "X", "a": [1, 2], "s": "a:b, \\"c\\""}');
  });

  it('ingests to the same rows, event counts and warnings as the log Spark wrote, for every plain shared log', async () => {
    const folder = eventLogPath('apache-spark');
    const names = readdirSync(folder);
    let compared = 0;
    for (const name of names) {
      const spaced = join(dir, name);
      const lines = readFileSync(join(folder, name), 'utf8').split('\n');
      writeFileSync(spaced, lines.map((line) => withSpaces(line)).join('\n'));
      const [asWritten, rewritten] = [await openTempDatabase(), await openTempDatabase()];
      try {
        const original = await ingestPaths(asWritten.database, [join(folder, name)]);
        const report = await ingestPaths(rewritten.database, [spaced]);
        expect(ingestOutcomes(report), name).toEqual(ingestOutcomes(original));
        for (const app of original.applications) {
          expect(await storedRowsOf(rewritten, app.appKey), `${name} ${app.appKey}`).toEqual(await storedRowsOf(asWritten, app.appKey));
          compared += 1;
        }
      } finally {
        asWritten.dispose();
        rewritten.dispose();
      }
    }
    expect(compared).toBe(names.length);
  }, 300_000);
});
