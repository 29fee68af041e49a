import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { stragglersDetector } from '../../src/analysis/detectors/stragglers.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp, type SyntheticStage, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));
const executors = [
  { id: '1', host: 'host-1', cores: 8 },
  { id: '2', host: 'host-2', cores: 8 },
  { id: '3', host: 'host-3', cores: 8 },
  { id: '4', host: 'host-4', cores: 8 },
];
/** 55 tasks of 4 s on executors 1, 2, 4 and `slow` on executor 3, all reading 50 MB. */
function stageWithSlowExecutor(stageId: number, slow: SyntheticTask[]): SyntheticStage {
  const peers = Array.from({ length: 55 }, (_, i): SyntheticTask => ({ durationMs: 4_000, shuffleReadBytes: 50 * MB, executorId: ['1', '2', '4'][i % 3]! }));
  return { stageId, name: `map at Job.scala:${stageId}`, tasks: [...peers, ...slow.map((task) => ({ shuffleReadBytes: 50 * MB, executorId: '3', ...task }))] };
}

describe('stragglers detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-stragglers-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insightsOf(appKey: string): Promise<InsightDraft[]> {
    const insights = await db.database.withConnection(async (connection) => stragglersDetector.detect(await createDetectorContext(connection, appKey)));
    for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    return insights;
  }

  async function detect(appId: string, stages: SyntheticStage[], extra: Partial<SyntheticApp> = {}): Promise<InsightDraft[]> {
    await ingestPaths(db.database, [writeEventLog(dir, { appId, executors, jobs: [{ jobId: 0, stages }], ...extra })]);
    return insightsOf(appId);
  }

  it('flags tasks over 1.5× the 75th percentile that read the same data, and the executor they ran on', async () => {
    const [insight, ...rest] = await detect('app-stragglers', [stageWithSlowExecutor(1, even(5, { durationMs: 20_000 }))]);
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'stragglers:stage-1.0',
      stageId: 1,
      confidence: 'HIGH',
      impactMs: 16_000,
      evidence: {
        successfulTasks: 60,
        stragglers: 5,
        dataHeavySlowTasks: 0,
        p75DurationMs: 4_000,
        stragglerThresholdMs: 6_000,
        p75BytesRead: 50 * MB,
        slowestTask: { executorId: '3', host: 'host-3', durationMs: 20_000, bytesRead: 50 * MB },
        stragglersByExecutor: { '3': 5 },
        concentratedOn: { kind: 'executor', id: '3', stragglers: 5 },
        speculationEnabled: false,
        thresholds: { 'spark.speculation.multiplier': 1.5, 'spark.speculation.quantile': 0.75, minStageWaitMs: 10_000 },
      },
    });
    expect(insight!.title).toBe('Stage 1 waited 16.0 s on 5 stragglers (executor 3)');
    expect(insight!.description).toMatch(/Speculation \(spark\.speculation\) was off/);
    expect(insight!.suggestion).toMatch(/spark\.speculation=true/);
    expect(insight!.suggestion).toMatch(/executor 3/);
  });

  it('leaves slow tasks that read more data to the data-skew detector', async () => {
    expect(await detect('app-skew-not-stragglers', [stageWithSlowExecutor(1, even(5, { durationMs: 20_000, shuffleReadBytes: 500 * MB }))])).toEqual([]);
  });

  it('stays quiet for even stages and for stages under 10 tasks', async () => {
    expect(await detect('app-even', [{ stageId: 1, tasks: even(60, { durationMs: 4_000, shuffleReadBytes: 50 * MB }) }])).toEqual([]);
    expect(await detect('app-few-tasks', [{ stageId: 1, tasks: [...even(8, { durationMs: 1_000 }), { durationMs: 30_000 }] }])).toEqual([]);
  });

  it('fires when the slowest holds the stage up exactly 10 s beyond the 75th percentile, not 9.9 s', async () => {
    const at = await detect('app-straggler-at-floor', [stageWithSlowExecutor(1, [{ durationMs: 14_000 }])]);
    expect(at.map((i) => [i.evidence['stageWaitMs'], i.evidence['concentratedOn']])).toEqual([[10_000, null]]);
    // One task 3.5× the 75th percentile among 56: a clear outlier.
    expect(at[0]!.confidence).toBe('HIGH');
    expect(await detect('app-straggler-under-floor', [stageWithSlowExecutor(1, [{ durationMs: 13_900 }])])).toEqual([]);
  });

  it('names a host whose two executors both straggled, and says when speculation was on', async () => {
    const twoOnOneHost = [
      { id: '1', host: 'host-1', cores: 8 },
      { id: '2', host: 'host-2', cores: 8 },
      { id: '5', host: 'host-9', cores: 8 },
      { id: '6', host: 'host-9', cores: 8 },
    ];
    const tasks = [
      ...Array.from({ length: 56 }, (_, i): SyntheticTask => ({ durationMs: 4_000, executorId: ['1', '2'][i % 2]! })),
      { durationMs: 30_000, executorId: '5' },
      { durationMs: 28_000, executorId: '6' },
      { durationMs: 25_000, executorId: '5', speculative: true },
      { durationMs: 26_000, executorId: '6' },
    ];
    const [insight] = await detect('app-slow-host', [{ stageId: 4, tasks }], { executors: twoOnOneHost, sparkProperties: { 'spark.speculation': 'true' } });
    expect(insight!.evidence).toMatchObject({
      concentratedOn: { kind: 'host', id: 'host-9', stragglers: 4 },
      stragglersByExecutor: { '5': 2, '6': 2 },
      speculationEnabled: true,
      speculativeAttempts: 1,
    });
    expect(insight!.description).toMatch(/Speculation was on \(1 speculative attempt/);
    expect(insight!.suggestion).toMatch(/spark\.speculation\.multiplier/);
  });

  it('adds one finding for an executor that held up two stages', async () => {
    const insights = await detect('app-slow-executor', [
      stageWithSlowExecutor(1, even(3, { durationMs: 20_000 })),
      stageWithSlowExecutor(2, even(2, { durationMs: 18_000 })),
    ]);
    expect(insights.map((i) => i.id)).toEqual(['stragglers:stage-1.0', 'stragglers:stage-2.0', 'stragglers:executor-3']);
    expect(insights[2]).toMatchObject({ stageId: null, impactMs: 16_000 + 14_000, evidence: { stageIds: [1, 2], stagesHeldUp: 2 } });
  });

  it('counts the wall-clock the stage waited, not the straggler\'s own extra time, when later waves kept its slots busy', async () => {
    // 40 tasks of 4 s, one 20 s straggler from the start, and a second wave of 20 tasks of 4 s launched after
    // `secondWaveAfterMs`: the stage waits for the straggler only past the second wave's end.
    const waves = (secondWaveAfterMs: number): SyntheticStage => ({
      stageId: 1,
      tasks: [
        ...even(40, { durationMs: 4_000, shuffleReadBytes: 50 * MB }),
        { durationMs: 20_000, shuffleReadBytes: 50 * MB, executorId: '3' },
        ...even(20, { durationMs: 4_000, shuffleReadBytes: 50 * MB, launchAfterMs: secondWaveAfterMs + 1 }),
      ],
    });
    // Second wave ends at 8 s: the stage waited from 8 s to the straggler's 20 s, 12 s (not 20 - 4 = 16 s).
    const [held, ...none] = await detect('app-straggler-second-wave-early', [waves(4_000)]);
    expect(none).toEqual([]);
    expect(held).toMatchObject({ impactMs: 12_000, evidence: { stageWaitMs: 12_000, slowestBeyondP75Ms: 16_000 } });
    expect(held!.title).toBe('Stage 1 waited 12.0 s on 1 straggler');
    expect(held!.claims).toHaveLength(1);
    expect(held!.claims![0]!.to - held!.claims![0]!.from).toBe(12_000);
    // Second wave ends at 12 s: 8 s of waiting, under the 10 s floor; ends after the straggler: no wait at all.
    expect(await detect('app-straggler-second-wave-mid', [waves(8_000)])).toEqual([]);
    expect(await detect('app-straggler-second-wave-late', [waves(18_000)])).toEqual([]);
  });

  it('in a single executor, says speculation cannot move the work elsewhere', async () => {
    const tasks = [...even(40, { durationMs: 3_000, executorId: 'driver' }), { durationMs: 20_000, executorId: 'driver' }];
    const [insight] = await detect('app-local-straggler', [{ stageId: 0, tasks }], { executors: [{ id: 'driver', host: 'localhost', cores: 8 }] });
    expect(insight!.description).toMatch(/single executor/);
    expect(insight!.suggestion).toMatch(/same JVM/);
  });

  describe('on real logs', () => {
    it('stays quiet where the slowest tasks held their stage up by under 10 s (db_sim, spark4)', async () => {
      await ingestPaths(db.database, [eventLogPath('formats', 'eventlog_v2_local-1623876083964'), eventLogPath('spark4')]);
      // local-1623876083964 stage 2: 12 of 200 tasks past 1.5× the 75th percentile, the slowest 5.8 s beyond it.
      for (const app of ['local-1623876083964', 'local-1776286786993', 'local-1776286804625', 'application_1713000000000_0001/2']) {
        expect(await insightsOf(app)).toEqual([]);
      }
    });
  });
});
