import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';

/** Every insight every detector finds on every shared real log, checked against the rules of the model. */
describe('insights on every shared log', () => {
  let db: TempDatabase;
  let insights: InsightRecord[] = [];
  beforeAll(async () => {
    db = await openTempDatabase();
    const report = await ingestPaths(db.database, [
      eventLogPath('apache-spark'),
      eventLogPath('formats'),
      eventLogPath('spark4'),
      eventLogPath('bench'),
      eventLogPath('broken'),
    ]);
    expect(report.applications.length).toBeGreaterThan(35);
    insights = (await insightsByApp(db.database, report.applications.map((app) => app.appKey))).flat();
  }, 240_000);
  afterAll(() => db.dispose());

  it('never promises a speed-up', () => {
    const promising = insights.flatMap((insight) => promisesIn(insight).map((phrase) => `${insight.appKey} ${insight.id}: "${phrase}"`));
    expect(promising).toEqual([]);
  });

  it('backs every insight with evidence, a confidence, a suggestion with its trade-off and a Spark docs link', () => {
    for (const insight of insights) {
      const where = `${insight.appKey} ${insight.id}`;
      expect(Object.keys(insight.evidence).length, where).toBeGreaterThan(0);
      expect(['HIGH', 'MEDIUM', 'LOW'], where).toContain(insight.confidence);
      expect(insight.suggestion.length, where).toBeGreaterThan(20);
      expect(insight.tradeoffs.length, where).toBeGreaterThan(20);
      expect(insight.sparkDocsRef, where).toMatch(/^https:\/\/spark\.apache\.org\/docs\//);
      expect(insight.impact, where).toBeGreaterThanOrEqual(0);
      expect(insight.impact, where).toBeLessThanOrEqual(1);
      expect(Number(insight.impactMs), where).toBeGreaterThanOrEqual(0);
    }
  });

  it('points only at stages that exist in the application', async () => {
    const dangling = await db.database.query(`
      SELECT i.appKey, i.id FROM insights i
      WHERE i.stageId IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM stages s WHERE s.appKey = i.appKey AND s.stageId = i.stageId
          AND s.attemptId = coalesce(i.stageAttemptId, s.attemptId))`);
    expect(dangling).toEqual([]);
  });
});
