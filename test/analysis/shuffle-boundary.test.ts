import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type Detector, type InsightDraft } from '../../src/analysis/detector.js';
import { shuffleBoundaryDetector } from '../../src/analysis/detectors/shuffle-boundary.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp, type SyntheticStage, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));

/** A map stage writing the shuffle, then `reader` reading it. */
function twoStages(appId: string, reader: Omit<SyntheticStage, 'stageId'>, extra: Partial<SyntheticApp> = {}): SyntheticApp {
  return {
    appId,
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: even(20, { durationMs: 1_000, shuffleWriteBytes: 10 * MB }) }, { stageId: 1, parentIds: [0], ...reader }] }],
    ...extra,
  };
}

describe('shuffle-boundary detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-shuffle-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function detect(spec: SyntheticApp, detector: Detector = shuffleBoundaryDetector): Promise<InsightDraft[]> {
    await ingestPaths(db.database, [writeEventLog(dir, spec)]);
    const insights = await db.database.withConnection(async (connection) => detector.detect(await createDetectorContext(connection, spec.appId)));
    for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    return insights;
  }

  it('names the RDD operation that shuffled (reduceByKey) and costs the stage by its share of task time', async () => {
    const [insight, ...rest] = await detect(
      twoStages('app-rdd-shuffle', {
        name: 'saveAsTextFile at Job.scala:40',
        tasks: even(100, { durationMs: 2_000, shuffleReadBytes: 4 * MB }),
        rddInfo: [
          { 'RDD ID': 3, Name: 'ShuffledRDD', Scope: '{"id":"2","name":"reduceByKey"}', Callsite: 'reduceByKey at Job.scala:38' },
          { 'RDD ID': 4, Name: 'MapPartitionsRDD', Scope: '{"id":"3","name":"saveAsTextFile"}', Callsite: 'saveAsTextFile at Job.scala:40' },
        ],
      }),
    );
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'shuffle-boundary:stage-1.0',
      stageId: 1,
      confidence: 'HIGH',
      evidence: {
        operation: 'aggregation',
        attributedFrom: 'rdd-scope',
        operator: 'reduceByKey at Job.scala:38',
        shuffleReadBytes: 400 * MB,
        tasks: 100,
        stageTaskTimeMs: 200_000,
        thresholds: { minShuffleReadBytes: 64 * MB, minShareOfAppTaskTime: 0.01 },
      },
    });
    // Its cost is the time tasks waited on shuffle fetches, none here: the finding explains, it ranks low.
    expect(insight!.impactMs).toBe(0);
    expect(insight!.impact).toBe(0);
    expect(insight!.title).toBe('Stage 1 reads 400 MB of shuffle output from an aggregation (groupBy)');
    expect(insight!.suggestion).toMatch(/reduceByKey/);
  });

  it('claims the stage\'s window at the fetch-wait share of its task time, as a claim that yields to problems', async () => {
    const [insight] = await detect(
      twoStages('app-fetch-wait', { name: 'reduceByKey at Job.scala:12', tasks: even(100, { durationMs: 2_000, runTimeMs: 1_800, fetchWaitMs: 500, shuffleReadBytes: 4 * MB }) }),
    );
    expect(insight).toMatchObject({
      role: 'explanation',
      impactMs: 500, // the 2 s window (all tasks ran at once) at 500 / 2,000 ms of task time
      evidence: { fetchWaitTimeMs: 50_000, fetchWaitShareOfTaskTime: 0.25, stageTaskTimeMs: 200_000, stageWallClockMs: 2_000 },
    });
    expect(insight!.claims).toHaveLength(1);
    expect(insight!.claims![0]).toMatchObject({ share: 0.25, yields: true });
    expect(insight!.claims![0]!.to - insight!.claims![0]!.from).toBe(2_000);
  });

  it('states the write side\'s shuffle write time, from Photon\'s accumulators when Spark\'s task metric reads 0', async () => {
    const reader = { name: 'reduceByKey at Job.scala:12', tasks: even(100, { durationMs: 2_000, shuffleReadBytes: 4 * MB }) };
    const photonWriter = even(20, { durationMs: 1_000, shuffleWriteBytes: 10 * MB,
      accumulables: [{ name: 'time taken waiting on file write IO (part of shuffle file write)', update: 150e6, metadata: 'sql' }] });
    const [photon] = await detect({ appId: 'app-photon-write', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: photonWriter }, { stageId: 1, parentIds: [0], ...reader }] }] });
    expect(photon!.evidence).toMatchObject({
      writingStages: [{ stageId: 0, stageAttemptId: 0 }],
      shuffleWriteTimeMs: 3_000, // 20 tasks × 150 ms
      shuffleWriteTimeSource: 'photon accumulators "part of shuffle file write" (summed)',
    });
    expect(photon!.description).toMatch(/spent 3\.0 s of task time writing shuffle files/);
    const sparkWriter = even(20, { durationMs: 1_000, shuffleWriteBytes: 10 * MB, shuffleWriteTimeNs: 100e6 });
    const [spark] = await detect({ appId: 'app-spark-write', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: sparkWriter }, { stageId: 1, parentIds: [0], ...reader }] }] });
    expect(spark!.evidence).toMatchObject({ shuffleWriteTimeMs: 2_000, shuffleWriteTimeSource: 'task metrics (shuffleWriteTime)' });
  });

  it('reads the cause from the SQL plan: the Exchange the stage read and the join above it', async () => {
    const exchange = (stageId: number, key: string) => ({
      name: 'ShuffleQueryStage',
      children: [{
        name: 'Exchange',
        simpleString: `Exchange hashpartitioning(${key}#12L, 200), ENSURE_REQUIREMENTS, [plan_id=7]`,
        metrics: [
          { name: 'shuffle bytes written', type: 'size', value: 200 * MB, stageId: 0 },
          { name: 'local bytes read', type: 'size', value: 200 * MB, stageId },
          { name: 'records read', value: 1_000, stageId },
        ],
      }],
    });
    const spec = twoStages('app-sql-join', { name: 'save at Etl.scala:9', tasks: even(50, { durationMs: 4_000, shuffleReadBytes: 8 * MB }) }, {
      sqlExecutions: [{
        executionId: 0,
        jobIds: [0],
        plan: {
          name: 'WholeStageCodegen (3)',
          children: [{
            name: 'SortMergeJoin',
            simpleString: 'SortMergeJoin [id#12L], [id#40L], Inner',
            children: [
              { name: 'Sort', simpleString: 'Sort [id#12L ASC NULLS FIRST], false, 0', children: [exchange(1, 'id')] },
              { name: 'Sort', simpleString: 'Sort [id#40L ASC NULLS FIRST], false, 0', children: [exchange(1, 'id')] },
            ],
          }],
        },
      }],
    });
    const [insight] = await detect(spec);
    expect(insight).toMatchObject({
      stageId: 1,
      sqlExecutionId: 0,
      confidence: 'HIGH',
      evidence: {
        operation: 'join',
        attributedFrom: 'sql-plan',
        operator: 'SortMergeJoin [id], [id], Inner',
        partitioning: 'hashpartitioning(id, 200)',
      },
    });
    expect(insight!.suggestion).toMatch(/broadcast/);
    expect(insight!.sparkDocsRef).toMatch(/sql-performance-tuning/);
  });

  it('matches the exchange its parent stage wrote when the log has no read-side SQL metrics (Spark 2.x)', async () => {
    const spec = twoStages('app-sql-spark2', { name: 'count at Report.scala:5', tasks: even(20, { durationMs: 3_000, shuffleReadBytes: 10 * MB }) }, {
      sparkVersion: '2.4.8',
      sqlExecutions: [{
        executionId: 3,
        jobIds: [0],
        plan: {
          name: 'HashAggregate',
          simpleString: 'HashAggregate(keys=[country#3], functions=[count(1)])',
          children: [{
            name: 'Exchange',
            simpleString: 'Exchange hashpartitioning(country#3, 200)',
            metrics: [{ name: 'data size', type: 'size', value: 200 * MB, stageId: 0 }],
            children: [{ name: 'HashAggregate', simpleString: 'HashAggregate(keys=[country#3], functions=[partial_count(1)])' }],
          }],
        },
      }],
    });
    const [insight] = await detect(spec);
    expect(insight).toMatchObject({
      sqlExecutionId: 3,
      evidence: { operation: 'aggregation', attributedFrom: 'sql-plan', operator: 'HashAggregate(keys=[country], functions=[count(1)])' },
    });
  });

  it('falls back to the stage name with MEDIUM confidence, and says so when nothing names the operation', async () => {
    const [named] = await detect(twoStages('app-named', { name: 'groupByKey at Job.scala:12', tasks: even(10, { durationMs: 1_000, shuffleReadBytes: 10 * MB }) }));
    expect(named).toMatchObject({ confidence: 'MEDIUM', evidence: { operation: 'aggregation', attributedFrom: 'stage-name' } });
    const [unnamed] = await detect(twoStages('app-unnamed', { name: 'count at Job.scala:12', tasks: even(10, { durationMs: 1_000, shuffleReadBytes: 10 * MB }) }));
    expect(unnamed).toMatchObject({ confidence: 'LOW', evidence: { operation: 'unknown', attributedFrom: 'none' } });
    expect(unnamed!.description).toMatch(/does not say which operation/);
  });

  it('stays quiet for small shuffles (under 64 MB) and for a big shuffle that costs under 1% of the task time', async () => {
    expect(await detect(twoStages('app-small-shuffle', { name: 'reduceByKey at J.scala:1', tasks: even(60, { durationMs: 30_000, shuffleReadBytes: 1 * MB }) }))).toEqual([]);
    const cheap: SyntheticApp = {
      appId: 'app-cheap-shuffle',
      jobs: [{
        jobId: 0,
        stages: [
          { stageId: 0, tasks: even(100, { durationMs: 100_000, shuffleWriteBytes: 10 * MB }) },
          // 9.9 s of 10,009.9 s: under 1%.
          { stageId: 1, parentIds: [0], name: 'reduceByKey at J.scala:1', tasks: even(99, { durationMs: 100, shuffleReadBytes: 10 * MB }) },
        ],
      }],
    };
    expect(await detect(cheap)).toEqual([]);
  });

  it('fires at exactly the 64 MB floor and not one byte under it', async () => {
    const at = await detect(twoStages('app-at-floor', { name: 'distinct at J.scala:3', tasks: [...even(63, { durationMs: 1_000, shuffleReadBytes: MB }), { durationMs: 1_000, shuffleReadBytes: MB }] }));
    expect(at.map((i) => i.evidence['shuffleReadBytes'])).toEqual([64 * MB]);
    expect(at[0]!.evidence['operation']).toBe('distinct');
    const under = await detect(twoStages('app-under-floor', { name: 'distinct at J.scala:3', tasks: [...even(63, { durationMs: 1_000, shuffleReadBytes: MB }), { durationMs: 1_000, shuffleReadBytes: MB - 1 }] }));
    expect(under).toEqual([]);
  });

  describe('on real logs', () => {
    it('finds the repartition(2) before a Parquet write in the NYC taxi job (Spark 3.5, from its SQL plan)', async () => {
      await ingestPaths(db.database, [eventLogPath('formats', 'eventlog_v2_spark-cc4d115f011443d787f03a71a476a745')]);
      const insights = await db.database.withConnection(async (connection) =>
        shuffleBoundaryDetector.detect(await createDetectorContext(connection, 'spark-cc4d115f011443d787f03a71a476a745')));
      expect(insights.map((i) => [i.stageId, i.evidence['operation'], i.evidence['partitioning']])).toEqual([
        [7, 'repartition', 'RoundRobinPartitioning(2)'],
      ]);
      expect(insights[0]!.evidence['shuffleReadBytes']).toBeGreaterThan(10e9);
      for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    });

    it('finds the sort-merge joins of TPC-DS q72 and the aggregation after them', async () => {
      await ingestPaths(db.database, [eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd')]);
      const insights = await db.database.withConnection(async (connection) =>
        shuffleBoundaryDetector.detect(await createDetectorContext(connection, 'application_1751493828576_0001')));
      const byStage = Object.fromEntries(insights.map((i) => [i.stageId, i.evidence['operator']]));
      expect(byStage[50]).toMatch(/^SortMergeJoin \[cs_item_sk\], \[inv_item_sk\], Inner/);
      expect(byStage[55]).toMatch(/^SortMergeJoin \[cs_item_sk, cs_order_number\], \[cr_item_sk, cr_order_number\], LeftOuter/);
      expect(byStage[61]).toMatch(/^HashAggregate\(keys=\[i_item_desc, w_warehouse_name, d_week_seq\]/);
      for (const insight of insights) {
        expect(insight.evidence['shuffleReadBytes']).toBeGreaterThanOrEqual(64 * MB);
        expect(promisesIn(insight)).toEqual([]);
      }
    });
  });
});
