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

  it('counts stretches and jobs in words, one or many', async () => {
    const [insight] = await detect({ appId: 'app-driver-idle-once', jobs: [job(0, 30_000)] });
    expect(insight!.description).toMatch(/\(1 stretch of ≥ 1\.0 s around its 1 job\)/);
    const [many] = await detect({ appId: 'app-driver-idle-twice', jobs: [job(0, 30_000), job(1, 20_000)] });
    expect(many!.description).toMatch(/\(2 stretches of ≥ 1\.0 s around its 2 jobs\)/);
    expect(`${insight!.description} ${many!.description}`).not.toMatch(/\((es|s)\)/);
  });

  it('says that no job ran when none did, not that time passed before the first one', async () => {
    const [insight] = await detect({ appId: 'app-no-job', jobs: [], durationMs: 20_000 });
    expect(insight).toMatchObject({ id: 'driver-idle:application', evidence: { jobs: 0, beforeFirstJobMs: 0, afterLastJobMs: 0 } });
    expect(insight!.title).toBe('No Spark job ran for 20.0 s, 100% of the run');
    expect(insight!.description).toMatch(/^No Spark job ran in the application's 20\.0 s run\. The executors had nothing to do/);
    expect(insight!.description).not.toMatch(/first job|last job|longest/);
  });

  it('stays quiet when jobs follow each other', async () => {
    expect(await detect({ appId: 'app-driver-busy', jobs: [job(0, 100), job(1, 500), job(2, 900)] })).toEqual([]);
  });
});
