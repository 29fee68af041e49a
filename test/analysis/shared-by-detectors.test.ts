import { describe, expect, it } from 'vitest';
import { sharedByDetectors, type DetectorContext } from '../../src/analysis/detector.js';

describe('answers shared by the detectors of one application', () => {
  it('are loaded once per detection context and again for another one', async () => {
    const loads: string[] = [];
    const plans = sharedByDetectors(async (query) => {
      loads.push('load');
      return query<{ n: number }>('SELECT 1 AS n');
    });
    const contextQuery = (rows: number[]): DetectorContext['query'] =>
      (async () => rows.map((n) => ({ n }))) as unknown as DetectorContext['query'];
    const first = contextQuery([1]);
    const second = contextQuery([2]);
    expect(await plans(first)).toEqual([{ n: 1 }]);
    expect(await plans(first)).toBe(await plans(first));
    expect(loads).toHaveLength(1);
    expect(await plans(second)).toEqual([{ n: 2 }]);
    expect(loads).toHaveLength(2);
  });
});
