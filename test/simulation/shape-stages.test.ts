import { describe, expect, it } from 'vitest';
import { GiB, MiB, plan, table } from '../helpers/shape-playground.js';

describe('shape playground: stage boundaries', () => {
  it('keeps narrow operations (filter, select, withColumn, map, cache) in the scan stage: no shuffle', () => {
    const result = plan({
      source: table(4 * GiB, 32),
      operations: [{ op: 'filter', selectivity: 0.25 }, { op: 'select', sizeFactor: 0.5 }, { op: 'withColumn' }, { op: 'map' }, { op: 'cache', reuseCount: 2 }],
    });
    expect(result.stages).toHaveLength(1);
    expect(result.stages[0]!.boundary.op).toBe('scan');
    expect(result.stages[0]!.operationIndexes).toEqual([0, 1, 2, 3, 4]);
    expect(result.stages[0]!.tasks.value).toBe(32);
    expect(result.totalShuffleBytes.value).toBe(0);
  });

  it('adds a shuffle boundary at groupBy, named after the operation that caused it', () => {
    const result = plan({ source: table(4 * GiB, 32), operations: [{ op: 'filter', selectivity: 0.5 }, { op: 'groupBy', keys: ['user_id'] }], config: { adaptiveEnabled: false } });
    expect(result.stages).toHaveLength(2);
    const [map, reduce] = result.stages;
    expect(map!.operationIndexes).toEqual([0]);
    expect(map!.shuffleWriteBytes.value).toBe(2 * GiB);
    expect(reduce!.boundary).toMatchObject({ operationIndex: 1, op: 'groupBy' });
    expect(reduce!.boundary.reason).toContain('groupBy(user_id)');
    expect(reduce!.parentStageIds).toEqual([0]);
    expect(reduce!.tasks.value).toBe(200);
    expect(reduce!.tasks.derivation).toContain('AQE is off');
  });

  it('shrinks the shuffle by partial aggregation when distinctGroups is given, but not for groupByKey', () => {
    const source = table(10 * GiB, 80, 100_000_000);
    const rowBytes = (10 * GiB) / 100_000_000;
    const grouped = plan({ source, operations: [{ op: 'groupBy', distinctGroups: 1000 }] });
    expect(grouped.stages[0]!.shuffleWriteBytes.value).toBeCloseTo(80 * 1000 * rowBytes, 0);
    expect(grouped.stages[0]!.shuffleWriteBytes.derivation).toContain('partial aggregation');
    const byKey = plan({ source, operations: [{ op: 'groupByKey', distinctGroups: 1000 }] });
    expect(byKey.stages[0]!.shuffleWriteBytes.value).toBe(10 * GiB);
    expect(byKey.stages[0]!.shuffleWriteBytes.derivation).toContain('every row crosses the shuffle');
  });

  it('shuffles for distinct, orderBy (mentioning the sampling job) and window', () => {
    for (const op of ['distinct', 'orderBy', 'window'] as const) {
      const result = plan({ source: table(GiB, 8), operations: [{ op, keys: ['k'] }] });
      expect(result.stages.map((stage) => stage.boundary.op)).toEqual(['scan', op]);
    }
    const sorted = plan({ source: table(GiB, 8), operations: [{ op: 'orderBy', keys: ['ts'] }] });
    expect(sorted.stages[1]!.notes!.join(' ')).toContain('sampling job');
  });

  it('moves every row to one partition for a window without partitionBy, and says so', () => {
    const result = plan({ source: table(8 * GiB, 64), operations: [{ op: 'window' }] });
    expect(result.stages[1]!.tasks.value).toBe(1);
    expect(result.stages[1]!.boundary.reason).toContain('single partition');
    expect(result.insights.map((insight) => insight.id)).toContain('partition-count:too-few:stage-1');
  });

  it('does not shuffle for coalesce, and the whole stage (scan included) runs as n tasks', () => {
    const result = plan({ source: { kind: 'files', totalBytes: 10 * GiB, fileCount: 80 }, operations: [{ op: 'filter', selectivity: 0.5 }, { op: 'coalesce', partitions: 1 }, { op: 'write' }] });
    expect(result.stages).toHaveLength(1);
    const stage = result.stages[0]!;
    expect(stage.tasks.value).toBe(1);
    expect(stage.bytesPerTask.value).toBe(10 * GiB);
    expect(stage.notes!.join(' ')).toMatch(/the scan .* also runs as 1 task instead of 80/);
    expect(result.filesWritten!.value).toBe(1);
    const tooFew = result.insights.find((insight) => insight.id === 'partition-count:too-few:stage-0');
    expect(tooFew?.suggestion).toContain('repartition(1) instead of coalesce');
    expect(tooFew?.description).toMatch(/coalesce at operations\[1\] cut it to 1 task, and .* runs on 1 task too\./);
  });

  it('shuffles for repartition(n), keeps the upstream parallel, and AQE keeps the explicit n', () => {
    const result = plan({ source: { kind: 'files', totalBytes: 10 * GiB, fileCount: 80 }, operations: [{ op: 'filter', selectivity: 0.5 }, { op: 'repartition', partitions: 1 }, { op: 'write' }] });
    expect(result.stages.map((stage) => stage.tasks.value)).toEqual([80, 1]);
    expect(result.stages[1]!.boundary).toMatchObject({ op: 'repartition', operationIndex: 1 });
    expect(result.stages[0]!.shuffleWriteBytes.value).toBe(5 * GiB);
    expect(result.aqe).toEqual([]);
    expect(result.stages[1]!.notes!.join(' ')).toContain('AQE keeps the partition count of an explicit repartition(n)');
  });

  it('cannot add partitions with coalesce', () => {
    const result = plan({ source: table(GiB, 8), operations: [{ op: 'coalesce', partitions: 100 }] });
    expect(result.stages[0]!.tasks.value).toBe(8);
    expect(result.stages[0]!.notes!.join(' ')).toContain('cannot add partitions without a shuffle');
  });

  it('adds up the tasks of a union without a shuffle', () => {
    const result = plan({
      source: table(GiB, 4),
      operations: [{ op: 'union', right: { source: table(512 * MiB, 6), operations: [{ op: 'filter', selectivity: 0.5 }] } }, { op: 'write' }],
    });
    expect(result.stages).toHaveLength(1);
    expect(result.stages[0]!.tasks.value).toBe(10);
    expect(result.stages[0]!.tasks.derivation).toContain('4 left + 6 right');
    expect(result.stages[0]!.inputBytes.value).toBe(GiB + 512 * MiB);
    expect(result.filesWritten!.value).toBe(10);
    expect(result.totalShuffleBytes.value).toBe(0);
  });

  it('plans a union whose right side shuffled: the right side shuffle is a parent of the union stage', () => {
    const result = plan({ source: table(GiB, 4), operations: [{ op: 'union', right: { source: table(GiB, 4), operations: [{ op: 'groupBy' }] } }], config: { adaptiveEnabled: false } });
    expect(result.stages).toHaveLength(2);
    expect(result.stages[0]!.shape).toBe('right of op 0');
    expect(result.stages[1]!.tasks.value).toBe(4 + 200);
    expect(result.stages[1]!.parentStageIds).toEqual([0]);
  });
});
