import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { applicationCosts, fleetReport } from '../../src/fleet/fleet-service.js';
import { MAX_PRICE, parseMemoryMiBDefault } from '../../src/fleet/cost.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { deleteApplication } from '../../src/store/applications-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const DAY = 86_400_000;
const noPrices = {};
const prices = { COST_PER_CORE_HOUR: 0.05, COST_PER_GB_HOUR: 0.01 };

/** Two 4-core executors held 10 minutes, eight 30 s tasks and one failed 30 s attempt. */
function heldApp(appId: string): SyntheticApp {
  return {
    appId,
    name: 'held',
    sparkProperties: { 'spark.executor.memory': '4g' },
    executors: [{ id: '1', cores: 4, addedAfterMs: 0, removedAfterMs: 600_000 }, { id: '2', cores: 4, addedAfterMs: 0, removedAfterMs: 600_000 }],
    durationMs: 600_000,
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [...Array.from({ length: 8 }, () => ({ durationMs: 30_000 })), { durationMs: 30_000, failure: 'ExceptionFailure', index: 0, attempt: 1 }] }] }],
  };
}

/** A nightly run whose join spills in every run; the n-th run takes n seconds longer. */
function nightly(n: number): SyntheticApp {
  return {
    appId: `app-nightly-${n}`,
    name: 'nightly-etl',
    startTime: 1_700_000_000_000 + n * DAY,
    sparkVersion: n < 3 ? '3.4.1' : '3.5.1',
    sparkProperties: { 'spark.myteam.pipeline': 'revenue' },
    jobs: [{ jobId: 0, stages: [{ stageId: 0, name: 'join at Etl.scala:88', tasks: Array.from({ length: 40 }, () => ({ durationMs: 5_000 + n * 100, memoryBytesSpilled: 400 * MB, diskBytesSpilled: 100 * MB })) }] }],
  };
}

