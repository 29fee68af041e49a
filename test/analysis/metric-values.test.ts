import { describe, expect, it } from 'vitest';
import { SortedMetricValues } from '../../src/analysis/sql-plans.js';

describe('SortedMetricValues', () => {
  it('finds every value by its accumulator id, and nothing for an id never reported', () => {
    const ids = Array.from({ length: 1001 }, (_, i) => i * 3 + 5);
    const values = new SortedMetricValues(Float64Array.from(ids), Float64Array.from(ids, (id) => id * 10));
    for (const id of ids) expect(values.get(id)).toBe(id * 10);
    for (const id of [0, 4, 6, 7, 3008, 1e12]) expect(values.get(id)).toBeUndefined();
  });

  it('answers nothing when no metric was reported', () => {
    expect(new SortedMetricValues(new Float64Array(), new Float64Array()).get(1)).toBeUndefined();
  });
});
