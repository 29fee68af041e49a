import { describe, expect, it } from 'vitest';
import { quantilesText } from '../../src/api/tasks/tasks.loader.js';

describe('quantilesText (the task summary loader\'s batch key)', () => {
  it('is the quantiles ascending, whatever order they are asked in', () => {
    expect(quantilesText([0.5, 0.05, 0.95])).toBe('[0.05,0.5,0.95]');
    expect(quantilesText([0.95, 0.5, 0.05])).toBe('[0.05,0.5,0.95]');
  });

  it('follows the quantiles asked for, not the last ones remembered', () => {
    const asked = [0.25, 0.75];
    expect(quantilesText(asked)).toBe('[0.25,0.75]');
    // An array changed after it was asked with is read again, not taken for the one remembered.
    asked[1] = 0.9;
    expect(quantilesText(asked)).toBe('[0.25,0.9]');
    expect(quantilesText([0.25, 0.9, 1])).toBe('[0.25,0.9,1]');
    expect(quantilesText([0.25])).toBe('[0.25]');
    expect(quantilesText([])).toBe('[]');
  });
});
