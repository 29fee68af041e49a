import { describe, expect, it } from 'vitest';
import { driverIdleDetector } from '../../src/analysis/detectors/driver-idle.js';
import { useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';

describe('driver-idle detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(driverIdleDetector);
  const job = (jobId: number, idleBeforeMs: number): Parameters<typeof detect>[0]['jobs'][number] => ({
    jobId,
    idleBeforeMs,
    stages: [{ stageId: jobId, tasks: [{ durationMs: 10_000 }] }],
  });

  it('reports the stretches with no job running, longest first', async () => {
    const [insight, ...rest] = await detect({ appId: 'app-driver-idle', jobs: [job(0, 100), job(1, 30_000), job(2, 5_000)] });
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      id: 'driver-idle:application',
      evidence: { gaps: [{ durationMs: expect.any(Number), afterJob: 0, beforeJob: 1 }, { afterJob: 1, beforeJob: 2 }] },
    });
    const gaps = insight!.evidence['gaps'] as Array<{ durationMs: number }>;
    expect(gaps[0]!.durationMs).toBeGreaterThanOrEqual(30_000);
    expect(insight!.impact).toBeGreaterThan(0.4);
    expect(insight!.impact).toBeLessThanOrEqual(1);
    expect(insight!.impactMs).toBe(insight!.evidence['idleMs']);
  });

  it('stays quiet when jobs follow each other', async () => {
    expect(await detect({ appId: 'app-driver-busy', jobs: [job(0, 100), job(1, 500), job(2, 900)] })).toEqual([]);
  });
});
