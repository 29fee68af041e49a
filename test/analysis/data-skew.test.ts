import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataSkewDetector } from '../../src/analysis/detectors/data-skew.js';
import { createDetectorContext } from '../../src/analysis/detector.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { writeEventLog, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));

describe('data-skew detector', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-skew-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  async function detect(appId: string, tasks: SyntheticTask[], properties: Record<string, string> = {}, name = 'groupBy at job.scala:10') {
    const log = writeEventLog(dir, { appId, sparkVersion: '3.1.2', sparkProperties: properties, jobs: [{ jobId: 0, stages: [{ stageId: 1, name, tasks }] }] });
    await ingestPaths(db.database, [log]);
    return db.database.withConnection(async (connection) => dataSkewDetector.detect(await createDetectorContext(connection, appId)));
  }

  it('flags a stage whose largest task read ≥ 5× the median and ≥ 256 MB, citing the thresholds', async () => {
    const tasks = [...even(59, { durationMs: 2_000, shuffleReadBytes: 50 * MB }), { durationMs: 60_000, shuffleReadBytes: 900 * MB }];
    const [insight, ...rest] = await detect('app-skewed', tasks);
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'data-skew:stage-1.0',
      stageId: 1,
      stageAttemptId: 0,
      confidence: 'HIGH',
      evidence: {
        successfulTasks: 60,
        maxBytes: 900 * MB,
        medianBytes: 50 * MB,
        byteRatio: 18,
        adaptiveExecutionEnabled: false,
        thresholds: { skewedPartitionFactor: 5, skewedPartitionThresholdInBytes: 256 * MB },
      },
    });
    // The stage waited (max - median) run time: 54 s - 1.8 s.
    expect(insight!.impactMs).toBe(54_000 - 1_800);
    expect(insight!.description).toMatch(/Adaptive query execution was off/);
    expect(insight!.suggestion).toMatch(/[Ss]alt/);
  });

  it('writes sizes and times at their scale: a median of kilobytes is not "0 MB", a minute not "75.0 s"', async () => {
    const KB = 1024;
    const tasks = [...even(39, { durationMs: 1_000, shuffleReadBytes: 300 * KB }), { durationMs: 76_000, shuffleReadBytes: 1536 * MB }];
    const [insight] = await detect('app-skewed-tiny-median', tasks);
    expect(insight!.description).toMatch(/the largest task read 1\.5 GB of shuffle read data against a median of 300 KB over 40 tasks, and ran 1\.1 min longer/);
  });

  it('suggests AQE skew-join handling for a join stage when AQE was off', async () => {
    const tasks = [...even(19, { durationMs: 2_000, shuffleReadBytes: 40 * MB }), { durationMs: 40_000, shuffleReadBytes: 600 * MB }];
    const [insight] = await detect('app-skewed-join', tasks, { 'spark.sql.adaptive.enabled': 'false' }, 'sortMergeJoin at job.scala:20');
    expect(insight!.suggestion).toMatch(/spark\.sql\.adaptive\.skewJoin\.enabled=true/);
    expect(insight!.confidence).toBe('MEDIUM');
  });

  it('stays quiet for evenly sized tasks, and for skew below the 256 MB floor', async () => {
    expect(await detect('app-even', even(40, { durationMs: 5_000, shuffleReadBytes: 300 * MB }))).toEqual([]);
    const smallSkew = [...even(39, { durationMs: 1_000, shuffleReadBytes: 1 * MB }), { durationMs: 30_000, shuffleReadBytes: 200 * MB }];
    expect(await detect('app-small-skew', smallSkew)).toEqual([]);
  });

  it('stays quiet at the boundary: exactly 256 MB but a largest task only 5 s longer than the median', async () => {
    const tasks = [...even(39, { durationMs: 1_000, shuffleReadBytes: 10 * MB }), { durationMs: 6_000, shuffleReadBytes: 256 * MB }];
    expect(await detect('app-boundary', tasks)).toEqual([]);
  });

  it('is stored with the application by the ingest', async () => {
    const rows = await db.database.query(`SELECT type, stageId FROM insights WHERE appKey = 'app-skewed' AND type = 'data-skew'`);
    expect(rows).toEqual([{ type: 'data-skew', stageId: 1n }]);
  });
});
