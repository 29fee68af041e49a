import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { spillDetector } from '../../src/analysis/detectors/spill.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));

describe('spill detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-spill-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insightsOf(appKey: string): Promise<InsightDraft[]> {
    const insights = await db.database.withConnection(async (connection) => spillDetector.detect(await createDetectorContext(connection, appKey)));
    for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    return insights;
  }

  async function detect(appId: string, tasks: SyntheticTask[], extra: Partial<SyntheticApp> = {}): Promise<InsightDraft[]> {
    const spec: SyntheticApp = {
      appId,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: even(10, { durationMs: 1_000 }) }, { stageId: 1, name: 'sortBy at Job.scala:7', parentIds: [0], tasks }] }],
      ...extra,
    };
    await ingestPaths(db.database, [writeEventLog(dir, spec)]);
    return insightsOf(appId);
  }

  it('flags a stage where most tasks spilled, with the spill against what it read and the tasks that spilled', async () => {
    const tasks = even(40, { durationMs: 5_000, shuffleReadBytes: 100 * MB, memoryBytesSpilled: 150 * MB, diskBytesSpilled: 50 * MB });
    const [insight, ...rest] = await detect('app-spill', tasks);
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'spill:stage-1.0',
      stageId: 1,
      confidence: 'HIGH',
      evidence: {
        memoryBytesSpilled: 6000 * MB,
        diskBytesSpilled: 2000 * MB,
        shuffleReadBytes: 4000 * MB,
        memorySpillToBytesRead: 1.5,
        diskSpillToBytesRead: 0.5,
        tasks: 40,
        spillingTasks: 40,
        spillingTaskTimeMs: 200_000,
        thresholds: { minSpillBytes: 64 * MB, minShareOfAppTaskTime: 0.01 },
        sparkDefaults: { 'spark.sql.shuffle.partitions': 200 },
      },
    });
    // The 40 spilling tasks are 200 s of the application's 210 s of task time.
    expect(insight!.impactMs).toBe(200_000);
    expect(insight!.impact).toBeCloseTo(200 / 210, 6);
    expect(insight!.suggestion).toMatch(/spark\.sql\.shuffle\.partitions, 200 by default/);
    expect(insight!.tradeoffs).toMatch(/More partitions/);
    expect(insight!.description).toMatch(/All 40 of its tasks spilled, so the memory each task gets is short/);
  });

  it('reads a spill in a few tasks as uneven partitions, with less confidence, and points at settings made low', async () => {
    const tasks = [...even(37, { durationMs: 2_000, shuffleReadBytes: 20 * MB }), ...even(3, { durationMs: 20_000, shuffleReadBytes: 400 * MB, memoryBytesSpilled: 300 * MB, diskBytesSpilled: 100 * MB })];
    const [insight] = await detect('app-spill-few', tasks, { sparkProperties: { 'spark.memory.fraction': '0.2', 'spark.sql.shuffle.partitions': '40' } });
    expect(insight).toMatchObject({ confidence: 'LOW', evidence: { spillingTasks: 3, spillingTaskShare: 0.075 } });
    expect(insight!.description).toMatch(/Only 3 of its 40 tasks spilled/);
    expect(insight!.suggestion).toMatch(/set to 40 here/);
    expect(insight!.suggestion).toMatch(/spark\.memory\.fraction is 0\.2 here/);
  });

  it('reads a Photon stage\'s peak memory from its own accumulators when the task metric reads 0, and says so', async () => {
    const photon = { 'spark.databricks.clusterUsageTags.sparkVersion': '12.2.x-photon-scala2.12' };
    const spilling = { durationMs: 10_000, shuffleReadBytes: 100 * MB, memoryBytesSpilled: 50 * MB, diskBytesSpilled: 20 * MB };
    // As Photon logs them: SQL metrics, one per operator; the task's peak is the largest.
    const tasks = even(20, { ...spilling, accumulables: [
      { name: 'PhotonGroupingAgg peak memory usage', update: 300 * MB, metadata: 'sql' },
      { name: 'PhotonShuffleExchangeSink peak memory usage', update: 120 * MB, metadata: 'sql' },
    ] });
    const [insight] = await detect('app-photon-spill', tasks, { sparkProperties: photon });
    expect(insight!.evidence).toMatchObject({
      maxPeakExecutionMemory: 300 * MB,
      maxPeakExecutionMemorySource: 'photon accumulators "peak memory usage" (largest per task)',
    });
    // A user accumulator of that name is not the engine's metric.
    const [plain] = await detect('app-plain-spill', even(20, { ...spilling, accumulables: [{ name: 'peak memory usage', update: 300 * MB }] }));
    expect(plain!.evidence).toMatchObject({ maxPeakExecutionMemory: 0, maxPeakExecutionMemorySource: 'task metrics (peakExecutionMemory)' });
  });

  it('stays quiet without spill, and for a spill under the 64 MB floor', async () => {
    expect(await detect('app-no-spill', even(40, { durationMs: 5_000, shuffleReadBytes: 100 * MB }))).toEqual([]);
    expect(await detect('app-small-spill', even(40, { durationMs: 5_000, shuffleReadBytes: 100 * MB, memoryBytesSpilled: MB, diskBytesSpilled: MB / 2 }))).toEqual([]);
  });

  it('fires at exactly 64 MB spilled but not when the stage is under 1% of the task time', async () => {
    const atFloor = await detect('app-spill-floor', [...even(63, { durationMs: 1_000, inputBytes: 10 * MB, memoryBytesSpilled: MB }), { durationMs: 1_000, inputBytes: 10 * MB, memoryBytesSpilled: MB }]);
    expect(atFloor.map((i) => i.evidence['memoryBytesSpilled'])).toEqual([64 * MB]);
    expect(atFloor[0]!.suggestion).toMatch(/spark\.sql\.files\.maxPartitionBytes/);
    const cheap: SyntheticApp = {
      appId: 'app-spill-cheap',
      jobs: [{
        jobId: 0,
        stages: [
          { stageId: 0, tasks: even(100, { durationMs: 100_000 }) },
          { stageId: 1, parentIds: [0], tasks: even(10, { durationMs: 900, memoryBytesSpilled: 100 * MB, diskBytesSpilled: 40 * MB }) },
        ],
      }],
    };
    await ingestPaths(db.database, [writeEventLog(dir, cheap)]);
    expect(await insightsOf('app-spill-cheap')).toEqual([]);
  });

  describe('on real logs', () => {
    it('finds the spilling sort of the Spark 4.1 demo (spark4/) and not its smaller spill', async () => {
      await ingestPaths(db.database, [eventLogPath('spark4', 'local-1776286786993.zstd')]);
      const insights = await insightsOf('local-1776286786993');
      // Stage 43 sorts 58 MB of shuffle output with spark.memory.fraction=0.1 and spills 80 MB; stage 14 spills 15 MB.
      expect(insights.map((i) => i.stageId)).toEqual([43]);
      expect(insights[0]!.evidence).toMatchObject({ memoryBytesSpilled: 83_884_800, diskBytesSpilled: 70_308_061, spillingTasks: 3, tasks: 3 });
      expect(insights[0]!.suggestion).toMatch(/spark\.memory\.fraction is 0\.1 here/);
    });

    it('finds the spill of the AQE shuffle test log and nothing in logs without spill', async () => {
      await ingestPaths(db.database, [eventLogPath('formats', 'aqeshuffle_eventlog.zstd'), eventLogPath('apache-spark', 'application_1553914137147_0018')]);
      const aqe = await insightsOf('local-1651694304852');
      expect(aqe.map((i) => [i.stageId, i.confidence])).toEqual([[4, 'HIGH']]);
      expect(aqe[0]!.evidence['memorySpillToBytesRead']).toBeGreaterThan(5);
      expect(await insightsOf('application_1553914137147_0018')).toEqual([]);
    });
  });
});
