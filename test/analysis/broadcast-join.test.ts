import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { broadcastJoinDetector, joinTypeOf } from '../../src/analysis/detectors/broadcast-join.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { type SyntheticApp, type SyntheticPlanNode, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const GB = 1024 * MB;
const tasks = (n: number, durationMs = 5_000): SyntheticTask[] => Array.from({ length: n }, () => ({ durationMs }));

/** One side of a shuffled join: Sort ← Exchange (measured by map stage `mapStage`) ← Scan. */
const side = (key: string, bytes: number, mapStage: number, sortMs: number, writeNs: number): SyntheticPlanNode => ({
  name: 'Sort',
  simpleString: `Sort [${key} ASC NULLS FIRST], false, 0`,
  metrics: [{ name: 'sort time', type: 'timing', value: sortMs, stageId: 2 }],
  children: [{
    name: 'Exchange',
    simpleString: `Exchange hashpartitioning(${key}, 200), ENSURE_REQUIREMENTS`,
    metrics: [
      { name: 'data size', type: 'size', value: bytes, stageId: mapStage },
      { name: 'shuffle write time', type: 'nsTiming', value: writeNs, stageId: mapStage },
      { name: 'fetch wait time', type: 'timing', value: 0, stageId: 2 },
    ],
    children: [{ name: 'Scan parquet ', simpleString: `FileScan parquet [${key}]`, metrics: [{ name: 'number of output rows', value: 1000, stageId: mapStage }] }],
  }],
});
const sortMergeJoin = (joinType: string, left: SyntheticPlanNode, right: SyntheticPlanNode): SyntheticPlanNode => ({
  name: 'SortMergeJoin',
  simpleString: `SortMergeJoin [k#1], [k#2], ${joinType}`,
  metrics: [{ name: 'number of output rows', value: 5000, stageId: 2 }],
  children: [left, right],
});
/** An application whose one SQL query joins a `leftBytes` side with a `rightBytes` side in stage 2. */
const joinApp = (appId: string, leftBytes: number, rightBytes: number, options: { joinType?: string; properties?: Record<string, string>; adaptivePlan?: SyntheticPlanNode; sparkVersion?: string } = {}): SyntheticApp => ({
  appId,
  sparkVersion: options.sparkVersion ?? '3.1.2',
  sparkProperties: options.properties ?? {},
  jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(8) }, { stageId: 1, tasks: tasks(2) }, { stageId: 2, parentIds: [0, 1], tasks: tasks(8) }] }],
  sqlExecutions: [{
    executionId: 0,
    description: 'join orders with countries',
    jobIds: [0],
    plan: sortMergeJoin(options.joinType ?? 'Inner', side('k#1', leftBytes, 0, 4_000, 3e9), side('k#2', rightBytes, 1, 100, 1e8)),
    ...(options.adaptivePlan ? { adaptivePlan: options.adaptivePlan } : {}),
  }],
});

