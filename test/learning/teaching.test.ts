import { describe, expect, it } from 'vitest';
import { notStarted, type ScenarioProgress } from '../../src/learning/progress/index.js';
import { loadCatalog } from '../../src/learning/scenarios/catalog.js';
import { evaluateScenario } from '../../src/learning/scenarios/run-scenario.js';
import { explainPass, nextScenario, revealedHints } from '../../src/learning/scenarios/teaching.js';

const catalog = loadCatalog();

function progress(scenarioId: string, status: ScenarioProgress['status'], attempts: number): ScenarioProgress {
  return { ...notStarted(scenarioId), status, attempts };
}

describe('progress that teaches', () => {
  const skewed = catalog.get('skewed-join');

  it('reveals hints one at a time: none before a run, the next after each failed run, all once completed', () => {
    expect(revealedHints(skewed, undefined)).toEqual([]);
    expect(revealedHints(skewed, progress('skewed-join', 'ATTEMPTED', 1))).toEqual(skewed.hints.slice(0, 1));
    expect(revealedHints(skewed, progress('skewed-join', 'ATTEMPTED', 2))).toEqual(skewed.hints.slice(0, 2));
    expect(revealedHints(skewed, progress('skewed-join', 'ATTEMPTED', 99))).toEqual(skewed.hints);
    expect(revealedHints(skewed, progress('skewed-join', 'COMPLETED', 1))).toEqual(skewed.hints);
  });

  it('explains a pass: what changed, which serious insights of the before it cleared (with their docs), nothing for a fail', async () => {
    const before = await evaluateScenario(skewed, []);
    const passed = await evaluateScenario(skewed, skewed.solution);
    const explanation = explainPass(passed, before)!;
    expect(explanation.summary).toMatch(/^With spark\.sql\.shuffle\.partitions = 2000; spark\.sql\.adaptive\.enabled = true, the plan meets every condition/);
    expect(explanation.cleared.map((insight) => insight.type)).toEqual(expect.arrayContaining(['spill', 'data-skew', 'partition-count']));
    for (const insight of explanation.cleared) expect(explanation.docs.map((doc) => doc.url)).toContain(insight.sparkDocsRef);
    expect(explanation.docs.map((doc) => doc.url)).toEqual(expect.arrayContaining(skewed.docs.map((doc) => doc.url)));
    expect(explainPass(before, before)).toBeNull();
  });

  it('states the accepted trade-offs a passing plan relies on', async () => {
    const scenario = catalog.get('broadcast-too-large');
    const explanation = explainPass(await evaluateScenario(scenario, scenario.solution), await evaluateScenario(scenario, []))!;
    expect(explanation.acceptedTradeoffs).toEqual([expect.stringMatching(/^more shuffle: Without the broadcast/)]);
  });

  it('suggests the next scenario by level, skipping completed ones and preferring one already started', () => {
    const first = catalog.list()[0]!;
    expect(nextScenario(catalog, new Map())).toBe(first);
    const beginners = catalog.list('BEGINNER');
    const done = new Map(beginners.map((scenario) => [scenario.id, progress(scenario.id, 'COMPLETED', 1)]));
    const next = nextScenario(catalog, done)!;
    expect(next.level).toBe('INTERMEDIATE');
    const started = catalog.list('INTERMEDIATE').at(-1)!;
    done.set(started.id, progress(started.id, 'ATTEMPTED', 2));
    expect(nextScenario(catalog, done)).toBe(started);
    const all = new Map(catalog.list().map((scenario) => [scenario.id, progress(scenario.id, 'COMPLETED', 1)]));
    expect(nextScenario(catalog, all)).toBeNull();
  });
});
