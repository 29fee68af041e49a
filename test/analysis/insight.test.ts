import { describe, expect, it } from 'vitest';
import { promisesIn, severityFor } from '../../src/analysis/insight.js';

const text = (description: string) => ({ title: 't', description, suggestion: 's', tradeoffs: 'x' });

describe('the no-promise rule', () => {
  it.each([
    'This job will be 3x faster.',
    'Enabling AQE will be faster.',
    'It runs 2.5 times faster with broadcast.',
    'This will improve run time by 40%.',
    'Salting reduces the stage time by 30 %.',
    'We guarantee a speed-up.',
    'Caching will fix the problem.',
  ])('catches "%s"', (description) => {
    expect(promisesIn(text(description))).not.toEqual([]);
  });

  it.each([
    'The largest task read 18.0× the median (900 MB against 50 MB).',
    'GC took 23% of executor run time.',
    'Broadcasting the 4 MB side avoids shuffling the 80 GB side; it costs driver and executor memory.',
  ])('lets measurements through: "%s"', (description) => {
    expect(promisesIn(text(description))).toEqual([]);
  });
});

describe('severity from impact', () => {
  it('tiers the share of the application a problem accounts for', () => {
    expect([0.5, 0.3, 0.2, 0.05, 0.01, 0.001].map(severityFor)).toEqual(['CRITICAL', 'CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO']);
  });
});
