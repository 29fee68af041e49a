import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { partitionCountDetector } from '../../src/analysis/detectors/partition-count.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));
/** Four executors of four cores: 16 task slots. */
const sixteenSlots = ['1', '2', '3', '4'].map((id) => ({ id, host: `host-${id}`, cores: 4 }));

describe('partition-count detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-partitions-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function insightsOf(appKey: string): Promise<InsightDraft[]> {
    const insights = await db.database.withConnection(async (connection) => partitionCountDetector.detect(await createDetectorContext(connection, appKey)));
    for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    return insights;
  }

  async function detect(appId: string, tasks: SyntheticTask[], extra: Partial<SyntheticApp> = {}, description?: string): Promise<InsightDraft[]> {
    const spec: SyntheticApp = {
      appId,
      executors: sixteenSlots,
      jobs: [{ jobId: 0, stages: [{ stageId: 3, name: 'save at Etl.scala:20', tasks }], ...(description ? { description } : {}) }],
      ...extra,
    };
    await ingestPaths(db.database, [writeEventLog(dir, spec)]);
    return insightsOf(appId);
  }

  describe('too few', () => {
    it('flags a stage that ran 4 tasks on 16 slots, costed by how much longer it ran than its work spread over every slot', async () => {
      const [insight, ...rest] = await detect('app-few', even(4, { durationMs: 20_000, shuffleReadBytes: 100 * MB }));
      expect(rest).toEqual([]);
      expect(insight).toMatchObject({
        id: 'partition-count:too-few:stage-3.0',
        stageId: 3,
        evidence: {
          problem: 'too-few',
          reasons: ['fewer-tasks-than-slots'],
          tasks: 4,
          taskSlots: 16,
          taskSlotsFrom: 'executors',
          stageRunMs: 20_000,
          stageTaskTimeMs: 80_000,
          // 20 s of run against 80 s / 16 slots = 5 s.
          idleSlotEstimateMs: 15_000,
          sparkDefaults: {
            'spark.sql.shuffle.partitions': 200,
            'spark.sql.files.maxPartitionBytes': 128 * MB,
            'spark.sql.adaptive.advisoryPartitionSizeInBytes': 64 * MB,
          },
          thresholds: { tooFewTasksPerSlot: 0.5, minStageRunMs: 10_000 },
        },
      });
      expect(insight!.impactMs).toBe(15_000);
      expect(insight!.title).toBe('Stage 3 ran 4 tasks on 16 task slots');
      expect(insight!.suggestion).toMatch(/spark\.sql\.shuffle\.partitions \(200 by default\)/);
      expect(insight!.confidence).toBe('MEDIUM');
    });

    it('flags partitions far above the 200 MB shuffle guidance even with enough tasks, and input far above 128 MB', async () => {
      const [shuffle] = await detect('app-big-shuffle-partitions', even(20, { durationMs: 70_000, shuffleReadBytes: 400 * MB }));
      expect(shuffle).toMatchObject({
        confidence: 'HIGH',
        evidence: { reasons: ['large-shuffle-partitions'], medianShuffleReadBytesPerTask: 400 * MB, idleSlotEstimateMs: null, thresholds: { largeShufflePartitionBytes: 400 * MB } },
      });
      expect(shuffle!.title).toBe('Stage 3 has large partitions (400 MB per task)');
      const [input] = await detect('app-big-input-partitions', even(20, { durationMs: 30_000, inputBytes: 300 * MB }));
      expect(input!.evidence['reasons']).toEqual(['large-input-partitions']);
      expect(input!.suggestion).toMatch(/spark\.sql\.files\.maxPartitionBytes \(128 MB by default\)/);
      expect(await detect('app-ok-partitions', even(20, { durationMs: 30_000, shuffleReadBytes: 399 * MB }))).toEqual([]);
    });

    it('fires at exactly half the slots, not one task above', async () => {
      expect((await detect('app-half-slots', even(8, { durationMs: 20_000 }))).map((i) => i.evidence['tasks'])).toEqual([8]);
      expect(await detect('app-over-half-slots', even(9, { durationMs: 20_000 }))).toEqual([]);
    });

    it('stays quiet for short stages, and when a few long tasks rather than the count set the stage length', async () => {
      expect(await detect('app-few-short', even(4, { durationMs: 9_000 }))).toEqual([]);
      expect(await detect('app-few-uneven', [...even(3, { durationMs: 2_000 }), { durationMs: 30_000 }])).toEqual([]);
    });

    it('does not blame the partition count of concurrent one-task stages whose tasks waited to launch', async () => {
      // Five broadcast exchanges submitted together, one task each: 0.6 s of work after ~11 s of scheduler delay.
      const stage = (stageId: number): SyntheticApp['jobs'][number]['stages'][number] => ({
        stageId,
        name: `broadcast exchange ${stageId}`,
        concurrentWithPrevious: stageId > 10,
        tasks: [{ durationMs: 11_600, runTimeMs: 600 }],
      });
      const insights = await detect('app-launch-wait', [], {
        executors: Array.from({ length: 32 }, (_, i) => ({ id: String(i + 1), cores: 4 })),
        jobs: [{ jobId: 0, stages: [10, 11, 12, 13, 14].map(stage) }],
      });
      expect(insights).toEqual([]);
    });

    it('counts slots that concurrent stages kept busy as not idle', async () => {
      // Stage 3 ran 2 tasks on 16 slots, but a concurrent stage kept the other 14 slots busy throughout.
      const insights = await detect('app-few-concurrent', [], {
        jobs: [{ jobId: 0, stages: [
          { stageId: 3, tasks: even(2, { durationMs: 20_000 }) },
          { stageId: 4, concurrentWithPrevious: true, tasks: even(14, { durationMs: 20_000 }) },
        ] }],
      });
      expect(insights.filter((i) => i.stageId === 3)).toEqual([]);
    });

    it('counts the driver\'s cores in local mode', async () => {
      const [insight] = await detect('app-local-few', even(2, { durationMs: 20_000, executorId: 'driver' }), {
        executors: [{ id: 'driver', host: 'localhost', cores: 8 }],
      });
      expect(insight!.evidence).toMatchObject({ taskSlots: 8, taskSlotsFrom: 'driver (local mode)' });
    });
  });

  describe('too many', () => {
    it('flags thousands of short tasks by the task time they spent outside their code', async () => {
      const [insight, ...rest] = await detect('app-many', even(3_000, { durationMs: 50, runTimeMs: 20, shuffleReadBytes: 200_000 }));
      expect(rest).toEqual([]);
      expect(insight).toMatchObject({
        id: 'partition-count:too-many:stage-3.0',
        confidence: 'HIGH',
        evidence: {
          problem: 'too-many',
          reasons: ['short-tasks', 'tiny-partitions'],
          tasks: 3_000,
          taskSlots: 16,
          medianTaskDurationMs: 50,
          overheadMs: 90_000,
          overheadShareOfTaskTime: 0.6,
          thresholds: { manyTasks: 2_000, manyTasksPerSlot: 3, shortTaskMs: 200, tinyPartitionBytes: MB },
        },
      });
      expect(insight!.impact).toBeCloseTo(0.6, 6);
      expect(insight!.suggestion).toMatch(/fewer shuffle partitions/);
    });

    it('says when the tasks are Spark listing a partitioned table\'s directories', async () => {
      const [insight] = await detect('app-listing', even(2_500, { durationMs: 60, runTimeMs: 20 }), {}, 'Listing leaf files and directories for 2500 paths:<br/>gs://bucket/table/d=1, ...');
      expect(insight).toMatchObject({ evidence: { fileListing: true, reasons: ['short-tasks'] } });
      expect(insight!.suggestion).toMatch(/parallelPartitionDiscovery/);
    });

    it('fires from 2000 tasks, and stays quiet for 1999 or for tasks that are long enough', async () => {
      expect((await detect('app-2000', even(2_000, { durationMs: 50, runTimeMs: 20 }))).map((i) => i.evidence['tasks'])).toEqual([2_000]);
      expect(await detect('app-1999', even(1_999, { durationMs: 50, runTimeMs: 20 }))).toEqual([]);
      expect(await detect('app-many-long', even(3_000, { durationMs: 2_000, shuffleReadBytes: 20 * MB }))).toEqual([]);
    });
  });

  describe('on real logs', () => {
    it('finds the repartition(2) stage of the NYC taxi job (2 tasks of 5 GB on 4 slots) and nothing in the Spark 4.1 demos', async () => {
      await ingestPaths(db.database, [eventLogPath('formats', 'eventlog_v2_spark-cc4d115f011443d787f03a71a476a745'), eventLogPath('spark4')]);
      const taxi = await insightsOf('spark-cc4d115f011443d787f03a71a476a745');
      expect(taxi.map((i) => [i.id, i.evidence['reasons']])).toEqual([
        ['partition-count:too-few:stage-7.0', ['fewer-tasks-than-slots', 'large-shuffle-partitions']],
      ]);
      expect(taxi[0]!.evidence).toMatchObject({ tasks: 2, taskSlots: 4 });
      // Its first stage waited 30 s for an executor but ran its one task in 2 s: not a partition problem.
      for (const app of ['local-1776286786993', 'local-1776286804625', 'application_1713000000000_0001/2']) {
        expect(await insightsOf(app)).toEqual([]);
      }
    });

    it('finds the file-listing job of TPC-DS q72 with 2004 tasks of under 100 ms', async () => {
      await ingestPaths(db.database, [eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd')]);
      const insights = await insightsOf('application_1751493828576_0001');
      expect(insights.map((i) => [i.stageId, i.evidence['problem'], i.evidence['fileListing']])).toEqual([[13, 'too-many', true]]);
    });
  });
});
