import { describe, expect, it } from 'vitest';
import { alignByKeys, attributeWallClock, planShape, stageDepths } from '../../src/comparison/align.js';

describe('alignment helpers', () => {
  it('pairs the n-th item of a key with the n-th, strictest key first, and leaves the rest unmatched', () => {
    const base = [{ id: 1, name: 'a', extra: 'x' }, { id: 2, name: 'a', extra: 'y' }, { id: 3, name: 'b', extra: 'z' }];
    const candidate = [{ id: 10, name: 'a', extra: 'y' }, { id: 11, name: 'a', extra: 'q' }, { id: 12, name: 'c', extra: 'z' }];
    const result = alignByKeys(base, candidate, [(i) => `${i.name}|${i.extra}`, (i) => i.name]);
    expect(result.pairs.map((p) => [p.base.id, p.candidate.id, p.level])).toEqual([[2, 10, 0], [1, 11, 1]]);
    expect(result.onlyInBase.map((i) => i.id)).toEqual([3]);
    expect(result.onlyInCandidate.map((i) => i.id)).toEqual([12]);
  });

  it('splits shared time evenly and gives the rest to "outside", adding up to the window exactly', () => {
    const { byId, outsideMs } = attributeWallClock(
      [{ id: 1, start: 0, end: 100 }, { id: 2, start: 50, end: 150 }, { id: 3, start: null, end: 10 }, { id: 4, start: 180, end: 400 }],
      0,
      200,
    );
    expect(byId.get(1)).toBe(75);
    expect(byId.get(2)).toBe(75);
    expect(byId.get(3)).toBe(0);
    expect(byId.get(4)).toBe(20);
    expect(outsideMs).toBe(30);
    expect([...byId.values()].reduce((a, b) => a + b, 0) + outsideMs).toBe(200);
  });

  it('measures depth in the stage graph, ignoring unknown parents and surviving a cycle', () => {
    const depths = stageDepths([
      { stageId: 0, parentIds: [] },
      { stageId: 1, parentIds: [0] },
      { stageId: 2, parentIds: [1, 0, 99] },
      { stageId: 5, parentIds: [6] },
      { stageId: 6, parentIds: [5] },
    ]);
    expect([depths.get(0), depths.get(1), depths.get(2)]).toEqual([0, 1, 2]);
    expect(depths.get(5)).toBeGreaterThanOrEqual(0);
  });

  it('reduces a plan to its operators', () => {
    const plan = JSON.stringify({ nodeName: 'HashAggregate', simpleString: 'HashAggregate(keys=[a#1])', children: [{ nodeName: 'Exchange', children: [{ nodeName: 'Scan parquet' }] }] });
    expect(planShape(plan)).toBe('HashAggregate(Exchange(Scan parquet))');
    expect(planShape('not json')).toBe('');
    expect(planShape(null)).toBe('');
  });
});
