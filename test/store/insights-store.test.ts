import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INSIGHT_COLUMNS, insightFields, type Insight } from '../../src/model/insight.js';
import { insightFromRecord, insightsByApp, replaceInsights } from '../../src/store/insights-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';

/** An insight with every field set to a value of its kind, none left at a default. */
const sample: Insight = {
  id: 'spill:stage-3.0',
  type: 'spill',
  title: 'Stage 3 spilled 2.0 GiB to disk',
  description: 'Its tasks spilled.',
  evidence: { stageId: 3, shares: [0.25, 0.5], source: 'task metrics', nested: { ok: true, none: null } },
  confidence: 'MEDIUM',
  severity: 'HIGH',
  suggestion: 'Raise spark.sql.shuffle.partitions.',
  tradeoffs: 'More, smaller tasks.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html',
  jobId: 1,
  stageId: 3,
  stageAttemptId: 0,
  sqlExecutionId: null,
  impact: 0.125,
  impactMs: 4_321,
};

describe('insights table', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await openTempDatabase();
  });
  afterAll(() => db.dispose());

  it('has exactly the model\'s fields as columns, in order, with the model\'s DuckDB types', async () => {
    const columns = (await db.database.query(
      `SELECT column_name AS name, data_type AS type, is_nullable AS nullable FROM information_schema.columns
       WHERE table_name = 'insights' ORDER BY ordinal_position`,
    )) as Array<{ name: string; type: string; nullable: string }>;
    expect(columns.map((c) => c.name)).toEqual(['appKey', ...insightFields]);
    for (const column of columns.slice(1)) {
      const declared = INSIGHT_COLUMNS[column.name as keyof Insight];
      expect(declared.split(' ')[0], column.name).toBe(column.type);
      expect(column.nullable === 'NO', column.name).toBe(/NOT NULL/.test(declared));
    }
  });

  it('declares a column for every field an insight has, and no other', () => {
    expect([...insightFields].sort()).toEqual(Object.keys(sample).sort());
  });

  it('serves every field of the model in the GraphQL Insight type', () => {
    const schema = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    const body = /^type Insight\b[^{]*\{([\s\S]*?)^\}/m.exec(schema)?.[1] ?? '';
    const served = [...body.replace(/"""[\s\S]*?"""/g, '').matchAll(/^\s+(\w+)\s*[:(]/gm)].map((m) => m[1]);
    expect(served.length).toBeGreaterThan(0);
    expect(insightFields.filter((field) => !served.includes(field))).toEqual([]);
  });

  it('stores an insight and reads it back field for field', async () => {
    await db.database.withConnection((connection) => replaceInsights(connection, 'app-roundtrip', [sample]));
    const [[record]] = await insightsByApp(db.database, ['app-roundtrip']);
    expect(insightFromRecord(record!)).toEqual(sample);
  });

  it('replaces an application\'s insights instead of adding to them', async () => {
    const other = { ...sample, id: 'spill:stage-4.0', stageId: 4 };
    await db.database.withConnection((connection) => replaceInsights(connection, 'app-replace', [sample]));
    await db.database.withConnection((connection) => replaceInsights(connection, 'app-replace', [other]));
    const [records] = await insightsByApp(db.database, ['app-replace']);
    expect(records!.map((r) => r.id)).toEqual(['spill:stage-4.0']);
  });
});