describe('broadcast-join detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(broadcastJoinDetector);

  it('flags a sort-merge join whose small side measured under the 10 MB threshold beside a 2 GB side', async () => {
    const [insight, ...rest] = await detect(joinApp('app-smj-small', 2 * GB, 4 * MB));
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      type: 'broadcast-join',
      sqlExecutionId: 0,
      stageId: 2,
      stageAttemptId: 0,
      confidence: 'HIGH',
      evidence: {
        operator: 'SortMergeJoin',
        joinType: 'Inner',
        smallSide: 'right',
        smallSideBytes: 4 * MB,
        smallSideSource: 'shuffle',
        largeSideBytes: 2 * GB,
        joinStages: [{ stageId: 2, stageAttemptId: 0 }],
        shuffleWriteTimeMs: 3_100,
        sortTimeMs: 4_100,
        adaptiveExecutionEnabled: false,
        properties: { 'spark.sql.autoBroadcastJoinThreshold': '10485760 (default, 10 MB)' },
        thresholds: { broadcastThresholdBytes: 10 * MB, minLargeSideBytes: 128 * MB },
      },
    });
    // Measured shuffle write (3 s + 0.1 s) and sort (4 s + 0.1 s) time of the join's inputs: 8% of the 90 s of task
    // time of the three stages that wrote, read and sorted them, put on their 5 s windows as wall-clock.
    expect(insight!.evidence).toMatchObject({
      costStages: [{ stageId: 0, stageAttemptId: 0 }, { stageId: 1, stageAttemptId: 0 }, { stageId: 2, stageAttemptId: 0 }],
      shareOfCostStagesTaskTime: 0.08,
    });
    expect(insight!.claims!.map((c) => [c.to - c.from, c.share])).toEqual([[5_000, 0.08], [5_000, 0.08], [5_000, 0.08]]);
    expect(insight!.impactMs).toBe(1_200);
    expect(insight!.suggestion).toMatch(/BROADCAST/);
  });

  it('reads shuffle write time from an engine\'s own metrics (Photon\'s "part of shuffle file write") where Spark\'s is absent, and names the source', async () => {
    // The same join, its exchanges carrying the write time as Photon does: in parts, in ns, no "shuffle write time".
    const photonStyle = (node: SyntheticPlanNode): SyntheticPlanNode => ({
      ...node,
      metrics: node.metrics?.flatMap((m) => m.name !== 'shuffle write time' ? [m] : [
        { ...m, name: 'time taken waiting on file write IO (part of shuffle file write)', value: (m.value ?? 0) * 0.75 },
        { ...m, name: 'time taken to sort rows by partition ID (part of shuffle file write)', value: (m.value ?? 0) * 0.25 },
      ]),
      children: node.children?.map(photonStyle),
    });
    const app = joinApp('app-photon-join', 2 * GB, 4 * MB);
    app.sqlExecutions![0]!.plan = photonStyle(app.sqlExecutions![0]!.plan);
    const [insight] = await detect(app);
    expect(insight!.evidence).toMatchObject({
      shuffleWriteTimeMs: 3_100,
      shuffleWriteTimeSource: 'photon SQL metrics "part of shuffle file write" (summed)',
    });
    const [spark] = await detect(joinApp('app-spark-join', 2 * GB, 4 * MB));
    expect(spark!.evidence).toMatchObject({ shuffleWriteTimeMs: 3_100, shuffleWriteTimeSource: 'SQL metric "shuffle write time"' });
  });

  it('uses the final adaptive plan: a join AQE already turned into a broadcast is not reported', async () => {
    const broadcastPlan: SyntheticPlanNode = { name: 'BroadcastHashJoin', simpleString: 'BroadcastHashJoin [k#1], [k#2], Inner, BuildRight', children: [] };
    expect(await detect(joinApp('app-aqe-converted', 2 * GB, 4 * MB, { sparkVersion: '3.5.1', adaptivePlan: broadcastPlan }))).toEqual([]);
  });

  it('only broadcasts a side the join type can build: not the left side of a left outer join', async () => {
    expect(await detect(joinApp('app-left-outer', 4 * MB, 2 * GB, { joinType: 'LeftOuter' }))).toEqual([]);
    expect(await detect(joinApp('app-full-outer', 2 * GB, 4 * MB, { joinType: 'FullOuter' }))).toEqual([]);
    expect(await detect(joinApp('app-right-outer', 4 * MB, 2 * GB, { joinType: 'RightOuter' }))).toHaveLength(1);
  });

  it('stays quiet when the larger side is under 128 MB, and for a 20 MB side beside 2 GB (no tier fits)', async () => {
    expect(await detect(joinApp('app-small-join', 100 * MB, 1 * MB))).toEqual([]);
    expect(await detect(joinApp('app-medium-side', 2 * GB, 20 * MB))).toEqual([]);
  });

  it('fires at exactly the threshold and not one byte over', async () => {
    expect(await detect(joinApp('app-at-threshold', 2 * GB, 10 * MB))).toHaveLength(1);
    expect(await detect(joinApp('app-over-threshold', 2 * GB, 10 * MB + 1))).toEqual([]);
  });

  it('reads the configured threshold, says when broadcasting was disabled, and applies the ratio tiers', async () => {
    const [raised] = await detect(joinApp('app-raised', 2 * GB, 150 * MB, { properties: { 'spark.sql.autoBroadcastJoinThreshold': '200m' } }));
    expect(raised!.evidence.thresholds).toMatchObject({ broadcastThresholdBytes: 200 * MB });
    const [disabled] = await detect(joinApp('app-disabled', 2 * GB, 1 * MB, { properties: { 'spark.sql.autoBroadcastJoinThreshold': '-1' } }));
    expect(disabled!.suggestion).toMatch(/turned off \(spark\.sql\.autoBroadcastJoinThreshold=-1\)/);
    const [tier] = await detect(joinApp('app-tier', 20 * GB, 50 * MB));
    expect(tier).toMatchObject({ confidence: 'MEDIUM', evidence: { smallSideBytes: 50 * MB, largeSideBytes: 20 * GB } });
    expect(tier!.suggestion).toMatch(/autoBroadcastJoinThreshold above 50 MB/);
  });

  it('flags a broadcast of 1 GiB or more with the driver time it took, and not a smaller one', async () => {
    const broadcast = (appId: string, bytes: number): SyntheticApp => ({
      appId,
      sparkVersion: '3.5.1',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(4) }] }],
      durationMs: 100_000,
      sqlExecutions: [{
        executionId: 3,
        jobIds: [0],
        plan: {
          name: 'BroadcastHashJoin',
          simpleString: 'BroadcastHashJoin [k#1], [k#2], Inner, BuildRight',
          children: [
            { name: 'Scan parquet ', metrics: [] },
            {
              name: 'BroadcastExchange',
              metrics: [
                { name: 'data size', type: 'size', value: bytes },
                { name: 'number of output rows', value: 40_000_000 },
                { name: 'time to collect', type: 'timing', value: 1_200 },
                { name: 'time to build', type: 'timing', value: 600 },
                { name: 'time to broadcast', type: 'timing', value: 200 },
              ],
              children: [{ name: 'Scan parquet ' }],
            },
          ],
        },
      }],
    });
    const [large] = await detect(broadcast('app-large-broadcast', 2 * GB));
    expect(large).toMatchObject({
      sqlExecutionId: 3,
      confidence: 'HIGH',
      impactMs: 2_000,
      evidence: { broadcastBytes: 2 * GB, rows: 40_000_000, timeToCollectMs: 1_200, thresholds: { largeBroadcastBytes: GB, sparkMaxBroadcastBytes: 8 * GB } },
    });
    // The driver's 2 s, claimed inside the SQL execution's window (at most all of it).
    const [claim] = large!.claims!;
    expect(claim!.to - claim!.from).toBe(large!.evidence['sqlExecutionWallClockMs']);
    expect(claim!.share).toBeCloseTo(2_000 / (claim!.to - claim!.from), 10);
    expect(await detect(broadcast('app-fine-broadcast', 900 * MB))).toEqual([]);
  });

  it('reads the join type after the two key lists', () => {
    expect(joinTypeOf('SortMergeJoin [cs_item_sk#750, cs_order_number#752], [cr_item_sk#567, cr_order_number#581], LeftOuter')).toBe('LeftOuter');
    expect(joinTypeOf('ShuffledHashJoin [a#1], [b#2], Inner, BuildRight, (c#3 > 1)')).toBe('Inner');
    expect(joinTypeOf('SortMergeJoin [element_at(m#1, [k])], [b#2], LeftSemi')).toBe('LeftSemi');
  });

  describe('on the shared real logs', () => {
    let real: TempDatabase;
    const found = new Map<string, InsightDraft[]>();
    beforeAll(async () => {
      real = await openTempDatabase();
      const report = await ingestPaths(real.database, [eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd'), eventLogPath('spark4', 'local-1776286786993.zstd')]);
      await real.database.withConnection(async (connection) => {
        for (const { appKey } of report.applications) {
          found.set(appKey, await broadcastJoinDetector.detect(await createDetectorContext(connection, appKey)));
        }
      });
    }, 120_000);
    afterAll(() => real.dispose());

    it('stays quiet where no side is small enough or the join too small to matter', () => {
      // TPC-DS q72 joins 2 GB with 39 GB and 5 GB with 10 GB: no tier fits; its broadcasts are at most 70 MB.
      expect(found.get('application_1751493828576_0001')).toEqual([]);
      // Spark 4 with broadcasting disabled: its sort-merge joins read 16 MB and 1.6 KB, under the 128 MB floor.
      expect(found.get('local-1776286786993')).toEqual([]);
    });
  });
});
