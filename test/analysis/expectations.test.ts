import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceValue } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { plain, openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** A hand-reviewed expectation for one shared log: which findings on which stages, and which must not appear. */
interface Expectation {
  log: string[];
  appKey: string;
  review: string;
  present: Array<{ id: string; stageId?: number; severity?: string; rank?: number; evidence?: { [key: string]: EvidenceValue } }>;
  /** Insight types or id prefixes that must not appear. */
  absent: string[];
}

const dir = join(import.meta.dirname, 'expectations');
const expectations = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((file) => ({ file, ...(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Expectation) }));

describe('hand-reviewed expectations per shared log', () => {
  let db: TempDatabase;
  const found = new Map<string, InsightRecord[]>();
  beforeAll(async () => {
    db = await openTempDatabase();
    await ingestPaths(db.database, expectations.map((e) => eventLogPath(...e.log)));
    const groups = await insightsByApp(db.database, expectations.map((e) => e.appKey));
    expectations.forEach((e, i) => found.set(e.appKey, plain(groups[i]!)));
  }, 240_000);
  afterAll(() => db.dispose());

  for (const expectation of expectations) {
    it(`${expectation.file}: ${expectation.review.slice(0, 80)}…`, () => {
      const insights = found.get(expectation.appKey)!;
      const ids = insights.map((i) => i.id);
      for (const want of expectation.present) {
        const insight = insights.find((i) => i.id === want.id);
        expect(insight, `${want.id} missing; found ${ids.join(', ')}`).toBeDefined();
        if (want.stageId !== undefined) expect(Number(insight!.stageId), want.id).toBe(want.stageId);
        if (want.severity !== undefined) expect(insight!.severity, want.id).toBe(want.severity);
        if (want.rank !== undefined) expect(ids.indexOf(want.id), `${want.id} rank in ${ids.join(', ')}`).toBe(want.rank);
        if (want.evidence !== undefined) expect(insight!.evidence, want.id).toMatchObject(want.evidence);
      }
      for (const unwanted of expectation.absent) {
        expect(ids.filter((id) => id === unwanted || id.startsWith(unwanted.endsWith('-') || unwanted.includes(':') ? unwanted : `${unwanted}:`)), unwanted).toEqual([]);
      }
    });
  }
});
