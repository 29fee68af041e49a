import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { simulateExecutors, type SimulationInput } from '../../src/simulation/executor-simulator.js';
import { simulateApplication } from '../../src/simulation/simulation-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

/**
 * Timings of the synthetic log (test/helpers/synthetic-log.ts) the numbers below are worked out from: the
 * first job is submitted 110 ms after the start, each stage 10 ms after the previous event and its tasks 1 ms
 * after that (so every stage carries a measured 11 ms driver delay before its first task), the job ends 5 ms
 * after its last stage and the application 100 ms after its last job. One job of one stage therefore leaves
 * 210 ms when no job runs, and 16 ms of driver time inside it.
 */
const oneJob = (stages: SyntheticApp['jobs'][number]['stages']): SyntheticApp['jobs'] => [{ jobId: 0, stages }];
const seconds = (n: number, each: number): Array<{ durationMs: number }> => Array.from({ length: n }, () => ({ durationMs: each }));

describe('executor what-if on hand-built logs', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-simulate-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const simulate = async (spec: SyntheticApp, options: Parameters<typeof simulateApplication>[2]) => {
    await ingestPaths(db.database, [writeEventLog(dir, spec)]);
    return simulateApplication(db.database, spec.appId, options);
  };

  it('8 tasks of 1 s take 4 s on 2 slots and 2 s on 4, plus the fixed driver time', async () => {
    const result = await simulate({ appId: 'app-eight', jobs: oneJob([{ stageId: 0, tasks: seconds(8, 1000) }]) }, {
      executorCounts: [2, 4],
      coresPerExecutor: 1,
    });
    expect(result.driverOnlyMs).toBe(210);
    expect(result.points).toEqual([
      { executors: 2, estimatedWallTimeMs: 4000 + 226, estimatedUtilization: Math.round((8000 / (2 * 4226)) * 10_000) / 10_000 },
      { executors: 4, estimatedWallTimeMs: 2000 + 226, estimatedUtilization: Math.round((8000 / (4 * 2226)) * 10_000) / 10_000 },
    ]);
    // Unlimited executors: one wave of 1 s. Ideal: 8 s of tasks over the actual 4 cores, plus the 210 ms.
    expect(result.criticalPathMs).toBe(1000 + 226);
    expect(result.idealTimeMs).toBe(210 + 8000 / 4);
    expect(result.totalTaskTimeMs).toBe(8000);
    expect(result.replayedTasks).toBe(8);
    expect(result.actualExecutors).toBe(1);
    expect(result.actualDurationMs).toBe(1227);
    expect(result.assumptions.length).toBeGreaterThanOrEqual(5);
    expect(result.assumptions.join(' ')).toContain('210 ms');
  });

  it('runs a child stage only after its parent: 4×1 s then 2×2 s on 2 slots', async () => {
    const result = await simulate(
      {
        appId: 'app-chain',
        jobs: oneJob([
          { stageId: 0, tasks: seconds(4, 1000) },
          { stageId: 1, parentIds: [0], tasks: seconds(2, 2000) },
        ]),
      },
      { executorCounts: [2, 6], coresPerExecutor: 1 },
    );
    // 2 slots: stage 0 in two waves (2 s), then stage 1 in one wave (2 s); two stage delays of 11 ms, 5 ms tail.
    expect(result.points[0]).toMatchObject({ executors: 2, estimatedWallTimeMs: 210 + 11 + 2000 + 11 + 2000 + 5 });
    // 6 slots: the child still waits for its parent, so more slots only shorten stage 0 to one wave.
    expect(result.points[1]).toMatchObject({ executors: 6, estimatedWallTimeMs: 210 + 11 + 1000 + 11 + 2000 + 5 });
    expect(result.criticalPathMs).toBe(210 + 11 + 1000 + 11 + 2000 + 5);
    expect(result.idealTimeMs).toBe(210 + 8000 / 4);
  });

  it('replays a failed attempt and a killed speculative copy in the curve and in its error, and reports their time', async () => {
    const result = await simulate(
      {
        appId: 'app-failed',
        jobs: oneJob([{
          stageId: 0,
          tasks: [
            { durationMs: 500, index: 0, failure: 'ExceptionFailure' },
            { durationMs: 1000, index: 0, attempt: 1 },
            { durationMs: 1000, index: 1 },
            { durationMs: 300, index: 1, attempt: 1, speculative: true, failure: 'TaskKilled' },
            { durationMs: 1000, index: 2 },
            { durationMs: 1000, index: 3 },
          ],
        }]),
      },
      { executorCounts: [1], coresPerExecutor: 1 },
    );
    expect(result.failedTaskTimeMs).toBe(500);
    expect(result.speculativeTaskTimeMs).toBe(300);
    expect(result.replayedTasks).toBe(4);
    expect(result.totalTaskTimeMs).toBe(4000);
    // The curve replays every attempt, as the run happened: 4 s of successful work + 0.5 s failed + 0.3 s killed.
    expect(result.points[0]).toMatchObject({ executors: 1, estimatedWallTimeMs: 210 + 11 + 4800 + 5 });
    // The model error reads the same curve at the actual count (1 executor, here of 1 core as asked).
    expect(result.actualExecutorsUsed).toBe(1);
    expect(result.estimateAtActualMs).toBe(result.points[0]!.estimatedWallTimeMs);
    expect(result.modelErrorPercent).toBe(
      Math.round((Math.abs(result.estimateAtActualMs - result.actualDurationMs) / result.actualDurationMs) * 10_000) / 100,
    );
    // At the actual 4 cores: index 0's failure and retry, and the copy.
    expect(result.replayAtActualMs).toBe(210 + 11 + 1500 + 5);
  });

  it('replays a stage retry after its previous attempt, counting the work of both', async () => {
    const result = await simulate(
      {
        appId: 'app-retry',
        jobs: oneJob([
          { stageId: 0, tasks: [{ durationMs: 1000 }, { durationMs: 1000, failure: 'FetchFailed' }], failureReason: 'fetch failed' },
          { stageId: 0, attemptId: 1, tasks: [{ durationMs: 1000, index: 1 }] },
        ]),
      },
      { executorCounts: [2], coresPerExecutor: 1 },
    );
    // Attempt 0's successful task (1 s), then attempt 1's retry (1 s): the retry waits for its previous attempt.
    expect(result.failedTaskTimeMs).toBe(1000);
    expect(result.replayedTasks).toBe(2);
    expect(result.points[0]).toMatchObject({ estimatedWallTimeMs: 210 + 11 + 1000 + 11 + 1000 + 5 });
  });

  it('keeps the time between jobs fixed and replays each job on its own', async () => {
    const result = await simulate(
      {
        appId: 'app-two-jobs',
        jobs: [
          { jobId: 0, stages: [{ stageId: 0, tasks: seconds(4, 1000) }] },
          { jobId: 1, idleBeforeMs: 3000, stages: [{ stageId: 1, tasks: seconds(2, 1000) }] },
        ],
      },
      { executorCounts: [1, 2], coresPerExecutor: 1 },
    );
    // 110 ms before the first job, 3000 ms between the jobs, 100 ms after: 3210 ms; 16 ms inside each job.
    expect(result.driverOnlyMs).toBe(3210);
    expect(result.points.map((point) => point.estimatedWallTimeMs)).toEqual([3210 + 16 + 4000 + 16 + 2000, 3210 + 16 + 2000 + 16 + 1000]);
  });
});

