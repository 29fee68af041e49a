import type { SyntheticApp, SyntheticJob, SyntheticTask } from './synthetic-log.js';

/** A small seeded generator (mulberry32): the same seed gives the same logs, so a failure can be replayed. */
export function randomSource(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FAILURES = ['ExceptionFailure', 'ExecutorLostFailure', 'FetchFailed', 'TaskKilled', 'java.lang.OutOfMemoryError'];

/**
 * An application of random shape: executors that come and go, jobs of chained stages, tasks of any length from 0 ms
 * (skewed, straggling, spilling, failing, speculative), and the odd metric a real log has that makes no sense (GC or run
 * time longer than the task, fetch wait longer than the run).
 */
export function randomApplication(seed: number): SyntheticApp {
  const random = randomSource(seed);
  const between = (low: number, high: number): number => low + Math.floor(random() * (high - low + 1));
  const chance = (p: number): boolean => random() < p;
  const executors = Array.from({ length: between(1, 6) }, (_, i) => ({
    id: String(i + 1),
    host: `host-${i % 3}`,
    cores: [1, 2, 4, 8][between(0, 3)]!,
    addedAfterMs: between(0, 2_000),
    ...(chance(0.2) ? { removedAfterMs: between(500, 120_000), removeReason: 'Container lost' } : {}),
  }));
  let stageId = 0;
  const jobs: SyntheticJob[] = Array.from({ length: between(1, 4) }, (_, jobId) => ({
    jobId,
    idleBeforeMs: chance(0.3) ? between(0, 60_000) : 100,
    ...(chance(0.1) ? { failed: true, failureReason: 'Job aborted due to stage failure' } : {}),
    stages: Array.from({ length: between(1, 3) }, (_, i) => {
      const id = stageId++;
      const tasks: SyntheticTask[] = Array.from({ length: between(1, 40) }, () => {
        const durationMs = chance(0.05) ? 0 : Math.round(Math.exp(random() * 10)) * (chance(0.03) ? 50 : 1);
        return {
          durationMs,
          executorId: executors[between(0, executors.length - 1)]!.id,
          launchAfterMs: between(0, 3_000),
          ...(chance(0.1) ? { runTimeMs: Math.round(durationMs * 1.5) } : {}),
          ...(chance(0.3) ? { gcTimeMs: Math.round(durationMs * random() * 1.5) } : {}),
          ...(chance(0.3) ? { fetchWaitMs: Math.round(durationMs * random() * 1.2) } : {}),
          ...(chance(0.5) ? { shuffleReadBytes: Math.round(2 ** (10 + random() * 25)) } : {}),
          ...(chance(0.4) ? { shuffleWriteBytes: Math.round(2 ** (10 + random() * 25)) } : {}),
          ...(chance(0.3) ? { inputBytes: Math.round(2 ** (10 + random() * 28)) } : {}),
          ...(chance(0.15) ? { memoryBytesSpilled: Math.round(2 ** (20 + random() * 14)), diskBytesSpilled: Math.round(2 ** (18 + random() * 12)) } : {}),
          ...(chance(0.06) ? { failure: FAILURES[between(0, FAILURES.length - 1)]! } : {}),
          ...(chance(0.04) ? { speculative: true } : {}),
        };
      });
      return { stageId: id, ...(i > 0 ? { parentIds: [id - 1] } : {}), ...(i > 0 && chance(0.2) ? { concurrentWithPrevious: true } : {}), tasks };
    }),
  }));
  return {
    appId: `app-generated-${seed}`,
    executors,
    jobs,
    sparkProperties: {
      ...(chance(0.5) ? { 'spark.sql.shuffle.partitions': String([8, 200, 2000][between(0, 2)]) } : {}),
      ...(chance(0.5) ? { 'spark.executor.memory': ['1g', '4g', '16g'][between(0, 2)]! } : {}),
      ...(chance(0.3) ? { 'spark.dynamicAllocation.enabled': 'true' } : {}),
    },
    ...(chance(0.3) ? { durationMs: between(1_000, 600_000) } : {}),
  };
}
