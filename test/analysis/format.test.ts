import { describe, expect, it } from 'vitest';
import { counted, nameSome, someOf } from '../../src/analysis/format.js';

describe('names in a sentence', () => {
  it('lists every name up to the most shown, then the first ones and how many more', () => {
    expect(someOf(['a', 'b', 'c'], 3)).toBe('a, b, c');
    expect(someOf(['a', 'b', 'c', 'd'], 3)).toBe('a, b, c and 1 more');
  });

  it('names one thing, a few, or how many with the first five', () => {
    expect(nameSome('stage', [3])).toBe('stage 3');
    expect(nameSome('stage', [1, 2, 3, 4, 5])).toBe('stages 1, 2, 3, 4, 5');
    expect(nameSome('stage', [1, 2, 3, 4, 5, 6])).toBe('6 stages (1, 2, 3, 4, 5 and 1 more)');
  });
});

describe('counts in a sentence', () => {
  it('puts the noun in the singular for one and the plural otherwise', () => {
    expect(counted(1, 'job')).toBe('1 job');
    expect(counted(0, 'job')).toBe('0 jobs');
    expect(counted(3, 'stretch', 'stretches')).toBe('3 stretches');
    expect(counted(1, 'stretch', 'stretches')).toBe('1 stretch');
  });
});
