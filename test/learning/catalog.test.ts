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
    expect(catalog.list().map((scenario) => scenario.id)).toEqual(expect.arrayContaining(required));
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

  it('has at least six log-reading scenarios beyond the first, each generated from the shape of a shared real log', () => {
    const logScenarios = catalog.list().filter((scenario) => scenario.log !== null && scenario.id !== 'retried-stages-lost-executor');
    expect(logScenarios.length).toBeGreaterThanOrEqual(6);
    for (const scenario of logScenarios) expect(scenario.story.replace(/\s+/g, ' '), scenario.id).toMatch(/a log generated from the shape of .* among the shared logs/);
    // Together they cover the situations a reader of logs meets most.
    const causes = new Set(logScenarios.flatMap((scenario) => scenario.success.filter((condition) => condition.insightType !== null).map((condition) => condition.insightType)));
    expect([...causes].sort()).toEqual(expect.arrayContaining(['broadcast-join', 'data-skew', 'failures', 'idle-executors', 'small-files', 'spill']));
  });

  it('runs every playground scenario on a realistic cluster stated in its story', () => {
    for (const scenario of catalog.list().filter((candidate) => candidate.log === null)) {
      const config = scenario.shape.config ?? {};
      expect(config.executors, scenario.id).toBeGreaterThanOrEqual(2);
      expect(config.coresPerExecutor, scenario.id).toBeGreaterThanOrEqual(2);
      expect(config.executorMemoryBytes, scenario.id).toBeGreaterThanOrEqual(4 * 1024 ** 3);
      const story = scenario.story.replace(/\s+/g, ' ');
      expect(story, scenario.id).toContain(`${config.executors} executors with ${config.coresPerExecutor} cores`);
      expect(story, scenario.id).toMatch(new RegExp(`${config.executorMemoryBytes! / 1024 ** 3} GiB`));
    }
  });

  // Each scenario: the "before" must fail, the solution in its file must pass as a sound plan, and every wrong answer
  // it lists must fail. The verdicts come from the simulation (or the log's detectors), so this is what proves a
  // scenario is teachable and that a pass means a plan a Spark engineer would accept.
  for (const scenario of catalog.list()) {
    describe(scenario.id, () => {
      it('fails as told, with evidence for every condition', async () => {
        const before = await evaluateScenario(scenario, []);
        expect(before.passed, JSON.stringify(before.conditions, null, 1)).toBe(false);
        expect(before.score).toBeLessThan(1);
        for (const condition of before.conditions) {
          expect(condition.explanation).toMatch(/^(Met|Not met): /);
          expect(promisesIn({ title: '', description: condition.explanation, suggestion: '', tradeoffs: '' })).toEqual([]);
        }
      });

      it('passes with the documented right answer as a sound plan', async () => {
        const solved = await evaluateScenario(scenario, scenario.solution);
        expect(solved.passed, JSON.stringify(solved.conditions, null, 1)).toBe(true);
        expect(solved.score).toBe(1);
        if (scenario.log === null) {
          const blocking = solved.simulation.insights.filter((insight) => ['CRITICAL', 'HIGH', 'MEDIUM'].includes(insight.severity));
          for (const insight of blocking) expect(scenario.accepted.some((entry) => entry.insight === insight.type || entry.insight === insight.id), insight.id).toBe(true);
          expect(solved.conditions.map((condition) => condition.metric)).toEqual(expect.arrayContaining(['unacceptedInsights', 'totalShuffleBytes', 'maxSpillBytesPerTask']));
        }
      });

      for (const [index, wrong] of scenario.wrongAnswers.entries()) {
        it(`fails with wrong answer ${index + 1}: ${wrong.why}`, async () => {
          const run = await evaluateScenario(scenario, wrong.choices);
          expect(run.passed, JSON.stringify(run.conditions, null, 1)).toBe(false);
        });
      }
    });
  }
});
