import { describe, expect, it } from 'vitest';
import { detectOnSharedLogs, useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import { idleExecutorsDetector } from '../../src/analysis/detectors/idle-executors.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { type SyntheticTask } from '../helpers/synthetic-log.js';

const tasks = (n: number, durationMs: number): SyntheticTask[] => Array.from({ length: n }, () => ({ durationMs }));
const fourByFour = [1, 2, 3, 4].map((i) => ({ id: String(i), cores: 4 }));

describe('idle-executors detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(idleExecutorsDetector);

  it('flags executors held for ten minutes that ran four 30 s tasks, and says how many would have held the peak', async () => {
    const [insight, ...rest] = await detect({
      appId: 'app-idle',
      executors: fourByFour,
      durationMs: 600_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(4, 30_000) }] }],
    });
    expect(rest).toEqual([]);
    // Executors register 10, 20, 30 and 40 ms after the start and live to its end at 600 s: 4 slots each.
    const capacity = 4 * (4 * 600_000 - 100);
    expect(insight).toMatchObject({
      id: 'idle-executors:application',
      confidence: 'HIGH',
      stageId: null,
      evidence: {
        executors: 4,
        taskSlots: 16,
        capacitySlotMs: capacity,
        taskTimeMs: 120_000,
        peakConcurrentTasks: 4,
        executorsEnoughAtPeak: 1,
        applicationDurationMs: 600_000,
        dynamicAllocation: { 'spark.dynamicAllocation.enabled': 'false (default)' },
        thresholds: { idleShare: 0.5, minApplicationDurationMs: 120_000, minExecutors: 2 },
      },
    });
    // Idle capacity is a cost, not run time: no wall-clock claimed, a LOW problem ranked after time findings.
    expect(insight).toMatchObject({ impact: 0, impactMs: 0, severity: 'LOW', evidence: { idleSlotMs: capacity - 120_000 } });
    expect(insight!.evidence['idleShare']).toBeCloseTo(1 - 120_000 / capacity, 4);
    // No stage ran for all but the 30 s stage (and its few ms of launch and completion) of the 600 s run.
    expect(insight!.evidence['noStageRunningMs']).toBeGreaterThan(569_900);
    expect(insight!.evidence['noStageRunningMs']).toBeLessThanOrEqual(570_000);
    expect(insight!.suggestion).toMatch(/spark\.dynamicAllocation\.enabled=true/);
    expect(insight!.suggestion).toMatch(/1 executor of 4 slots/);
    expect(insight!.suggestion).toMatch(/No stage was running for 9\d% of the run/);
  });

  it('writes a peak of one task in the singular', async () => {
    const [insight] = await detect({
      appId: 'app-idle-one-at-a-time',
      executors: fourByFour,
      durationMs: 600_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(1, 30_000) }] }],
    });
    expect(insight!.evidence['peakConcurrentTasks']).toBe(1);
    expect(insight!.description).toMatch(/^4 executors with 16 task slots were held for 2\.7 h of slot time, and tasks ran for 30\.0 s of it/);
    expect(insight!.description).toMatch(/ At most 1 task ran at once\./);
    expect(insight!.suggestion).toMatch(/at its busiest the application ran 1 task at once, which 1 executor of 4 slots would hold/);
  });

  it('says the idle slots sat beside running stages when a stage ran the whole time, not "no stage ran for 0%"', async () => {
    const [insight] = await detect({
      appId: 'app-idle-beside-a-stage',
      executors: fourByFour,
      durationMs: 200_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(2, 200_000) }] }],
    });
    expect(insight!.evidence['noStageRunningMs'] as number).toBeLessThan(1_000);
    expect(insight!.description).toMatch(/ A stage was running for all of the 3\.3 min run: the idle capacity was task slots left empty while stages ran\./);
    expect(insight!.description).not.toMatch(/No stage was running for 0%/);
  });

  it('points at the dynamic allocation timeouts when dynamic allocation was on and executors stayed', async () => {
    const [insight] = await detect({
      appId: 'app-idle-dynamic',
      sparkVersion: '3.3.2',
      sparkProperties: { 'spark.dynamicAllocation.enabled': 'true', 'spark.dynamicAllocation.minExecutors': '4', 'spark.shuffle.service.enabled': 'true' },
      executors: fourByFour,
      durationMs: 300_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(16, 10_000) }] }],
    });
    expect(insight!.suggestion).toMatch(/executorIdleTimeout/);
    expect(insight!.description).toMatch(/Dynamic allocation was on/);
    expect(insight!.evidence.dynamicAllocation).toMatchObject({
      'spark.dynamicAllocation.minExecutors': '4',
      'spark.dynamicAllocation.shuffleTracking.enabled': 'false (default)',
    });
  });

  it('stays quiet for busy executors, a short application and a single executor', async () => {
    const busy = await detect({
      appId: 'app-busy',
      executors: [{ id: '1', cores: 2 }, { id: '2', cores: 2 }],
      durationMs: 180_000,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(4, 170_000) }] }],
    });
    expect(busy).toEqual([]);
    const short = await detect({ appId: 'app-short', executors: fourByFour, durationMs: 119_000, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(1, 1_000) }] }] });
    expect(short).toEqual([]);
    const single = await detect({ appId: 'app-single', executors: [{ id: '1', cores: 8 }], durationMs: 600_000, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(1, 1_000) }] }] });
    expect(single).toEqual([]);
  });

  it('stays quiet at exactly half the capacity idle and fires just above it', async () => {
    const twoSlots = [{ id: '1', cores: 1, addedAfterMs: 0 }, { id: '2', cores: 1, addedAfterMs: 0 }];
    const half = await detect({ appId: 'app-half', executors: twoSlots, durationMs: 200_000, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(2, 100_000) }] }] });
    expect(half).toEqual([]);
    const [above] = await detect({ appId: 'app-above-half', executors: twoSlots, durationMs: 200_000, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(2, 99_000) }] }] });
    expect(above).toMatchObject({ confidence: 'MEDIUM', evidence: { idleShare: 0.505, capacitySlotMs: 400_000 } });
  });

  describe('on the shared real logs', () => {
    const found = detectOnSharedLogs(idleExecutorsDetector, [
      eventLogPath('formats', 'eventlog_4nodes_8cores_dynamic_alloc.zstd'),
      eventLogPath('apache-spark', 'application_1516285256255_0012'),
      eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd'),
      eventLogPath('apache-spark', 'app-20161115172038-0000'),
    ]);

    it('flags the dynamic-allocation run whose executors were mostly idle, and the YARN shell session', () => {
      const [dynamic] = found.get('application_1707709865217_0493')!;
      expect(dynamic).toMatchObject({ evidence: { executors: 15, dynamicAllocation: { 'spark.dynamicAllocation.enabled': 'true' } } });
      expect(dynamic!.evidence.idleShare).toBeGreaterThan(0.5);
      expect(found.get('application_1516285256255_0012')).toHaveLength(1);
      for (const insights of found.values()) for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    });

    it('stays quiet for the busy TPC-DS run and for an application shorter than the floor', () => {
      expect(found.get('application_1751493828576_0001')).toEqual([]);
      expect(found.get('app-20161115172038-0000')).toEqual([]);
    });
  });
});
