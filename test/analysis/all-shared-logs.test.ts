import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceValue } from '../../src/analysis/insight.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { settingsNewerThan } from '../../src/analysis/spark-settings.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';

/** Every percentage written in a text ("12%", "0.4%"). */
const percentages = (text: string): number[] => [...text.matchAll(/(\d+(?:\.\d+)?)\s*%/g)].map((m) => Number(m[1]));

/** Every (path, number) in an evidence tree. */
function numbersIn(value: EvidenceValue, path = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbersIn(v, path ? `${path}.${k}` : k));
  return [];
}

/** Evidence keys that hold a share (0-1) of something. */
const SHARE_KEY = /(share|Share|^gcRatio|\.gcRatio|overheadShareOfTaskTime)$/;

/**
 * Every insight every detector finds on every shared real log (vendors and workloads included), checked against
 * the rules of the model: possible numbers, time compared with time of the same kind, wall-clock impact counted
 * once, failures never silent.
 */
describe('insights on every shared log', () => {
  let db: TempDatabase;
  let insights: InsightRecord[] = [];
  const durations = new Map<string, number | null>();
  beforeAll(async () => {
    db = await openTempDatabase();
    const report = await ingestPaths(db.database, [
      eventLogPath('apache-spark'),
      eventLogPath('formats'),
      eventLogPath('spark4'),
      eventLogPath('bench'),
      eventLogPath('broken'),
      eventLogPath('vendors-and-workloads', 'clusters'),
      eventLogPath('vendors-and-workloads', 'platforms'),
      eventLogPath('vendors-and-workloads', 'workloads'),
    ]);
    expect(report.applications.length).toBeGreaterThan(55);
    // The same application can come from several files (one log in two layouts): read each key once.
    insights = (await insightsByApp(db.database, [...new Set(report.applications.map((app) => app.appKey))])).flat();
    const rows = (await db.database.query('SELECT appKey, duration::DOUBLE AS duration FROM v_applications')) as Array<{ appKey: string; duration: number | null }>;
    for (const row of rows) durations.set(row.appKey, row.duration);
  }, 480_000);
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
    }
  });

  it('states no share or percentage outside 0-100%', () => {
    const impossible: string[] = [];
    for (const insight of insights) {
      const where = `${insight.appKey} ${insight.id}`;
      for (const p of percentages(`${insight.title}\n${insight.description}`)) if (p > 100) impossible.push(`${where}: ${p}% in text`);
      for (const [path, n] of numbersIn(insight.evidence)) {
        if (SHARE_KEY.test(path) && (n < 0 || n > 1)) impossible.push(`${where}: evidence ${path} = ${n}`);
      }
    }
    expect(impossible).toEqual([]);
  });

  it('compares per-task times with task time, never with a shorter window', () => {
    const wrong: string[] = [];
    for (const insight of insights) {
      const e = insight.evidence as Record<string, EvidenceValue>;
      const within = (part: string, whole: string): void => {
        if (typeof e[part] === 'number' && typeof e[whole] === 'number' && (e[part] as number) > (e[whole] as number) + 1e-6) {
          wrong.push(`${insight.appKey} ${insight.id}: ${part} ${e[part]} > ${whole} ${e[whole]}`);
        }
      };
      within('gcTimeMs', 'taskTimeMs');
      within('schedulerDelayMs', 'taskTimeMs');
      within('overheadMs', 'stageTaskTimeMs');
      within('lostTaskTimeMs', 'applicationTaskTimeMs');
    }
    expect(wrong).toEqual([]);
  });

  it('keeps impact in [0, 1], and claims no more wall-clock than the run had, each moment once', () => {
    const over: string[] = [];
    const claimed = new Map<string, number>();
    for (const insight of insights) {
      const where = `${insight.appKey} ${insight.id}`;
      expect(insight.impact, where).toBeGreaterThanOrEqual(0);
      expect(insight.impact, where).toBeLessThanOrEqual(1);
      expect(Number(insight.impactMs), where).toBeGreaterThanOrEqual(0);
      if (typeof insight.evidence['wallClockClaimMs'] === 'number') {
        claimed.set(insight.appKey, (claimed.get(insight.appKey) ?? 0) + Number(insight.impactMs));
      }
    }
    for (const [appKey, ms] of claimed) {
      const duration = durations.get(appKey);
      // Several copies of one application (the same log in two layouts) share an appKey only once each.
      if (duration !== null && duration !== undefined && ms > duration + 1) over.push(`${appKey}: ${ms} ms claimed of ${duration} ms`);
    }
    expect(over).toEqual([]);
  });

  it('writes every evidence number as a finite JSON number the API can return', () => {
    for (const insight of insights) {
      for (const [path, n] of numbersIn(insight.evidence)) expect(Number.isFinite(n), `${insight.appKey} ${insight.id} ${path}`).toBe(true);
      expect(JSON.parse(JSON.stringify(insight.evidence)), insight.id).toEqual(insight.evidence);
    }
  });

  it('reports every application that failed a job or stage, lost an executor or shuffle data, or resubmitted a stage', async () => {
    const failing = (await db.database.query(`
      SELECT a.appKey FROM v_applications a WHERE
        EXISTS (SELECT 1 FROM jobs j WHERE j.appKey = a.appKey AND j.status = 'FAILED'
          AND NOT regexp_matches(coalesce(j.failureReason, ''), '(?i)cancell?ed|SparkContext was shut down'))
        OR EXISTS (SELECT 1 FROM stages s WHERE s.appKey = a.appKey AND s.status = 'FAILED')
        OR EXISTS (SELECT 1 FROM tasks t WHERE t.appKey = a.appKey AND t.endReason IN ('ExecutorLostFailure', 'FetchFailed', 'Resubmitted'))
        OR EXISTS (SELECT 1 FROM stages s WHERE s.appKey = a.appKey AND s.attemptId > 0 AND s.status <> 'SKIPPED')`)) as Array<{ appKey: string }>;
    const reported = new Set(insights.filter((i) => i.type === 'failures').map((i) => i.appKey));
    expect(failing.map((f) => f.appKey).filter((appKey) => !reported.has(appKey))).toEqual([]);
  });

  it('states failures, stragglers and idle executors as wall-clock claimed through the apportioning, never task time', () => {
    const wrong: string[] = [];
    for (const insight of insights.filter((i) => ['failures', 'stragglers', 'idle-executors'].includes(i.type))) {
      const basis = String(insight.evidence['impactBasis'] ?? 'wall-clock');
      if (!/^(wall-clock|none)/.test(basis)) wrong.push(`${insight.appKey} ${insight.id}: basis "${basis}"`);
      if (insight.impact > 0 && typeof insight.evidence['wallClockClaimMs'] !== 'number') wrong.push(`${insight.appKey} ${insight.id}: impact without a claim`);
    }
    expect(wrong).toEqual([]);
  });

  it('ranks failures of the application first and explanations after every problem', () => {
    const byApp = new Map<string, InsightRecord[]>();
    for (const insight of insights) byApp.set(insight.appKey, [...(byApp.get(insight.appKey) ?? []), insight]);
    for (const [appKey, ranked] of byApp) {
      const firstExplanation = ranked.findIndex((i) => i.type === 'shuffle-boundary');
      if (firstExplanation >= 0) {
        expect(ranked.slice(firstExplanation).every((i) => i.severity === 'INFO'), appKey).toBe(true);
      }
      const failedJob = ranked.findIndex((i) => /^failures:job-/.test(i.id));
      if (failedJob >= 0) expect(ranked.slice(0, failedJob).every((i) => i.severity === 'CRITICAL'), appKey).toBe(true);
    }
  });

  it('names only settings that exist in the application\'s Spark version', async () => {
    const versions = new Map(((await db.database.query('SELECT appKey, sparkVersion FROM applications')) as Array<{ appKey: string; sparkVersion: string | null }>)
      .map((row) => [row.appKey, row.sparkVersion]));
    const newer = insights.flatMap((insight) =>
      settingsNewerThan([insight.title, insight.description, insight.suggestion, insight.tradeoffs].join('\n'), versions.get(insight.appKey) ?? null)
        .map((name) => `${insight.appKey} (Spark ${versions.get(insight.appKey)}) ${insight.id}: ${name}`));
    expect(newer).toEqual([]);
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
