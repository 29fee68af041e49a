import { describe, expect, it } from 'vitest';
import { launchDelayDetector } from '../../src/analysis/detectors/launch-delay.js';
import { useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';

describe('launch-delay detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(launchDelayDetector);

  it('reports concurrent one-task stages that waited to start once, counting their shared window once', async () => {
    const insights = await detect({
      appId: 'app-launch-delay',
      executors: Array.from({ length: 32 }, (_, i) => ({ id: String(i + 1), cores: 4 })),
      jobs: [{
        jobId: 0,
        stages: [10, 11, 12, 13, 14].map((stageId) => ({
          stageId,
          concurrentWithPrevious: stageId > 10,
          tasks: [{ durationMs: 11_600, runTimeMs: 600 }],
        })),
      }],
    });
    expect(insights).toHaveLength(1);
    const [insight] = insights;
    expect(insight).toMatchObject({ id: 'launch-delay:application', evidence: { stagesDelayed: 5 } });
    // Each task: 11.6 s, of which 600 ms run and 1 ms deserialization, so ~95% scheduler delay; one 11.6 s window.
    expect(insight!.impactMs).toBeGreaterThan(10_500);
    expect(insight!.impactMs).toBeLessThanOrEqual(11_600);
    expect(insight!.impact).toBeLessThanOrEqual(1);
    expect(insight!.title).toMatch(/^Tasks of 5 stages waited to launch or start/);
  });

  it('stays quiet when tasks start promptly', async () => {
    expect(await detect({
      appId: 'app-launch-prompt',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 20_000 }, { durationMs: 20_000 }] }] }],
    })).toEqual([]);
  });

  it('counts the wait from stage submission to the first launch', async () => {
    const insights = await detect({
      appId: 'app-launch-queued',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 2_000, launchAfterMs: 8_000 }, { durationMs: 2_000, launchAfterMs: 8_000 }] }] }],
    });
    expect(insights.map((i) => i.evidence['stages'])).toEqual([[expect.objectContaining({ stageId: 0, submittedToFirstLaunchMs: 8_000 })]]);
    expect(insights[0]!.impactMs).toBe(8_000);
  });
});
