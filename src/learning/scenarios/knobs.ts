import { BadInputError } from '../../errors.js';
import type { ShapeInput, ShapeOperation } from '../../simulation/shape/shape-types.js';
import type { ScenarioScalar } from './metrics.js';
import type { Scenario, ScenarioKnob } from './scenario-schema.js';

/** A learner's choice as it arrives from the API: a JSON value of any kind, checked against the knob. */
export interface KnobChoice {
  knob: string;
  value: unknown;
}

/** A shape after the learner's choices, and where each "before" operation ended up in it. */
export interface ChosenShape {
  shape: ShapeInput;
  /** The index in `shape` of the "before" shape's operation N, or null when a choice dropped it. */
  operationIndex: (beforeIndex: number) => number | null;
}

/** What a knob allows, in words ("one of none, broadcast" or "a whole number from 1 to 10000"). */
export function describeAllowed(knob: ScenarioKnob): string {
  if ('values' in knob.allowed) return `one of ${knob.allowed.values.map((value) => JSON.stringify(value)).join(', ')}`;
  return `${knob.allowed.integer ? 'a whole number' : 'a number'} from ${knob.allowed.min} to ${knob.allowed.max}`;
}

/** The value the "before" shape itself gives a knob's target, or undefined when it leaves it at the default. */
export function shapeValueAt(shape: ShapeInput, knob: ScenarioKnob): unknown {
  const target = knob.parsedTarget;
  if (target.kind === 'config') return shape.config?.[target.field];
  if (target.kind !== 'operationField') return undefined;
  let node: unknown = shape.operations[target.operation];
  for (const key of target.path) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

/** Why `value` is not allowed for `knob`, or null when it is. */
export function checkKnobValue(knob: ScenarioKnob, value: unknown): string | null {
  const allowed = describeAllowed(knob);
  if ('values' in knob.allowed) {
    return knob.allowed.values.some((candidate) => candidate === value) ? null : `${JSON.stringify(value) ?? 'nothing'} is not allowed: ${allowed}`;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) return `${JSON.stringify(value) ?? 'nothing'} is not a number: ${allowed}`;
  if (knob.allowed.integer && !Number.isInteger(value)) return `${value} is not a whole number: ${allowed}`;
  if (value < knob.allowed.min || value > knob.allowed.max) return `${value} is out of range: ${allowed}`;
  return null;
}

/**
 * Checks a learner's choices against the scenario's knobs and returns every knob's value (the "before" value for
 * knobs not chosen). Throws BadInputError naming the knob and what it allows for an unknown knob, a knob chosen
 * twice or a value it does not allow.
 */
export function resolveChoices(scenario: Scenario, choices: readonly KnobChoice[]): Map<string, ScenarioScalar> {
  const values = new Map<string, ScenarioScalar>(scenario.knobs.map((knob) => [knob.id, knob.before]));
  const chosen = new Set<string>();
  const problems: string[] = [];
  for (const choice of choices) {
    const knob = scenario.knobs.find((candidate) => candidate.id === choice.knob);
    if (!knob) {
      problems.push(`unknown knob "${choice.knob}" for scenario ${scenario.id}; its knobs: ${scenario.knobs.map((k) => k.id).join(', ')}`);
      continue;
    }
    if (chosen.has(knob.id)) {
      problems.push(`knob "${knob.id}" is chosen more than once`);
      continue;
    }
    chosen.add(knob.id);
    const problem = checkKnobValue(knob, choice.value);
    if (problem) problems.push(`knob "${knob.id}": ${problem}`);
    else values.set(knob.id, choice.value as ScenarioScalar);
  }
  if (problems.length > 0) throw new BadInputError(problems.join('; '));
  return values;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: ScenarioScalar): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/**
 * The "before" shape with the knobs' values applied, as a new object (the scenario's shape is never changed). A
 * knob left at its "before" value changes nothing, so "before" may name a default the shape does not spell out
 * (e.g. `saltBuckets: 1` for no salting, `shufflePartitions: 200`).
 * Field and config knobs apply first, on the "before" indexes; then operations are dropped and inserted, so every
 * knob and condition keeps pointing at the operation its author meant.
 */
export function applyKnobValues(before: ShapeInput, knobs: readonly ScenarioKnob[], values: ReadonlyMap<string, ScenarioScalar>): ChosenShape {
  const shape = structuredClone(before);
  shape.config = { ...shape.config };
  const keep = shape.operations.map(() => true);
  const inserts = new Map<number, ShapeOperation[]>();
  for (const knob of knobs) {
    const value = values.get(knob.id) ?? knob.before;
    // The "before" value is what the before shape already does (a field it leaves at Spark's default included).
    if (value === knob.before) continue;
    const target = knob.parsedTarget;
    switch (target.kind) {
      case 'config':
        (shape.config as Record<string, unknown>)[target.field] = value;
        break;
      case 'operationField':
        setPath(shape.operations[target.operation] as unknown as Record<string, unknown>, target.path, value);
        break;
      case 'keepOperation':
        keep[target.operation] = value === true;
        break;
      case 'insertOperation':
        if (value === true) inserts.set(target.before, [...(inserts.get(target.before) ?? []), structuredClone(knob.operation) as unknown as ShapeOperation]);
        break;
      case 'answer':
        break;
    }
  }
  const operations: ShapeOperation[] = [];
  const newIndex: Array<number | null> = [];
  shape.operations.forEach((operation, index) => {
    operations.push(...(inserts.get(index) ?? []));
    newIndex.push(keep[index] ? operations.length : null);
    if (keep[index]) operations.push(operation);
  });
  operations.push(...(inserts.get(shape.operations.length) ?? []));
  shape.operations = operations;
  return { shape, operationIndex: (beforeIndex) => newIndex[beforeIndex] ?? null };
}
