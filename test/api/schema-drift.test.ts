import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { describe, expect, it } from 'vitest';
import config from '../../codegen.js';
import { printApiSchema } from '../../src/api/print-schema.js';

describe('committed schema artifacts', () => {
  it('schema.graphql is the printed schema (run `npm run schema:print` after changing the API)', async () => {
    expect(readFileSync('schema.graphql', 'utf8')).toBe(await printApiSchema());
  });

  it('test/generated holds the typed documents codegen makes today (run `npm run codegen`)', async () => {
    const outputs = (await generate(config, false)) as Array<{ filename: string; content: string }>;
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(output.filename, 'utf8'), output.filename).toBe(output.content);
    }
  });
});
