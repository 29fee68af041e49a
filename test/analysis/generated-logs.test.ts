import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { everyBrokenRule } from '../helpers/insight-invariants.js';
import { randomApplication } from '../helpers/random-log.js';
import { writeEventLog } from '../helpers/synthetic-log.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Seeds of the generated applications (fixed, so a run is repeatable; any seed must pass). */
const SEEDS = Array.from({ length: 40 }, (_, i) => 1_000 + i);

describe('insights on generated logs of random shape', () => {
  let db: TempDatabase;
  let dir: string;
  let insights: InsightRecord[] = [];
  const durations = new Map<string, number | null>();
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-generated-'));
    const report = await ingestPaths(db.database, SEEDS.map((seed) => writeEventLog(dir, randomApplication(seed))));
    expect(report.failures.map((failure) => failure.error.message)).toEqual([]);
    insights = (await insightsByApp(db.database, report.applications.map((app) => app.appKey))).flat();
    const rows = (await db.database.query('SELECT appKey, duration::DOUBLE AS duration FROM v_applications')) as Array<{ appKey: string; duration: number | null }>;
    for (const row of rows) durations.set(row.appKey, row.duration);
  }, 300_000);
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds something to say about most of them', () => {
    expect(new Set(insights.map((insight) => insight.appKey)).size).toBeGreaterThan(SEEDS.length / 2);
  });

  it('keeps every rule of the model on each', () => {
    expect(everyBrokenRule(insights, durations)).toEqual([]);
  });
});
