import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import type { SimulationResult } from '../../src/simulation/executor-simulator.js';
import { simulateApplication } from '../../src/simulation/simulation-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * The model against real runs: for every apache-spark/ and spark4/ log with at least 20 tasks, the replay at the
 * actual configuration lies within a stated error of the real duration. The bounds are what was observed when
 * the model was written (not tuned to any file), over 14 logs: whole run −1.2% to 0% (bound ±2%); time inside
 * jobs, where the replay does its work, −13.7% to 0% (bound ±15%; the worst is a YARN log whose short stages
 * finish well after their last task). Most of these logs spend most of their time in the driver, which the
 * model keeps fixed, so the whole-run bound is the weaker evidence of the two. The replay always comes out a
 * little short: driver work the model does not see (a stage's end after its last task) is left out.
 */
const WHOLE_RUN_BOUND_PERCENT = 2;
const JOB_TIME_BOUND_PERCENT = 15;

describe('executor what-if on the shared logs', () => {
  let db: TempDatabase;
  const results: Array<{ app: string; tasks: number; overlappingJobPairs: number; result: SimulationResult }> = [];
  beforeAll(async () => {
    db = await openTempDatabase();
    const report = await ingestPaths(db.database, [eventLogPath('apache-spark'), eventLogPath('spark4')]);
    for (const app of report.applications) {
      const [row] = await db.database.query(`SELECT count(*)::INTEGER AS n FROM tasks WHERE appKey = $appKey`, { appKey: app.appKey });
      const [overlap] = await db.database.query(
        `SELECT count(*)::INTEGER AS n FROM jobs a JOIN jobs b ON a.appKey = b.appKey AND a.jobId < b.jobId
           AND b.submissionTime < a.completionTime AND a.submissionTime < b.completionTime
         WHERE a.appKey = $appKey`,
        { appKey: app.appKey },
      );
      results.push({
        app: app.appKey,
        tasks: row!.n as number,
        overlappingJobPairs: overlap!.n as number,
        result: await simulateApplication(db.database, app.appKey),
      });
    }
  }, 240_000);
  afterAll(() => db.dispose());

  it('replays every log with ≥ 20 tasks within the stated error of its real duration', () => {
    const measured = results.filter(({ tasks }) => tasks >= 20);
    expect(measured.length).toBeGreaterThanOrEqual(14);
    for (const { app, result } of measured) {
      expect(Math.abs(result.modelErrorPercent), app).toBeLessThanOrEqual(WHOLE_RUN_BOUND_PERCENT);
      const realJobTime = result.actualDurationMs - result.driverOnlyMs;
      const replayedJobTime = result.replayAtActualMs - result.driverOnlyMs;
      const jobTimeError = realJobTime > 0 ? ((replayedJobTime - realJobTime) / realJobTime) * 100 : 0;
      expect(Math.abs(jobTimeError), app).toBeLessThanOrEqual(JOB_TIME_BOUND_PERCENT);
    }
  });

  it('includes real runs whose jobs overlapped, so concurrent jobs are replayed end to end within the same bounds', () => {
    const concurrent = results.filter(({ tasks, overlappingJobPairs }) => tasks >= 20 && overlappingJobPairs > 0);
    expect(concurrent.length).toBeGreaterThanOrEqual(1);
    for (const { app, result } of concurrent) expect(Math.abs(result.modelErrorPercent), app).toBeLessThanOrEqual(WHOLE_RUN_BOUND_PERCENT);
  });

  it('keeps every estimate between its bounds and never below the critical path', () => {
    for (const { app, result } of results) {
      expect(result.criticalPathMs, app).toBeGreaterThanOrEqual(result.driverOnlyMs);
      for (const point of result.points) {
        expect(point.estimatedWallTimeMs, `${app} ×${point.executors}`).toBeGreaterThanOrEqual(result.criticalPathMs);
        expect(point.estimatedUtilization, `${app} ×${point.executors}`).toBeLessThanOrEqual(1);
      }
      const walls = result.points.map((point) => point.estimatedWallTimeMs);
      expect(walls, app).toEqual([...walls].sort((a, b) => b - a)); // more executors never estimate longer
      expect(result.assumptions.length, app).toBeGreaterThanOrEqual(5);
    }
  });
});
