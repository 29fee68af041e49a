import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { loadCatalog } from '../../src/learning/scenarios/catalog.js';
import { applyKnobValues, resolveChoices } from '../../src/learning/scenarios/knobs.js';

const catalog = loadCatalog();

describe('knobs', () => {
  it('apply to a copy: the scenario\'s "before" shape is never changed', () => {
    const scenario = catalog.get('skewed-join');
    const before = structuredClone(scenario.shape);
    const values = resolveChoices(scenario, [{ knob: 'saltBuckets', value: 16 }, { knob: 'shufflePartitions', value: 400 }]);
    const { shape } = applyKnobValues(scenario.shape, scenario.knobs, values);
    expect(shape.operations[1]!.saltBuckets).toBe(16);
    expect(shape.config?.shufflePartitions).toBe(400);
    expect(scenario.shape).toEqual(before);
  });

  it('leave a target at its default when the value is the "before" one', () => {
    const scenario = catalog.get('skewed-join');
    const { shape } = applyKnobValues(scenario.shape, scenario.knobs, resolveChoices(scenario, [{ knob: 'saltBuckets', value: 1 }]));
    expect(shape.operations[1]).not.toHaveProperty('saltBuckets');
  });

  it('drop and insert operations while every index keeps naming the "before" operation', () => {
    const scenario = catalog.get('too-few-partitions');
    const values = resolveChoices(scenario, [{ knob: 'keepCoalesce', value: false }, { knob: 'repartitionBeforeWrite', value: true }]);
    const { shape, operationIndex } = applyKnobValues(scenario.shape, scenario.knobs, values);
    expect(shape.operations.map((operation) => operation.op)).toEqual(['map', 'repartition', 'write']);
    expect([0, 1, 2].map(operationIndex)).toEqual([null, 0, 2]);
  });

  it('replace an operation by changing its kind', () => {
    const scenario = catalog.get('groupbykey-vs-reducebykey');
    const { shape } = applyKnobValues(scenario.shape, scenario.knobs, resolveChoices(scenario, [{ knob: 'aggregation', value: 'groupBy' }]));
    expect(shape.operations[1]!.op).toBe('groupBy');
  });

  it('refuse unknown knobs, repeated knobs and values outside what a knob allows, naming the knob and what it allows', () => {
    const scenario = catalog.get('skewed-join');
    const refuse = (choices: Array<{ knob: string; value: unknown }>): unknown => () => resolveChoices(scenario, choices);
    expect(refuse([{ knob: 'salt', value: 4 }])).toThrow(BadInputError);
    expect(refuse([{ knob: 'salt', value: 4 }])).toThrow(/unknown knob "salt" for scenario skewed-join; its knobs: shufflePartitions, saltBuckets, adaptiveEnabled/);
    expect(refuse([{ knob: 'saltBuckets', value: 100 }])).toThrow(/knob "saltBuckets": 100 is out of range: a whole number from 1 to 64/);
    expect(refuse([{ knob: 'saltBuckets', value: 2.5 }])).toThrow(/2\.5 is not a whole number/);
    expect(refuse([{ knob: 'saltBuckets', value: '8' }])).toThrow(/"8" is not a number/);
    expect(refuse([{ knob: 'adaptiveEnabled', value: 'yes' }])).toThrow(/knob "adaptiveEnabled": "yes" is not allowed: one of false, true/);
    expect(refuse([{ knob: 'adaptiveEnabled', value: true }, { knob: 'adaptiveEnabled', value: false }])).toThrow(/chosen more than once/);
  });
});
