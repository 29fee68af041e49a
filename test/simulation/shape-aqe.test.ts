import { describe, expect, it } from 'vitest';
import { GiB, MiB, plan, table } from '../helpers/shape-playground.js';

describe('shape playground: adaptive query execution', () => {
  const tiny = { source: table(10 * MiB, 4), operations: [{ op: 'groupBy' as const, keys: ['k'] }] };

  it('coalesces 200 tiny shuffle partitions to about one per core', () => {
    const result = plan({ ...tiny, config: { executors: 4, coresPerExecutor: 2 } });
    // target = max(min(64 MiB, 10 MiB / 8 cores), 1 MiB) = 1.25 MiB; 51.2 KiB partitions merged 25 at a time.
    expect(result.stages[1]!.tasks.value).toBe(8);
    expect(result.aqe).toEqual([
      expect.objectContaining({ stageId: 1, kind: 'coalesce', before: expect.objectContaining({ value: 200 }), after: expect.objectContaining({ value: 8 }) }),
    ]);
    expect(result.insights.filter((insight) => insight.type === 'partition-count')).toEqual([]);
  });

  it('keeps all 200 partitions with AQE off, and flags them as tiny', () => {
    const result = plan({ ...tiny, config: { executors: 4, coresPerExecutor: 2, adaptiveEnabled: false } });
    expect(result.stages[1]!.tasks.value).toBe(200);
    expect(result.aqe).toEqual([]);
    const insight = result.insights.find((found) => found.id === 'partition-count:too-many:stage-1');
    expect(insight?.suggestion).toContain('Turn on AQE');
  });

  it('coalesces toward advisoryPartitionSizeBytes once the data is large', () => {
    // 20 GiB over 200 partitions of 102.4 MiB: already above the 64 MiB target, nothing to merge.
    const result = plan({ source: table(20 * GiB, 160), operations: [{ op: 'groupBy' }], config: { executors: 10, coresPerExecutor: 4 } });
    expect(result.stages[1]!.tasks.value).toBe(200);
    expect(result.aqe).toEqual([]);
  });

  const skewed = (config: Record<string, number | boolean>, saltBuckets?: number) =>
    plan({
      source: table(100 * GiB, 800),
      operations: [
        {
          op: 'join',
          keys: ['customer_id'],
          hotKeyShare: 0.2,
          ...(saltBuckets ? { saltBuckets } : {}),
          right: { source: table(20 * GiB, 160), operations: [] },
        },
      ],
      config: { executors: 10, coresPerExecutor: 4, ...config },
    });

  it('splits a skewed sort-merge join partition (> 5 × median and > 256 MiB)', () => {
    const result = skewed({});
    const split = result.aqe.find((action) => action.kind === 'skew-split');
    // hot = 0.2 × 100 GiB = 20 GiB; median = 80 GiB / 199; pieces = ceil(20 GiB / median) = 50.
    expect(split?.before.value).toBe(20 * GiB);
    expect(split?.after.value).toBeCloseTo((20 * GiB) / 50, 0);
    expect(result.stages[2]!.tasks.value).toBe(200 + 49);
    expect(result.insights.filter((insight) => insight.type === 'data-skew')).toEqual([]);
  });

  it('reports the skew as an insight when AQE skew handling is off', () => {
    const result = skewed({ skewJoinEnabled: false });
    expect(result.aqe.filter((action) => action.kind === 'skew-split')).toEqual([]);
    expect(result.stages[2]!.maxPartitionBytes.value).toBeCloseTo(20 * GiB + (20 * GiB) / 200, 0);
    const skew = result.insights.find((insight) => insight.type === 'data-skew');
    expect(skew?.stageId).toBe(2);
    expect(skew?.suggestion).toContain('skewJoin');
  });

  it('spreads the hot key with salting, at the cost of replicating the right side', () => {
    const result = skewed({ skewJoinEnabled: false }, 10);
    expect(result.stages[1]!.shuffleWriteBytes.value).toBe(200 * GiB);
    expect(result.stages[2]!.maxPartitionBytes.value).toBeCloseTo(2 * GiB + GiB, 0);
    expect(result.insights.filter((insight) => insight.type === 'data-skew')).toEqual([]);
  });

  it('does not skew a groupBy on a hot key: partial aggregation combines it in each map task', () => {
    const result = plan({ source: table(100 * GiB, 800), operations: [{ op: 'groupBy', hotKeyShare: 0.5 }] });
    expect(result.insights.filter((insight) => insight.type === 'data-skew')).toEqual([]);
    expect(result.stages[1]!.notes!.join(' ')).toContain('partial aggregation combines');
  });

  it('reports a groupByKey on a hot key as data skew, suggesting partial aggregation', () => {
    const result = plan({ source: table(100 * GiB, 800), operations: [{ op: 'groupByKey', hotKeyShare: 0.5 }] });
    expect(result.stages[1]!.maxPartitionBytes.value).toBe(50 * GiB);
    const skew = result.insights.find((insight) => insight.type === 'data-skew');
    expect(skew?.suggestion).toContain('groupBy/agg');
  });
});
