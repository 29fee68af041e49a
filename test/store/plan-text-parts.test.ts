import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonStringParts } from '../../src/parse/plan-update-lines.js';
import { removeUnreferencedPlanTexts, writePlanTextInParts } from '../../src/store/plan-texts.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { jsonStringText } from '../helpers/plan-texts.js';

describe('writePlanTextInParts', () => {
  let db: TempDatabase;
  beforeEach(async () => {
    db = await openTempDatabase();
  });
  afterEach(() => db.dispose());

  async function textOf(id: bigint): Promise<string | null> {
    const [row] = await db.database.query('SELECT string_agg(text, \'\' ORDER BY piece) AS text FROM plan_texts WHERE textId = $id', { id });
    return (row?.text as string | null) ?? null;
  }

  it('stores a text written in many parts as one text, its pieces in order', async () => {
    const text = `== Physical Plan ==\n${'+- Filter (name = "café 😀")\t\\\n'.repeat(300)}`;
    const id = await db.database.withConnection((connection) => writePlanTextInParts(connection, jsonStringParts(jsonStringText(text), 100)));
    expect(id).not.toBeNull();
    expect(await textOf(id!)).toBe(text);
  });

  it('refuses a text with a part that is no JSON string, and what it had written goes with the unreferenced texts', async () => {
    const parts = [Buffer.from('a good first part '), Buffer.from('then a lone surrogate \\ud800 in the second')];
    const id = await db.database.withConnection((connection) => writePlanTextInParts(connection, parts));
    expect(id).toBeNull();
    const [written] = await db.database.query('SELECT count(*)::INTEGER AS n FROM plan_texts');
    expect(written!.n).toBeGreaterThan(0);
    await db.database.withConnection((connection) => removeUnreferencedPlanTexts(connection));
    const [left] = await db.database.query('SELECT count(*)::INTEGER AS n FROM plan_texts');
    expect(left!.n).toBe(0);
  });
});
