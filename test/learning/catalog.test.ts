import { describe, expect, it } from 'vitest';
import { PROMISE_PATTERNS, promisesIn } from '../../src/analysis/insight.js';
import { loadCatalog } from '../../src/learning/scenarios/catalog.js';
import { evaluateScenario } from '../../src/learning/scenarios/run-scenario.js';

const catalog = loadCatalog();

/** The twelve situations the issue asks the catalogue to teach. */
const required = [
  'skewed-join',
  'groupbykey-vs-reducebykey',
  'too-many-shuffle-partitions',
  'too-few-partitions',
  'small-files',
  'broadcast-small-dimension',
  'broadcast-too-large',
  'spill-wide-aggregation',
  'collect-large-result',
  'cache-never-reused',
  'cartesian-join',
  'retried-stages-lost-executor',
];

describe('the scenario catalogue', () => {
  it('loads every scenario file, validated, and covers every required situation at every level', () => {
    expect(catalog.list().map((scenario) => scenario.id).sort()).toEqual([...required].sort());
    expect(new Set(catalog.list().map((scenario) => scenario.level))).toEqual(new Set(['BEGINNER', 'INTERMEDIATE', 'ADVANCED']));
    expect(catalog.list('ADVANCED').every((scenario) => scenario.level === 'ADVANCED')).toBe(true);
    expect(catalog.list().some((scenario) => scenario.log !== null)).toBe(true);
  });

  it('never promises a speed-up in its prose (stories, goals, knobs, hints, conditions)', () => {
    expect(PROMISE_PATTERNS.length).toBeGreaterThan(0);
    for (const scenario of catalog.list()) {
      const prose = [
        scenario.title,
        scenario.story,
        ...scenario.goals,
        ...scenario.hints,
        ...scenario.knobs.flatMap((knob) => [knob.label, knob.explanation]),
        ...scenario.success.map((condition) => condition.why),
      ].join('\n');
      expect(promisesIn({ title: '', description: prose, suggestion: '', tradeoffs: '' }), scenario.id).toEqual([]);
    }
  });

  // Each scenario: the "before" must fail its success condition, and the solution in its file must pass it. The
  // verdicts come from the simulation (or the log's detectors), so this is what proves a scenario is teachable.
  for (const id of required) {
    describe(id, () => {
      const scenario = catalog.get(id);

      it('fails its success condition as told, with evidence for every condition', async () => {
        const before = await evaluateScenario(scenario, []);
        expect(before.passed, JSON.stringify(before.conditions, null, 1)).toBe(false);
        expect(before.score).toBeLessThan(1);
        for (const condition of before.conditions) {
          expect(condition.explanation).toMatch(/^(Met|Not met): /);
          expect(promisesIn({ title: '', description: condition.explanation, suggestion: '', tradeoffs: '' })).toEqual([]);
        }
      });

      it('passes with the documented right answer', async () => {
        const solved = await evaluateScenario(scenario, scenario.solution);
        expect(solved.passed, JSON.stringify(solved.conditions, null, 1)).toBe(true);
        expect(solved.score).toBe(1);
      });
    });
  }
});
