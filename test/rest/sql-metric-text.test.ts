import { describe, expect, it } from 'vitest';
import { bytesToString, msDurationToString, sqlMetricText } from '../../src/rest/sql-metric-text.js';
import { scalaIntMapOrder } from '../../src/rest/scala-map-order.js';

const task = { stageId: 29, stageAttemptId: 0, taskId: 24 };

describe("SQL metric values as Spark's SQLMetrics.stringValue prints them", () => {
  it('sums as a grouped integer', () => {
    expect(sqlMetricText('sum', [4000, 6000, 0], task)).toBe('10,000');
    expect(sqlMetricText('sum', [5], null)).toBe('5');
  });

  it('sizes and timings over several tasks as total (min, med, max) with the task of the max', () => {
    // Values of a real History Server answer (a HashAggregate over two partitions).
    expect(sqlMetricText('timing', [0, 44], task)).toBe('total (min, med, max (stageId: taskId))\n44 ms (0 ms, 44 ms, 44 ms (stage 29.0: task 24))');
    expect(sqlMetricText('size', [0, 262144], task)).toBe(
      'total (min, med, max (stageId: taskId))\n256.0 KiB (0.0 B, 256.0 KiB, 256.0 KiB (stage 29.0: task 24))',
    );
    expect(sqlMetricText('size', [0, 0], task)).toBe('total (min, med, max (stageId: taskId))\n0.0 B (0.0 B, 0.0 B, 0.0 B (stage 29.0: task 24))');
    // Negative values (metrics initialised to -1 that never ran) are left out.
    expect(sqlMetricText('size', [-1, 2048], task)).toBe('2.0 KiB');
    expect(sqlMetricText('nsTiming', [2_500_000], null)).toBe('2 ms');
  });

  it('averages from the positive values, a tenth of what is stored', () => {
    expect(sqlMetricText('average', [0], null)).toBe('0');
    expect(sqlMetricText('average', [10, 10, 15], task)).toBe('(1, 1, 1.5 (stage 29.0: task 24))');
  });

  it("formats bytes and durations as Spark's Utils", () => {
    expect(bytesToString(1023)).toBe('1023.0 B');
    expect(bytesToString(2047)).toBe('2047.0 B');
    expect(bytesToString(2048)).toBe('2.0 KiB');
    expect(bytesToString(7.5 * 2 ** 20)).toBe('7.5 MiB');
    expect(msDurationToString(999)).toBe('999 ms');
    expect(msDurationToString(9500)).toBe('9.5 s');
    expect(msDurationToString(90_000)).toBe('1.5 m');
    expect(msDurationToString(5_400_000)).toBe('1.50 h');
  });
});

describe("a Scala immutable Map's key order (an execution's job ids)", () => {
  it('keeps insertion order up to four keys', () => {
    expect(scalaIntMapOrder([15, 16, 17])).toEqual([15, 16, 17]);
    expect(scalaIntMapOrder([5, 3, 9, 1])).toEqual([5, 3, 9, 1]);
  });
  it("orders five or more by the hash trie, as History Server listed spark4's executions", () => {
    expect(scalaIntMapOrder([8, 9, 10, 11, 12, 13, 14])).toEqual([10, 14, 9, 13, 12, 11, 8]);
    expect(scalaIntMapOrder([8, 9, 10, 11, 12, 13])).toEqual([10, 9, 13, 12, 11, 8]);
    const many = Array.from({ length: 200 }, (_, i) => i);
    expect([...scalaIntMapOrder(many)].sort((a, b) => a - b)).toEqual(many);
  });
});
