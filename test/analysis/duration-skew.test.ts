import { describe, expect, it } from 'vitest';
import { durationSkewDetector } from '../../src/analysis/detectors/duration-skew.js';
import { useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import type { SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const even = (n: number, task: SyntheticTask): SyntheticTask[] => Array.from({ length: n }, () => ({ ...task }));

describe('duration-skew detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(durationSkewDetector);
  const app = (appId: string, tasks: SyntheticTask[]): Parameters<typeof detect>[0] => ({
    appId,
    jobs: [{ jobId: 0, stages: [{ stageId: 4, name: 'count at Cache.scala:9', tasks }] }],
  });

  it('flags a stage waiting on one task 100× its median without byte skew (a cache miss reading its input again)', async () => {
    const [insight, ...rest] = await detect(app('app-duration-skew', [
      ...even(9, { durationMs: 400, inputBytes: 1 * MB }),
      { durationMs: 40_000, inputBytes: 64 * MB },
    ]));
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'duration-skew:stage-4.0',
      stageId: 4,
      impactMs: 39_600,
      evidence: { medianTaskMs: 400, slowestTaskMs: 40_000, slowestToMedian: 100, extraMs: 39_600, likelyCause: 'more-input' },
    });
    expect(insight!.title).toBe('Stage 4 waited on one task 100× its median (40.0 s vs 400 ms)');
    expect(insight!.impact).toBeGreaterThan(0);
    expect(insight!.impact).toBeLessThanOrEqual(1);
    expect(insight!.claims).toEqual([{ from: expect.any(Number), to: expect.any(Number), share: 1 }]);
  });

  it('stays quiet under 5× the median and under 10 s of hold-up, and leaves byte skew to data-skew', async () => {
    expect(await detect(app('app-duration-even', [...even(9, { durationMs: 10_000 }), { durationMs: 49_000 }]))).toEqual([]);
    expect(await detect(app('app-duration-short', [...even(9, { durationMs: 100 }), { durationMs: 9_000 }]))).toEqual([]);
    expect(await detect(app('app-duration-bytes', [
      ...even(9, { durationMs: 400, shuffleReadBytes: 10 * MB }),
      { durationMs: 40_000, shuffleReadBytes: 900 * MB },
    ]))).toEqual([]);
  });

  it('fires at exactly 5× and 10 s beyond the median (in a stage too small for the stragglers detector)', async () => {
    const at = await detect(app('app-duration-at', [...even(8, { durationMs: 2_500 }), { durationMs: 12_500 }]));
    expect(at.map((i) => i.evidence['slowestToMedian'])).toEqual([5]);
    expect(await detect(app('app-duration-below', [...even(8, { durationMs: 2_500 }), { durationMs: 12_400 }]))).toEqual([]);
  });

  it('leaves a slow task that read the same data as its peers in a stage of 10+ tasks to the stragglers detector', async () => {
    expect(await detect(app('app-duration-straggler', [...even(19, { durationMs: 1_000 }), { durationMs: 30_000 }]))).toEqual([]);
  });
});
