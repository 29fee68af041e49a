import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { gcPressureDetector, gcTier } from '../../src/analysis/detectors/gc-pressure.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp, type SyntheticTask } from '../helpers/synthetic-log.js';

const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));
const fourExecutors = ['1', '2', '3', '4'].map((id) => ({ id, host: `host-${id}`, cores: 4 }));

describe('gc-pressure detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-gc-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insightsOf(appKey: string): Promise<InsightDraft[]> {
    const insights = await db.database.withConnection(async (connection) => gcPressureDetector.detect(await createDetectorContext(connection, appKey)));
    for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    return insights;
  }

  async function detect(appId: string, tasks: SyntheticTask[], extra: Partial<SyntheticApp> = {}): Promise<InsightDraft[]> {
    await ingestPaths(db.database, [writeEventLog(dir, { appId, jobs: [{ jobId: 0, stages: [{ stageId: 2, name: 'map at Job.scala:3', tasks }] }], ...extra })]);
    return insightsOf(appId);
  }

  it('names the tiers: 8% low, 10% moderate, 15% severe, 20% critical', () => {
    expect([0.079, 0.08, 0.1, 0.149, 0.15, 0.2, 0.9].map(gcTier)).toEqual([null, 'low', 'moderate', 'moderate', 'severe', 'critical', 'critical']);
  });

  it('flags a stage spending 25% of task time in GC, citing the tiers, and claims that share of its window', async () => {
    const insights = await detect('app-gc', even(60, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 2_500 }), { executors: fourExecutors });
    const stage = insights.find((i) => i.stageId === 2);
    expect(stage).toMatchObject({
      id: 'gc-pressure:stage-2.0',
      stageAttemptId: 0,
      confidence: 'HIGH',
      impactMs: 150_000,
      evidence: {
        tasks: 60,
        executors: 4,
        gcTimeMs: 150_000,
        taskTimeMs: 600_000,
        gcRatio: 0.25,
        tier: 'critical',
        thresholds: { tiers: { low: 0.08, moderate: 0.1, severe: 0.15, critical: 0.2 }, minGcTimeMs: 5_000, minShareOfAppTaskTime: 0.01 },
      },
    });
    expect(stage!.impact).toBeCloseTo(0.25, 6);
    expect(stage!.title).toBe('Stage 2 spent 25% of its task time in garbage collection (critical tier)');
    expect(stage!.suggestion).toMatch(/spark\.executor\.memory/);
    expect(stage!.claims).toEqual([{ from: expect.any(Number), to: expect.any(Number), share: 0.25 }]);
    // Its executors' GC lies inside the reported stage: not claimed a second time by an executors insight.
    expect(insights.find((i) => i.id === 'gc-pressure:executors')).toBeUndefined();
  });

  it('never states more than 100%: a pause counted by concurrent tasks stays within each task\'s own time', async () => {
    // Spark 2-3 file listing: tasks of 1 s that report 5 s of JVM GC (the pause of a shared JVM, seen by each).
    const insights = await detect('app-gc-overlap', even(40, { durationMs: 1_000, runTimeMs: 5, gcTimeMs: 5_000 }));
    const stage = insights.find((i) => i.stageId === 2)!;
    expect(stage.evidence).toMatchObject({ gcTimeMs: 40_000, taskTimeMs: 40_000, gcRatio: 1 });
    expect(stage.title).toBe('Stage 2 spent 100% of its task time in garbage collection (critical tier)');
  });

  it('flags executors for GC outside the stages reported on their own', async () => {
    const tasks = [
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 200, executorId: '1' }),
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 2_500, executorId: '2' }),
    ];
    await ingestPaths(db.database, [writeEventLog(dir, {
      appId: 'app-gc-spread',
      executors: fourExecutors,
      jobs: [{ jobId: 0, stages: [2, 3, 4].map((stageId) => ({ stageId, tasks: tasks.map((t) => ({ ...t, gcTimeMs: (t.gcTimeMs ?? 0) / 3 })) })) }],
    })]);
    const insights = await insightsOf('app-gc-spread');
    expect(insights.map((i) => i.id)).toEqual(['gc-pressure:executors']);
    expect(insights[0]!.evidence).toMatchObject({ executorsOverThreshold: 1, executors: [{ id: '2' }] });
  });

  it('names the executor that holds most of a stage\'s GC', async () => {
    const tasks = [
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 200, executorId: '1' }),
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 200, executorId: '2' }),
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 200, executorId: '4' }),
      ...even(30, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 3_000, executorId: '3' }),
    ];
    const insights = await detect('app-gc-one-executor', tasks, { executors: fourExecutors });
    // The stage as a whole: 108 s of GC in 1,200 s of task time, the 8% low tier; executor 3 holds 90 s of it.
    const stage = insights.find((i) => i.stageId === 2)!;
    expect(stage.evidence).toMatchObject({ gcRatio: 0.09, tier: 'low', gcByExecutor: [{ id: '3', gcTimeMs: 90_000 }, { id: '1', gcTimeMs: 6_000 }, { id: '2', gcTimeMs: 6_000 }, { id: '4', gcTimeMs: 6_000 }] });
    expect(stage.description).toMatch(/Executor 3 accounts for 83% of it/);
    expect(insights.find((i) => i.id === 'gc-pressure:executors')).toBeUndefined();
  });

  it('stays quiet under 8% of run time, and under 5 s of GC however high the ratio', async () => {
    expect(await detect('app-gc-low', even(60, { durationMs: 10_000, runTimeMs: 10_000, gcTimeMs: 700 }))).toEqual([]);
    // 49 tasks × 100 ms = 4.9 s of GC at 20% of run time.
    expect(await detect('app-gc-tiny', even(49, { durationMs: 500, runTimeMs: 500, gcTimeMs: 100 }))).toEqual([]);
  });

  it('fires at exactly 8% and 5 s, not just under 8%', async () => {
    const at = await detect('app-gc-boundary', even(50, { durationMs: 1_250, runTimeMs: 1_250, gcTimeMs: 100 }));
    expect(at.map((i) => [i.id, i.evidence['gcRatio'], i.evidence['gcTimeMs']])).toEqual([['gc-pressure:stage-2.0', 0.08, 5_000]]);
    // 50 tasks and 62.5 s of run time behind the ratio.
    expect(at[0]!.confidence).toBe('MEDIUM');
    expect(await detect('app-gc-under', even(50, { durationMs: 1_260, runTimeMs: 1_260, gcTimeMs: 100 }))).toEqual([]);
  });

  describe('on real logs', () => {
    it('finds GC pressure on the executors of the dynamic-allocation log, and none in the Spark 4.1 demos', async () => {
      await ingestPaths(db.database, [eventLogPath('formats', 'eventlog_4nodes_8cores_dynamic_alloc.zstd'), eventLogPath('spark4')]);
      const dynamic = await insightsOf('application_1707709865217_0493');
      expect(dynamic.map((i) => i.id)).toEqual(['gc-pressure:executors']);
      expect(dynamic[0]!.evidence['gcRatio']).toBeGreaterThanOrEqual(0.1);
      for (const app of ['local-1776286786993', 'local-1776286804625', 'application_1713000000000_0001/2']) {
        expect(await insightsOf(app)).toEqual([]);
      }
    });
  });
});
