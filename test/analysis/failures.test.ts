import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import { createDetectorContext, type InsightDraft } from '../../src/analysis/detector.js';
import { errorSummary, failuresDetector } from '../../src/analysis/detectors/failures.js';
import { severityOf } from '../../src/analysis/run-detectors.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { type SyntheticTask } from '../helpers/synthetic-log.js';

const ok = (n: number, durationMs = 1_000): SyntheticTask[] => Array.from({ length: n }, () => ({ durationMs }));
const byId = (insights: InsightDraft[], id: string): InsightDraft | undefined => insights.find((insight) => insight.id === id);

describe('failures detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(failuresDetector);

  it('groups failed attempts by cause, recognising out-of-memory from the exception class and the container loss reason', async () => {
    const insights = await detect({
      appId: 'app-task-failures',
      executors: [{ id: '1' }, { id: '2' }],
      jobs: [{
        jobId: 0,
        stages: [{
          stageId: 1,
          tasks: [
            ...ok(16, 2_000),
            { durationMs: 3_000, index: 0, attempt: 1, failure: 'java.lang.OutOfMemoryError', failureDetail: 'Java heap space' },
            { durationMs: 3_000, index: 1, attempt: 1, failure: 'ExecutorLostFailure', executorId: '2',
              failureDetail: 'Container killed by YARN for exceeding physical memory limits. 5.5 GB of 5.5 GB physical memory used.' },
            { durationMs: 3_000, index: 2, attempt: 1, failure: 'java.lang.OutOfMemoryError', failureDetail: 'GC overhead limit exceeded' },
            { durationMs: 3_000, index: 3, attempt: 1, failure: 'java.lang.OutOfMemoryError', failureDetail: 'Java heap space' },
            { durationMs: 1_500, index: 4, attempt: 1, failure: 'FetchFailed', failureDetail: 'Failed to connect to host-2' },
            { durationMs: 2_500, index: 5, attempt: 1, failure: 'java.lang.IllegalStateException', failureDetail: 'bad record' },
          ],
        }],
      }],
    });
    expect(insights.map((insight) => insight.id).sort()).toEqual([
      'failures:executors-lost',
      'failures:tasks-exception-java.lang.IllegalStateException',
      'failures:tasks-fetch-failed',
      'failures:tasks-oom',
    ]);
    // The container YARN killed for memory: one lost executor, its cause and what to raise.
    expect(byId(insights, 'failures:executors-lost')).toMatchObject({
      title: '1 executor was lost while the application ran (killed for exceeding container memory)',
      severityFloor: 'LOW',
      evidence: { cause: 'container-memory', failedAttempts: 1, lostTaskTimeMs: 3_000, executors: [{ id: '2' }] },
    });
    expect(byId(insights, 'failures:executors-lost')!.suggestion).toMatch(/spark\.executor\.memoryOverhead/);
    const oom = byId(insights, 'failures:tasks-oom')!;
    expect(oom).toMatchObject({
      stageId: 1,
      stageAttemptId: 0,
      confidence: 'MEDIUM', // 3 attempts, under spark.task.maxFailures
      evidence: { category: 'oom', attempts: 3, lostTaskTimeMs: 9_000, executors: ['1', '2'], taskMaxFailures: 4 },
    });
    // Wall-clock: every task ran at once, so the stage's window is its longest task (3 s); the OOM attempts took
    // 9 s of its 48 s of task time (32 s of successful work + 16 s of failed attempts), so 3/16 of that window.
    expect(oom.claims).toHaveLength(1);
    expect(oom.claims![0]!.to - oom.claims![0]!.from).toBe(3_000);
    expect(oom.claims![0]!.share).toBe(9_000 / 48_000);
    expect(oom.impactMs).toBe(3_000 * 9_000 / 48_000);
    expect(oom.evidence).toMatchObject({ wallClockMs: 563, stages: [{ stageId: 1, lostTaskTimeMs: 9_000 }] });
    expect(oom.suggestion).toMatch(/spark\.executor\.memory\b/);
    expect(byId(insights, 'failures:tasks-fetch-failed')).toMatchObject({ confidence: 'LOW', evidence: { attempts: 1, lostTaskTimeMs: 1_500 } });
    const exception = byId(insights, 'failures:tasks-exception-java.lang.IllegalStateException')!;
    expect(exception.evidence.sampleError).toMatch(/^java\.lang\.IllegalStateException: bad record/);
    expect(exception.description).toMatch(/First error: java\.lang\.IllegalStateException: bad record/);
  });

  it('reports a failed job with the stage that failed it, and leaves a cancelled job alone', async () => {
    const insights = await detect({
      appId: 'app-failed-job',
      jobs: [
        { jobId: 0, stages: [{ stageId: 0, tasks: ok(4, 5_000) }] },
        {
          jobId: 1,
          failed: true,
          failureReason: 'Job aborted due to stage failure: Task 2 in stage 1.0 failed 4 times, most recent failure: java.lang.ArithmeticException: / by zero',
          stages: [{
            stageId: 1,
            failureReason: 'Task 2 in stage 1.0 failed 4 times',
            tasks: [...ok(3), ...Array.from({ length: 4 }, (_, attempt) => ({ durationMs: 500, index: 2, attempt, failure: 'java.lang.ArithmeticException' }))],
          }],
        },
        { jobId: 2, failed: true, failureReason: 'Job 2 cancelled part of cancelled job group 7', stages: [{ stageId: 2, tasks: ok(2) }] },
      ],
    });
    const job = byId(insights, 'failures:job-1')!;
    expect(job).toMatchObject({
      jobId: 1,
      stageId: 1,
      stageAttemptId: 0,
      confidence: 'HIGH',
      evidence: { jobId: 1, failedStages: [{ stageId: 1, stageAttemptId: 0, failedTasks: 4 }], lostTaskTimeMs: 2_000 },
    });
    expect(job.title).toBe('Job 1 failed');
    expect(job.description).toMatch(/ArithmeticException: \/ by zero/);
    expect(job.impactMs).toBeGreaterThan(1_000); // the job's wall-clock, ~1 s of tasks
    expect(byId(insights, 'failures:job-2')).toBeUndefined();
  });

  it('reports a stage resubmitted after a fetch failure, with the wall-clock of the attempt it threw away', async () => {
    const insights = await detect({
      appId: 'app-stage-retry',
      jobs: [{
        jobId: 0,
        stages: [
          { stageId: 0, tasks: ok(4, 4_000) },
          {
            stageId: 1,
            attemptId: 0,
            failureReason: 'org.apache.spark.shuffle.FetchFailedException: Failed to connect to host-1',
            tasks: [...ok(2, 3_000), { durationMs: 3_000, failure: 'FetchFailed' }],
          },
          { stageId: 1, attemptId: 1, tasks: ok(3, 2_000) },
        ],
      }],
    });
    const retry = byId(insights, 'failures:stage-1-retried')!;
    expect(retry).toMatchObject({
      stageId: 1,
      stageAttemptId: 1,
      confidence: 'HIGH',
      evidence: {
        lostWallClockMs: 3_002,
        lostTaskTimeMs: 9_000,
        attempts: [{ stageAttemptId: 0, status: 'FAILED' }, { stageAttemptId: 1, status: 'COMPLETE' }],
      },
    });
    expect(retry.title).toMatch(/after shuffle fetch failures/);
    expect(retry.suggestion).toMatch(/spark\.shuffle\.service\.enabled/);
  });

  it('claims the wall-clock an executor lost mid-stage added: the retry pushed the stage end out by the lost attempt', async () => {
    const insights = await detect({
      appId: 'app-executor-lost-mid-stage',
      executors: [{ id: '1', cores: 8 }, { id: '2', cores: 8, removedAfterMs: 7_000, removeReason: 'Container marked as failed: exit status 143' }],
      jobs: [{
        jobId: 0,
        stages: [{
          stageId: 0,
          tasks: [
            ...ok(4, 10_000).map((task) => ({ ...task, executorId: '1' })),
            { durationMs: 6_000, index: 4, attempt: 0, executorId: '2', failure: 'ExecutorLostFailure', failureDetail: 'Container marked as failed: exit status 143' },
            { durationMs: 10_000, index: 4, attempt: 1, executorId: '1', launchAfterMs: 6_001 },
          ],
        }],
      }],
    });
    // By hand: every task ran 10 s from the stage's start, except task 4, which lost 6 s on executor 2 and then
    // ran its 10 s: the stage ended 6 s later than it would have. Its task time (56 s) over its 16 s window would
    // say only 6/56 of 16 s = 1.7 s.
    const lost = byId(insights, 'failures:executors-lost')!;
    expect(lost.impactMs).toBe(6_000);
    expect(lost.claims).toHaveLength(1);
    expect(lost.claims![0]!.to - lost.claims![0]!.from).toBe(6_000);
    expect(lost.claims![0]!.share).toBe(1);
    expect(lost.evidence).toMatchObject({ lostTaskTimeMs: 6_000, wallClockMs: 6_000 });
    expect(lost.description).toMatch(/costing their stages about 6\.0 s of wall-clock/);
  });

  it('reports an executor lost with no task running on it without a count of zero failed attempts', async () => {
    const insights = await detect({
      appId: 'app-executor-lost-idle',
      executors: [{ id: '1', cores: 4 }, { id: '2', cores: 4, removedAfterMs: 1_000, removeReason: 'worker lost: host-2 got disassociated' }],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: ok(4, 2_000).map((task) => ({ ...task, executorId: '1' })) }] }],
    });
    const lost = byId(insights, 'failures:executors-lost')!;
    expect(lost.evidence).toMatchObject({ failedAttempts: 0, lostTaskTimeMs: 0, wallClockMs: 0 });
    expect(lost.impactMs).toBe(0);
    expect(lost.description).toMatch(/^Executor 2 went away before the application ended \("worker lost: host-2 got disassociated"\)\. /);
    expect(lost.description).toMatch(/No task attempt failed with it \(ExecutorLostFailure\), but any shuffle output or cached blocks it held/);
    expect(lost.description).not.toMatch(/\b0 task attempts|0\.0 s/);
  });

  it('writes a failed attempt shorter than a second in milliseconds, not as 0.0 s', async () => {
    const insights = await detect({
      appId: 'app-quick-failure',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [
        ...ok(3, 500),
        { durationMs: 400, index: 3, attempt: 0, failure: 'java.lang.IllegalStateException', failureDetail: 'bad record' },
        { durationMs: 500, index: 3, attempt: 1, launchAfterMs: 401 },
      ] }] }],
    });
    const failed = byId(insights, 'failures:tasks-exception-java.lang.IllegalStateException')!;
    expect(failed.title).toMatch(/losing 400 ms of task time$/);
    expect(failed.description).toMatch(/ran for 400 ms, /);
    expect(`${failed.title} ${failed.description}`).not.toMatch(/\b0\.0 s\b/);
  });

  it('says "it" of one lost executor and "them" of several', async () => {
    const insights = await detect({
      appId: 'app-executors-lost',
      executors: [
        { id: '1', cores: 4 },
        { id: '2', cores: 4, removedAfterMs: 1_000, removeReason: 'worker lost' },
        { id: '3', cores: 4, removedAfterMs: 1_200, removeReason: 'worker lost' },
      ],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [
        ...ok(3, 2_000).map((task) => ({ ...task, executorId: '1' })),
        { durationMs: 1_000, index: 3, attempt: 0, executorId: '2', failure: 'ExecutorLostFailure', failureDetail: 'worker lost' },
        { durationMs: 2_000, index: 3, attempt: 1, executorId: '1', launchAfterMs: 1_001 },
      ] }] }],
    });
    expect(byId(insights, 'failures:executors-lost')!.description)
      .toMatch(/^Executors 2, 3 went away .* 1 task attempt running on them failed with ExecutorLostFailure \(1\.0 s of task time/);
  });

  it('claims a re-run of a completed map stage and the failed attempt of the stage that read it, each once', async () => {
    const insights = await detect({
      appId: 'app-map-stage-rerun',
      jobs: [{
        jobId: 0,
        stages: [
          { stageId: 0, tasks: ok(4, 4_000) },
          { stageId: 1, failureReason: 'org.apache.spark.shuffle.FetchFailedException: Failed to connect to host-1',
            tasks: [...ok(2, 3_000), { durationMs: 3_000, failure: 'FetchFailed' }] },
          { stageId: 0, attemptId: 1, tasks: ok(1, 4_000) },
          { stageId: 1, attemptId: 1, tasks: ok(3, 2_000) },
        ],
      }],
    });
    // Stage 0's first attempt completed and is kept; its second (the re-run of lost map output) is what the
    // failure added: its window, submission to completion, is its 4 s task plus the log's 2 ms of launch and end.
    const map = byId(insights, 'failures:stage-0-retried')!;
    expect(map.evidence).toMatchObject({ completedAttempt: 0, lostWallClockMs: 4_002, lostTaskTimeMs: 4_000 });
    expect(map.impactMs).toBe(4_002);
    const reduce = byId(insights, 'failures:stage-1-retried')!;
    expect(reduce.evidence).toMatchObject({ completedAttempt: 1, lostWallClockMs: 3_002 });
    // The failed attempt is reported, but its wall-clock is the retried stage's: not claimed twice.
    const failed = byId(insights, 'failures:stage-1.0-failed')!;
    expect(failed).toMatchObject({ impactMs: 0, claims: [], severityFloor: 'MEDIUM' });
    expect(failed.evidence['impactBasis']).toMatch(/failures:stage-1-retried/);
  });

  it('claims no run time for attempts killed when their speculative copy finished first', async () => {
    const insights = await detect({
      appId: 'app-speculation-kill',
      sparkProperties: { 'spark.speculation': 'true' },
      executors: [{ id: '1' }, { id: '2' }],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [
        ...ok(9, 2_000),
        { durationMs: 2_000, index: 9, attempt: 1, speculative: true, executorId: '2' },
        { durationMs: 2_000, index: 9, attempt: 0, executorId: '1', failure: 'TaskKilled', failureDetail: 'another attempt succeeded' },
      ] }] }],
    });
    const killed = byId(insights, 'failures:tasks-killed')!;
    expect(killed).toMatchObject({ impact: 0, impactMs: 0, claims: [], evidence: { lostTaskTimeMs: 2_000 } });
    expect(killed.evidence['impactBasis']).toMatch(/^none in wall-clock/);
  });

  it('keeps a failed job above the failures that led to it, however much time they claim', async () => {
    const insights = await detect({
      appId: 'app-failed-job-on-top',
      jobs: [{
        jobId: 0,
        failed: true,
        failureReason: 'Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times: java.io.IOException: disk',
        stages: [{ stageId: 0, failureReason: 'Task 0 in stage 0.0 failed 4 times', tasks: [
          ...ok(3, 1_000),
          ...[0, 1, 2, 3].map((attempt) => ({ durationMs: 5_000, index: 3, attempt, failure: 'java.io.IOException', failureDetail: 'disk' })),
        ] }],
      }],
    });
    const job = byId(insights, 'failures:job-0')!;
    expect(job.role).toBe('failure');
    expect(severityOf(job, job.impact)).toBe('CRITICAL');
    const tasks = byId(insights, 'failures:tasks-exception-java.io.IOException')!;
    // The failed attempts took 20 s of the stage's 23 s of task time: a large claim, capped below the job.
    expect(tasks.severityCap).toBe('HIGH');
    expect(severityOf(tasks, 1)).toBe('HIGH');
  });

  it('counts one failed attempt on an excluded executor in the singular', async () => {
    const insights = await detect({
      appId: 'app-excluded-once',
      sparkProperties: { 'spark.excludeOnFailure.enabled': 'true' },
      executors: [{ id: '1', host: 'good' }, { id: '2', host: 'bad' }],
      exclusions: [{ kind: 'executor', executorId: '2', afterMs: 500, failures: 1 }],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [
        ...ok(8, 2_000).map((task) => ({ ...task, executorId: '1' })),
        { durationMs: 1_000, executorId: '2', failure: 'java.io.IOException', index: 0, attempt: 1 },
      ] }] }],
    });
    expect(byId(insights, 'failures:excluded-executors')!.description).toMatch(/\. 1 failed attempt there cost 1\.0 s, /);
  });

  it('reports executors Spark excluded, with the settings that excluded them', async () => {
    const insights = await detect({
      appId: 'app-excluded',
      sparkProperties: { 'spark.excludeOnFailure.enabled': 'true' },
      executors: [{ id: '1', host: 'good' }, { id: '2', host: 'bad' }],
      exclusions: [{ kind: 'executor', executorId: '2', afterMs: 500, failures: 2 }],
      jobs: [{
        jobId: 0,
        stages: [{
          stageId: 0,
          tasks: [...ok(8, 2_000).map((task) => ({ ...task, executorId: '1' })),
            { durationMs: 1_000, executorId: '2', failure: 'java.io.IOException', index: 0, attempt: 1 },
            { durationMs: 1_000, executorId: '2', failure: 'java.io.IOException', index: 1, attempt: 1 }],
        }],
      }],
    });
    const excluded = byId(insights, 'failures:excluded-executors')!;
    // 2 s of failed attempts in a stage of 18 s of task time whose window is its 2 s tasks: 1/9 of 2 s, claimed once,
    // by the insight of their cause; the exclusion claims none of it.
    expect(byId(insights, 'failures:tasks-exception-java.io.IOException')!.impactMs).toBeCloseTo(2_000 / 9, 6);
    expect(excluded).toMatchObject({ impact: 0, impactMs: 0, severityFloor: 'LOW' });
    expect(excluded.evidence['impactBasis']).toMatch(/claimed by the task-failure insights/);
    expect(excluded).toMatchObject({
      confidence: 'HIGH',
      evidence: {
        lostTaskTimeMs: 2_000,
        excludedExecutors: ['2'],
        applicationWide: true,
        failedAttemptsThere: 2,
        settings: { enabled: 'true', timeout: '1h (default)' },
      },
    });
    expect(excluded.description).toMatch(/executor 2 for the whole application/);
  });

  it('reports a lost executor, fetch failures, resubmitted tasks and a failed stage even when they cost under 1% of task time', async () => {
    const insights = await detect({
      appId: 'app-small-losses',
      sparkVersion: '3.1.2',
      executors: [{ id: '1' }, { id: '2', removedAfterMs: 900, removeReason: 'Executor heartbeat timed out after 120000 ms' }, { id: '3' }],
      jobs: [
        { jobId: 0, stages: [{ stageId: 0, tasks: [...ok(400, 1_000).map((t) => ({ ...t, executorId: '1' })),
          { durationMs: 100, executorId: '2', failure: 'ExecutorLostFailure', index: 0, attempt: 1, failureDetail: 'Executor heartbeat timed out' },
          { durationMs: 100, executorId: '3', failure: 'FetchFailed', index: 1, attempt: 1, failureDetail: 'Missing index file' },
          { durationMs: 100, executorId: '3', failure: 'Resubmitted', index: 2, attempt: 1 }] }] },
        { jobId: 1, stages: [
          { stageId: 1, failureReason: 'org.apache.spark.shuffle.FetchFailedException: /data/shuffle_0_1_0.index (No such file)', tasks: ok(1, 100) },
          { stageId: 1, attemptId: 1, tasks: ok(1, 100) },
        ] },
      ],
    });
    expect(insights.map((insight) => insight.id).sort()).toEqual([
      'failures:executors-lost',
      'failures:stage-1-retried',
      'failures:stage-1.0-failed',
      'failures:tasks-fetch-failed',
      'failures:tasks-resubmitted',
    ]);
    for (const id of ['failures:executors-lost', 'failures:tasks-fetch-failed', 'failures:tasks-resubmitted']) {
      expect(byId(insights, id)!.impact, id).toBeLessThan(0.01);
    }
    expect(byId(insights, 'failures:executors-lost')).toMatchObject({
      evidence: { executors: [{ id: '2', removeReason: 'Executor heartbeat timed out after 120000 ms', failedAttempts: 1 }], floor: expect.stringMatching(/^none/) },
    });
    expect(byId(insights, 'failures:executors-lost')!.suggestion).toMatch(/spark\.decommission\.enabled/);
    expect(byId(insights, 'failures:stage-1.0-failed')!.title).toBe('Stage 1 failed on a shuffle fetch failure');
  });

  it('names a few of the stages and executors a widespread failure hit, and keeps them all in its evidence', async () => {
    // A failing job retries one exception in every stage on every executor: the description stays readable.
    const executors = Array.from({ length: 12 }, (_, i) => ({ id: String(i + 1) }));
    const insights = await detect({
      appId: 'app-widespread-failure',
      executors,
      jobs: [{
        jobId: 0,
        stages: Array.from({ length: 30 }, (_, stageId) => ({
          stageId,
          tasks: [...ok(4, 1_000), { durationMs: 1_000, index: 0, attempt: 1, executorId: String((stageId % 12) + 1),
            failure: 'java.io.IOException', failureDetail: 'Failed to read part-00042.parquet' }],
        })),
      }],
    });
    const failure = byId(insights, 'failures:tasks-exception-java.io.IOException')!;
    expect(failure.description).toContain('in 30 stages (0.0, 1.0, 2.0, 3.0, 4.0 and 25 more) on 12 executors');
    expect(failure.description).toContain('on 12 executors (1, 10, 11, 12, 2 and 7 more)');
    expect((failure.evidence as { stages: unknown[] }).stages).toHaveLength(30);
    expect((failure.evidence as { executors: string[] }).executors).toHaveLength(12);
  });

  it('calls a job that never finished in an ended application a failure of the application', async () => {
    const insights = await detect({
      appId: 'app-unfinished-job',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: ok(4) }] }, { jobId: 1, unfinished: true, stages: [{ stageId: 1, tasks: ok(2) }] }],
    });
    expect(byId(insights, 'failures:job-1')).toMatchObject({ role: 'failure', title: 'Job 1 never finished', evidence: { status: 'RUNNING' } });
    expect(byId(insights, 'failures:job-0')).toBeUndefined();
  });

  it('recognises GPU out-of-memory and advises RAPIDS settings, not JVM heap', async () => {
    const insights = await detect({
      appId: 'app-gpu-oom',
      sparkProperties: { 'spark.plugins': 'com.nvidia.spark.SQLPlugin', 'spark.rapids.sql.concurrentGpuTasks': '4' },
      jobs: [{
        jobId: 0,
        failed: true,
        failureReason: 'Job aborted due to stage failure: Task 0 in stage 0.0 failed 4 times: GPU OutOfMemory: could not split inputs and retry',
        stages: [{ stageId: 0, tasks: [...ok(10), { durationMs: 500, index: 0, attempt: 1, failure: 'com.nvidia.spark.rapids.jni.GpuSplitAndRetryOOM',
          failureDetail: 'GPU OutOfMemory: could not split inputs and retry' }] }],
      }],
    });
    const tasks = byId(insights, 'failures:tasks-gpu-oom')!;
    expect(tasks.title).toMatch(/ran out of GPU memory/);
    expect(tasks.suggestion).toMatch(/spark\.rapids\.sql\.concurrentGpuTasks \(4\)/);
    expect(tasks.suggestion).not.toMatch(/spark\.executor\.memory\b/);
    const job = byId(insights, 'failures:job-0')!;
    expect(job).toMatchObject({ title: 'Job 0 failed running out of GPU memory', evidence: { outOfMemory: true, gpuOutOfMemory: true } });
  });

  it('finds out-of-memory named only deep in a full stack trace, and quotes the start of that trace', async () => {
    // A write task wraps the error that killed it: the class and description say nothing of memory, the cause does.
    const trace = 'org.apache.spark.SparkException: Task failed while writing rows.\n' +
      '\tat org.apache.spark.sql.execution.datasources.FileFormatWriter$.executeTask(FileFormatWriter.scala:500)\n'.repeat(40) +
      'Caused by: java.lang.OutOfMemoryError: Java heap space\n' +
      '\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)\n'.repeat(20);
    const insights = await detect({
      appId: 'app-deep-oom',
      jobs: [{
        jobId: 0,
        stages: [{ stageId: 0, tasks: [...ok(8), ...[0, 1].map((index) => ({ durationMs: 4_000, index, attempt: 1,
          failure: 'org.apache.spark.SparkException', failureDetail: 'Task failed while writing rows.', failureTrace: trace }))] }],
      }],
    });
    const oom = byId(insights, 'failures:tasks-oom')!;
    expect(oom.evidence).toMatchObject({ category: 'oom', attempts: 2 });
    expect(byId(insights, 'failures:tasks-exception-org.apache.spark.SparkException')).toBeUndefined();
    expect(oom.description).toContain('org.apache.spark.SparkException: Task failed while writing rows.');
  });

  it('names exclusion settings as the Spark version knows them (spark.blacklist.* before 3.1)', async () => {
    const spec = (appId: string, sparkVersion: string): Parameters<typeof detect>[0] => ({
      appId,
      sparkVersion,
      executors: [{ id: '1' }, { id: '2' }],
      exclusions: [{ kind: 'executor', executorId: '2', afterMs: 500, failures: 2 }],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [...ok(8), { durationMs: 1_000, executorId: '2', failure: 'java.io.IOException', index: 0, attempt: 1 }] }] }],
    });
    const old = byId(await detect(spec('app-excluded-2-4', '2.4.8')), 'failures:excluded-executors')!;
    expect(old.evidence['settingsPrefix']).toBe('spark.blacklist');
    expect(`${old.suggestion} ${old.tradeoffs}`).not.toMatch(/excludeOnFailure/);
    const recent = byId(await detect(spec('app-excluded-3-1', '3.1.1')), 'failures:excluded-executors')!;
    expect(recent.tradeoffs).toMatch(/spark\.excludeOnFailure\.killExcludedExecutors/);
  });

  it('stays quiet for a clean application and for a failure below the 1% floor', async () => {
    expect(await detect({ appId: 'app-clean', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: ok(20) }] }] })).toEqual([]);
    const tiny = await detect({
      appId: 'app-tiny-failure',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [...ok(100, 1_000), { durationMs: 50, failure: 'java.io.IOException', index: 0, attempt: 1 }] }] }],
    });
    expect(tiny).toEqual([]);
  });

  it('fires at exactly 1% of the task time and not just below it', async () => {
    const at = await detect({
      appId: 'app-floor-at',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [...ok(99, 1_000), { durationMs: 1_000, failure: 'java.io.IOException', index: 0, attempt: 1 }] }] }],
    });
    expect(at.map((insight) => insight.id)).toEqual(['failures:tasks-exception-java.io.IOException']);
    // The floor is on work thrown away (task time); the impact is wall-clock: 1% of the stage's 1 s window.
    expect(at[0]!.evidence['shareOfTaskTime']).toBe(0.01);
    expect(at[0]!.impactMs).toBe(10);
    const below = await detect({
      appId: 'app-floor-below',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [...ok(99, 1_000), { durationMs: 990, failure: 'java.io.IOException', index: 0, attempt: 1 }] }] }],
    });
    expect(below).toEqual([]);
  });

  it('summarises a Python worker traceback by the exception it ends with', () => {
    const text = 'org.apache.spark.api.python.PythonException: Traceback (most recent call last):\n  File "/app/job.py", line 3, in f\n' +
      '    raise ValueError("no")\nValueError: no\n\n\tat org.apache.spark.api.python.BasePythonRunner.read(PythonRunner.scala:1)';
    expect(errorSummary(text)).toBe('org.apache.spark.api.python.PythonException: ValueError: no');
    expect(errorSummary('java.lang.RuntimeException: boom\n\tat a.b(C.java:1)')).toBe('java.lang.RuntimeException: boom');
  });

  describe('on the shared real logs', () => {
    let real: TempDatabase;
    const found = new Map<string, InsightDraft[]>();
    beforeAll(async () => {
      real = await openTempDatabase();
      const apps = ['app-20161115172038-0000', 'local-1422981780767', 'app-20161116163331-0000', 'app-20180109111548-0000'];
      await ingestPaths(real.database, [...apps.map((app) => eventLogPath('apache-spark', app)), eventLogPath('spark4', 'local-1776286786993.zstd')]);
      await real.database.withConnection(async (connection) => {
        for (const appKey of [...apps, 'local-1776286786993']) {
          found.set(appKey, await failuresDetector.detect(await createDetectorContext(connection, appKey)));
        }
      });
    }, 60_000);
    afterAll(() => real.dispose());

    it('finds the failing executors of the standalone test applications and the executors Spark excluded', () => {
      const insights = found.get('app-20161115172038-0000')!;
      expect(byId(insights, 'failures:tasks-exception-java.lang.RuntimeException')).toMatchObject({
        evidence: { attempts: 10, executors: ['0', '2'] },
      });
      expect(byId(insights, 'failures:excluded-executors')).toMatchObject({
        evidence: { excludedExecutors: ['2', '0'], excludedNodes: ['172.22.0.111'], applicationWide: true },
      });
      expect(byId(found.get('app-20161116163331-0000')!, 'failures:excluded-executors')).toBeDefined();
      expect(byId(found.get('app-20180109111548-0000')!, 'failures:excluded-executors')).toMatchObject({
        stageId: 0,
        evidence: { excludedExecutors: ['0'], applicationWide: false },
      });
    });

    it('reports the jobs that failed, with their cause', () => {
      expect(byId(found.get('local-1422981780767')!, 'failures:job-1')!.description).toMatch(/got a 3, failing/);
      const spark4 = found.get('local-1776286786993')!;
      expect(byId(spark4, 'failures:job-4')!.description).toMatch(/deliberate permanent failure/);
      expect(byId(spark4, 'failures:tasks-exception-org.apache.spark.api.python.PythonException')).toMatchObject({
        evidence: { stages: [{ stageId: 4 }, { stageId: 5 }] },
      });
      for (const insights of found.values()) for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    });
  });
});