describe('cost and waste', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-cost-'));
    await ingestPaths(db.database, [writeEventLog(dir, heldApp('app-held')), ...[1, 2, 3, 4, 5].map((n) => writeEventLog(dir, nightly(n)))]);
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads Spark memory settings with MiB as the bare unit', () => {
    expect(parseMemoryMiBDefault('4g')).toBe(4 * 1024 * MB);
    expect(parseMemoryMiBDefault('512')).toBe(512 * MB);
    expect(parseMemoryMiBDefault('1536m')).toBe(1536 * MB);
    expect(parseMemoryMiBDefault('lots')).toBeNull();
  });

  it('counts held, used, idle and failed core-hours and memory-GiB-hours, and prices them saying which price', async () => {
    const { prices: used, applications: [app] } = await applicationCosts(db.database, prices, { appKeys: ['app-held'] });
    expect(used.source).toBe('COST_PER_CORE_HOUR=0.05 (server configuration), COST_PER_GB_HOUR=0.01 (server configuration)');
    expect(app).toMatchObject({
      localMode: false,
      executors: 2,
      executorCoreHours: 1.3333, // 2 × 4 cores × 10 min
      driverCoreHours: 0.1667, // spark.driver.cores 1 × 10 min
      allocatedCoreHours: 1.5,
      usedCoreHours: 0.075, // 9 × 30 s
      failedCoreHours: 0.0083,
      idleShare: 0.9438,
      wastedCoreHours: 1.2667,
      wasteShare: 0.95,
      // 2 × (4 GiB + 409.6 MiB overhead) × 10 min + driver (1 GiB + 384 MiB) × 10 min
      memoryGbHours: 1.6958,
      cost: 0.092,
      wastedCost: 0.0773,
    });
  });

  it('answers in resources only, and says so, without prices; a request price wins over configuration', async () => {
    const none = await applicationCosts(db.database, noPrices, { appKeys: ['app-held'] });
    expect(none.prices.source).toMatch(/^no price set/);
    expect(none.applications[0]!.cost).toBeNull();
    const given = await applicationCosts(db.database, prices, { appKeys: ['app-held'] }, { perCoreHour: 1 });
    expect(given.prices).toMatchObject({ perCoreHour: 1, perGbHour: 0.01 });
    expect(given.prices.source).toContain('pricePerCoreHour=1 (request)');
  });

  it('keeps every share within 0-100% on real logs, local mode included', async () => {
    const report = await ingestPaths(db.database, [
      eventLogPath('apache-spark', 'application_1553914137147_0018'), // YARN, executors added and removed
      eventLogPath('apache-spark', 'app-20161116163331-0000'), // standalone, failed tasks
      eventLogPath('spark4', 'local-1776286786993.zstd'), // local mode: the driver ran the tasks
    ]);
    const keys = report.applications.map((app) => app.appKey);
    const { applications } = await applicationCosts(db.database, prices, { appKeys: keys });
    expect(applications.length).toBe(keys.length);
    for (const app of applications) {
      for (const share of [app.idleShare, app.failedShare, app.wasteShare]) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
      expect(app.wastedCoreHours).toBeLessThanOrEqual((app.localMode ? app.driverCoreHours : app.executorCoreHours) + 1e-4);
      expect(app.allocatedCoreHours).toBeGreaterThanOrEqual(0);
    }
    const local = applications.find((app) => app.appKey === 'local-1776286786993')!;
    expect(local).toMatchObject({ localMode: true, executors: 0, executorCoreHours: 0 });
    expect(local.allocatedCoreHours).toBe(local.driverCoreHours);
  });

  it('fleet: totals equal the sum of the applications, runs form a series, recurring insights are counted', async () => {
    const fleet = await fleetReport(db.database, prices, { name: 'nightly' }, { lastRuns: 20 });
    const { applications } = await applicationCosts(db.database, prices, { name: 'nightly' });
    expect(fleet.totals.applications).toBe(5);
    expect(fleet.totals.allocatedCoreHours).toBeCloseTo(applications.reduce((s, a) => s + a.allocatedCoreHours, 0), 3);
    expect(fleet.totals.cost).toBeCloseTo(applications.reduce((s, a) => s + (a.cost ?? 0), 0), 3);
    expect(fleet.totals.idleShare).toBeGreaterThanOrEqual(0);
    expect(fleet.totals.idleShare).toBeLessThanOrEqual(1);
    expect(fleet.groups).toHaveLength(1);
    const [series] = fleet.groups;
    expect(series!.key).toBe('nightly-etl');
    expect(series!.series.map((run) => run.appKey)).toEqual([1, 2, 3, 4, 5].map((n) => `app-nightly-${n}`));
    const durations = series!.series.map((run) => run.durationMs);
    expect(durations).toEqual([...durations].sort((a, b) => a - b));
    expect(series!.recurringInsights.find((i) => i.type === 'spill')).toMatchObject({
      runs: 5,
      lastRuns: 5,
      text: "spill in stage 'join at Etl.scala:88' in 5 of the last 5 runs",
    });
    const lastThree = await fleetReport(db.database, prices, { name: 'nightly' }, { lastRuns: 3 });
    expect(lastThree.groups[0]!.recurringInsights.find((i) => i.type === 'spill')!.text).toBe("spill in stage 'join at Etl.scala:88' in 3 of the last 3 runs");
  });

  it('fleet: filters by version, user and time, groups by a property, and ranks waste', async () => {
    const v35 = await fleetReport(db.database, noPrices, { sparkVersion: '3.5' });
    expect(v35.groups.flatMap((g) => g.series.map((r) => r.appKey)).filter((k) => k.startsWith('app-nightly'))).toEqual(['app-nightly-3', 'app-nightly-4', 'app-nightly-5']);
    const window = await fleetReport(db.database, noPrices, { from: 1_700_000_000_000 + 2 * DAY, to: 1_700_000_000_000 + 4 * DAY });
    expect(window.totals.applications).toBe(2);
    const byUser = await fleetReport(db.database, noPrices, { user: 'nobody-here' });
    expect(byUser.totals).toMatchObject({ applications: 0, allocatedCoreHours: 0, idleShare: 0 });
    const grouped = await fleetReport(db.database, noPrices, {}, { groupBy: 'spark.myteam.pipeline' });
    expect(grouped.groupedBy).toBe('spark.myteam.pipeline');
    expect(grouped.groups).toEqual([expect.objectContaining({ key: 'revenue', runs: 5 })]);
    const all = await fleetReport(db.database, noPrices, {}, { top: 3 });
    expect(all.topWaste).toHaveLength(3);
    const wasted = all.topWaste.map((a) => a.wastedCoreHours);
    expect(wasted).toEqual([...wasted].sort((a, b) => b - a));
    await expect(fleetReport(db.database, noPrices, { from: 10, to: 5 })).rejects.toThrow(BadInputError);
    await expect(fleetReport(db.database, noPrices, {}, { top: 0 })).rejects.toThrow(/top must be/);
  });
});

