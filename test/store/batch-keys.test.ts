import { describe, expect, it } from 'vitest';
import { batchesUpTo } from '../../src/store/batch-keys.js';

describe('batchesUpTo', () => {
  const sizeOf = (item: { n: number }): number => item.n;

  it('keeps the order and fills each batch up to the limit', () => {
    const items = [3, 4, 2, 5, 1, 1].map((n) => ({ n }));
    expect(batchesUpTo(items, sizeOf, 7).map((batch) => batch.map(sizeOf))).toEqual([[3, 4], [2, 5], [1, 1]]);
  });

  it('gives an item larger than the limit a batch of its own', () => {
    const items = [2, 9, 1].map((n) => ({ n }));
    expect(batchesUpTo(items, sizeOf, 5).map((batch) => batch.map(sizeOf))).toEqual([[2], [9], [1]]);
  });

  it('puts items of no size in the batch at hand, and gives no items no batch', () => {
    expect(batchesUpTo([0, 0, 3].map((n) => ({ n })), sizeOf, 3).map((batch) => batch.map(sizeOf))).toEqual([[0, 0, 3]]);
    expect(batchesUpTo([], sizeOf, 3)).toEqual([]);
  });
});