describe('executor what-if model', () => {
  /**
   * Two concurrent jobs: job 0 (stage 0: 4 tasks of 1 s) from 0 ms, job 1 (stage 1: 2 tasks of 1 s) from 500 ms;
   * the application runs 100 ms more after the last job.
   */
  const concurrent: SimulationInput = {
    appStartTime: 0,
    appEndTime: 3100,
    jobs: [
      { jobId: 0, submissionTime: 0, completionTime: 2000 },
      { jobId: 1, submissionTime: 500, completionTime: 3000 },
    ],
    stages: [
      { stageId: 0, attemptId: 0, jobId: 0, parentIds: [], submissionTime: 0, completionTime: 2000 },
      { stageId: 1, attemptId: 0, jobId: 1, parentIds: [], submissionTime: 500, completionTime: 3000 },
    ],
    tasks: [
      ...[0, 1, 2, 3].map((index) => ({ stageId: 0, stageAttemptId: 0, index, launchTime: index < 2 ? 0 : 1000, durationMs: 1000, outcome: 'completed' as const, speculative: false })),
      ...[0, 1].map((index) => ({ stageId: 1, stageAttemptId: 0, index, launchTime: 2000, durationMs: 1000, outcome: 'completed' as const, speculative: false })),
    ],
    executors: [
      { addTime: 0, removeTime: null, totalCores: 1 },
      { addTime: 0, removeTime: null, totalCores: 1 },
    ],
  };

  it('lets stages of concurrent jobs share the slots, each job from its own submission', () => {
    const result = simulateExecutors(concurrent, { executorCounts: [2, 4, 6] });
    // 2 slots: stage 0 holds both until 2 s (FIFO by job), stage 1 then runs 2-3 s. 4 slots: stage 0 fills them
    // 0-1 s, so stage 1 (submitted at 500 ms) waits and runs 1-2 s. 6 slots: stage 1 starts at its job's 500 ms
    // beside stage 0 and ends at 1.5 s. Plus 100 ms after the jobs.
    expect(result.points.map((point) => point.estimatedWallTimeMs)).toEqual([3100, 2100, 1600]);
    expect(result.criticalPathMs).toBe(1600);
    expect(result.driverOnlyMs).toBe(100);
    expect(result.idealTimeMs).toBe(100 + 6000 / 2);
    expect(result.actualExecutors).toBe(2);
    expect(result.coresPerExecutor).toBe(1);
    expect(result.estimateAtActualMs).toBe(3100);
    expect(result.modelErrorPercent).toBe(0);
  });

  it('reads the actual configuration time-weighted from executors added and removed', () => {
    // Executor 2 leaves at 1 s of the 3 s the jobs ran: 1 + 1/3 executors on average, 2 at most.
    const result = simulateExecutors({
      ...concurrent,
      executors: [
        { addTime: 0, removeTime: null, totalCores: 1 },
        { addTime: 0, removeTime: 1000, totalCores: 1 },
      ],
    });
    expect(result.actualExecutors).toBe(1.33);
    expect(result.maxConcurrentExecutors).toBe(2);
    // The estimate at the actual configuration uses the rounded mean: 1 slot, 6 s of tasks.
    expect(result.estimateAtActualMs).toBe(100 + 6000);
    expect(result.actualExecutorsUsed).toBe(1);
    expect(result.actualExecutorsBasis).toMatch(/time-weighted mean .*1\.33, rounded to 1.*not the peak \(2\)/);
    // |6100 − 3100| / 3100: the run had 2 executors for its first second.
    expect(result.modelErrorPercent).toBe(96.77);
  });

  it('is deterministic', () => {
    expect(simulateExecutors(concurrent, { executorCounts: [1, 2, 3] })).toEqual(simulateExecutors(concurrent, { executorCounts: [1, 2, 3] }));
  });
});
