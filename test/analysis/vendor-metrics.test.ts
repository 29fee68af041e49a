import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext } from '../../src/analysis/detector.js';
import { stageFacts, stagePeakExecutionMemory, stageShuffleWriteTime, type StageFacts } from '../../src/analysis/stage-facts.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { taskPages } from '../../src/store/tasks-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { writeEventLog, type SyntheticApp, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const photon = { 'spark.databricks.clusterUsageTags.sparkVersion': '13.3.x-photon-scala2.12' };

/**
 * A Photon-style application: a map stage whose task metrics read 0 for peak memory and shuffle write time while
 * its SQL accumulators carry them, as Photon logs them (one per operator, metadata "sql"), beside a user
 * accumulator of the application's own.
 */
const photonTask = (peaks: number[], writeNs: number[]): SyntheticTask => ({
  durationMs: 4_000,
  shuffleWriteBytes: 50 * MB,
  accumulables: [
    ...peaks.map((update, i) => ({ name: `${i === 0 ? 'PhotonGroupingAgg' : 'PhotonShuffleExchangeSink'} peak memory usage`, update, metadata: 'sql' as const })),
    { name: 'time taken waiting on file write IO (part of shuffle file write)', update: writeNs[0]!, metadata: 'sql' as const },
    { name: 'time taken to sort rows by partition ID (part of shuffle file write)', update: writeNs[1]!, metadata: 'sql' as const },
    { name: 'num output rows', update: 1_000, metadata: 'sql' as const },
    { name: 'records seen', update: 7 },
  ],
});
const photonApp: SyntheticApp = {
  appId: 'app-photon-metrics',
  sparkVersion: '3.4.1',
  sparkProperties: photon,
  jobs: [{ jobId: 0, stages: [
    { stageId: 0, tasks: [photonTask([200 * MB, 80 * MB], [300e6, 200e6]), photonTask([260 * MB, 90 * MB], [400e6, 100e6])] },
    // Spark's own metrics where they are set: they win over any accumulator.
    { stageId: 1, tasks: [{ durationMs: 2_000, peakExecutionMemory: 64 * MB, shuffleWriteTimeNs: 700e6 }] },
    // The usual Photon task end: SQL metrics only, hundreds of them, no user accumulator (picked out by pattern).
    { stageId: 2, tasks: [{
      durationMs: 3_000,
      accumulables: [
        ...Array.from({ length: 200 }, (_, i) => ({ name: `PhotonOp${i} rows`, update: i, metadata: 'sql' as const })),
        { name: 'PhotonSort peak memory usage', update: 512 * MB, metadata: 'sql' as const },
        { name: 'time taken to convert columns to rows (part of shuffle file write)', update: 250e6, metadata: 'sql' as const },
      ],
    }] },
  ] }],
};

describe('vendor metrics (Photon accumulators)', () => {
  let db: TempDatabase;
  let dir: string;
  let facts: StageFacts[];
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-vendor-'));
    await ingestPaths(db.database, [writeEventLog(dir, photonApp)]);
    facts = await db.database.withConnection(async (connection) => stageFacts(await createDetectorContext(connection, photonApp.appId)));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads peak execution memory as the largest "peak memory usage" accumulator of a task, and names the source', () => {
    const stage = facts.find((f) => f.stageId === 0)!;
    expect(stage.peakExecutionMemory).toBe(0);
    expect(stagePeakExecutionMemory(stage)).toEqual({ value: 260 * MB, source: 'photon accumulators "peak memory usage" (largest per task)' });
  });

  it('reads shuffle write time as the sum of the "part of shuffle file write" accumulators (ns), and names the source', () => {
    const stage = facts.find((f) => f.stageId === 0)!;
    expect(stage.shuffleWriteTimeMs).toBe(0);
    expect(stageShuffleWriteTime(stage)).toEqual({ value: 1_000, source: 'photon accumulators "part of shuffle file write" (summed)' });
  });

  it('reads them from a task end that holds only SQL metrics, as Photon\'s do', () => {
    const stage = facts.find((f) => f.stageId === 2)!;
    expect(stagePeakExecutionMemory(stage).value).toBe(512 * MB);
    expect(stageShuffleWriteTime(stage).value).toBe(250);
  });

  it('keeps Spark\'s task metrics as the source where they are set', () => {
    const stage = facts.find((f) => f.stageId === 1)!;
    expect(stagePeakExecutionMemory(stage)).toEqual({ value: 64 * MB, source: 'task metrics (peakExecutionMemory)' });
    expect(stageShuffleWriteTime(stage)).toEqual({ value: 700, source: 'task metrics (shuffleWriteTime)' });
  });

  it('serves only user accumulators with a task, as History Server does, though the store keeps the vendor metrics', async () => {
    const [page] = await taskPages(db.database, [{ appKey: photonApp.appId, stageId: 0, attemptId: 0 }], { order: 'ID', offset: 0, limit: 10 });
    const names = page!.tasks.flatMap((task) => task.accumulatorUpdates.map((a) => a.name));
    expect(names).toEqual(['records seen', 'records seen']);
  });
});
