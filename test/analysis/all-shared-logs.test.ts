import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsNewerThan } from '../../src/analysis/spark-settings.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { insightsByApp, type InsightRecord } from '../../src/store/insights-store.js';
import { EXCEPTION_MESSAGE_START_CHARS } from '../../src/store/task-exceptions.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import {
  clumsyProse,
  impactsBeyondTheRun,
  impossibleShares,
  promisedSpeedUps,
  timesOutsideTheirWindow,
  unbackedInsights,
  unwritableEvidence,
} from '../helpers/insight-invariants.js';

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

  it("classifies every exception from a summary that agrees with the message History Server shows for it", async () => {
    // The failure detectors read the summary written with the task, not the trace: it must say what the trace says.
    const [row] = (await db.database.query(`
      SELECT count(*)::INTEGER AS exceptions,
        count(*) FILTER (WHERE exception.className IS DISTINCT FROM (endReasonDetail->>'Class Name')
          OR exception.messageStart IS DISTINCT FROM left(errorMessage, ${EXCEPTION_MESSAGE_START_CHARS}))::INTEGER AS mismatched
      FROM v_tasks WHERE endReason = 'ExceptionFailure'`)) as Array<{ exceptions: number; mismatched: number }>;
    expect(row!.exceptions).toBeGreaterThan(0);
    expect(row!.mismatched).toBe(0);
  });

  it('never promises a speed-up', () => {
    expect(promisedSpeedUps(insights)).toEqual([]);
  });

  it('backs every insight with evidence, a confidence, a suggestion with its trade-off and a Spark docs link', () => {
    expect(unbackedInsights(insights)).toEqual([]);
  });

  it('states no share or percentage outside 0-100%', () => {
    expect(impossibleShares(insights)).toEqual([]);
  });

  it('compares per-task times with task time, never with a shorter window', () => {
    expect(timesOutsideTheirWindow(insights)).toEqual([]);
  });

  it('keeps impact in [0, 1], and claims no more wall-clock than the run had, each moment once', () => {
    expect(impactsBeyondTheRun(insights, durations)).toEqual([]);
  });

  it('gives impact only as wall-clock claimed through the apportioning, never as a share of task time', () => {
    const wallClockTypes = new Set(['config-hygiene', 'broadcast-join', 'small-files', 'shuffle-boundary']);
    const wrong: string[] = [];
    for (const insight of insights.filter((i) => wallClockTypes.has(i.type))) {
      const basis = String(insight.evidence['impactBasis'] ?? '');
      if (/application task time/.test(basis)) wrong.push(`${insight.appKey} ${insight.id}: basis "${basis}"`);
      if (insight.impact > 0 && typeof insight.evidence['wallClockClaimMs'] !== 'number') wrong.push(`${insight.appKey} ${insight.id}: impact ${insight.impact} without a claim`);
    }
    expect(wrong).toEqual([]);
  });

  it('writes counts, plurals and short times as a person would', () => {
    expect(clumsyProse(insights)).toEqual([]);
  });

  it('writes every evidence number as a finite JSON number the API can return', () => {
    expect(unwritableEvidence(insights)).toEqual([]);
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