describe('resource facts under concurrent questions', () => {
  it('answers many first fleet questions at once with the same numbers', async () => {
    const db = await openTempDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-cost-concurrent-'));
    try {
      await ingestPaths(db.database, [1, 2, 3, 4].map((n) => writeEventLog(dir, nightly(n))));
      const answers = await Promise.all(Array.from({ length: 6 }, () => fleetReport(db.database, prices)));
      for (const answer of answers) expect(answer.totals).toEqual(answers[0]!.totals);
      expect(answers[0]!.totals.applications).toBe(4);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('resource facts kept with the application', () => {
  it('are stored by the ingest, replaced when the application is ingested again and removed with it', async () => {
    const db = await openTempDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-cost-facts-'));
    const factsOf = async (appKey: string): Promise<Array<{ tasks: number; taskMs: number; failedTaskMs: number }>> =>
      (await db.database.query(
        'SELECT tasks::INTEGER AS tasks, taskMs, failedTaskMs FROM app_resource_facts WHERE appKey = $appKey',
        { appKey },
      )) as Array<{ tasks: number; taskMs: number; failedTaskMs: number }>;
    try {
      await ingestPaths(db.database, [writeEventLog(dir, heldApp('app-facts'))]);
      // Nothing asked about cost yet: the ingest computed the facts (eight 30 s tasks and one failed attempt).
      expect(await factsOf('app-facts')).toEqual([{ tasks: 9, taskMs: 270_000, failedTaskMs: 30_000 }]);

      const longer = heldApp('app-facts');
      longer.jobs[0]!.stages[0]!.tasks.push({ durationMs: 60_000 });
      mkdirSync(join(dir, 'again'));
      await ingestPaths(db.database, [writeEventLog(join(dir, 'again'), longer)]);
      expect(await factsOf('app-facts')).toEqual([{ tasks: 10, taskMs: 330_000, failedTaskMs: 30_000 }]);
      const [cost] = (await applicationCosts(db.database, prices, { appKeys: ['app-facts'] })).applications;
      expect(cost?.appKey).toBe('app-facts');

      await deleteApplication(db.database, 'app-facts');
      expect(await factsOf('app-facts')).toEqual([]);
      expect((await applicationCosts(db.database, prices, { appKeys: ['app-facts'] })).applications).toEqual([]);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('configured prices', () => {
  it('are refused at start-up past MAX_PRICE, naming the setting, and taken up to it', () => {
    expect(() => loadConfig({ COST_PER_CORE_HOUR: '1e308' })).toThrow(ConfigError);
    expect(() => loadConfig({ COST_PER_GB_HOUR: '1000001' })).toThrow(/COST_PER_GB_HOUR/);
    expect(loadConfig({ COST_PER_CORE_HOUR: String(MAX_PRICE) }).COST_PER_CORE_HOUR).toBe(MAX_PRICE);
  });
});
