import { formatBytes } from '../../analysis/format.js';
import { MetricUnavailableError, metrics, type MetricInput, type MetricValue, type ScenarioScalar } from './metrics.js';
import type { ConditionOperator, ScenarioCondition } from './scenario-schema.js';

/** One success condition checked on a run: what was expected, what the simulation (or log) gave, and why. */
export interface ConditionResult {
  metric: string;
  operation: number | null;
  insightType: string | null;
  operator: ConditionOperator;
  expected: ScenarioScalar;
  /** The measured value; null when it could not be measured (e.g. the choices removed the operation it reads). */
  actual: MetricValue | null;
  met: boolean;
  /** A sentence: the verdict, the comparison in words, how the value was derived and why the condition matters. */
  explanation: string;
}

const operatorWords: Record<ConditionOperator, string> = {
  '<': 'under',
  '<=': 'at most',
  '>': 'over',
  '>=': 'at least',
  '==': 'equal to',
  '!=': 'other than',
  contains: 'including',
  excludes: 'not including',
};

function compare(actual: MetricValue, operator: ConditionOperator, expected: ScenarioScalar): boolean {
  if (operator === 'contains') return Array.isArray(actual) && actual.some((item) => item === expected);
  if (operator === 'excludes') return Array.isArray(actual) && !actual.some((item) => item === expected);
  if (Array.isArray(actual)) return false;
  switch (operator) {
    case '==':
      return actual === expected;
    case '!=':
      return actual !== expected;
    default: {
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      if (operator === '<') return actual < expected;
      if (operator === '<=') return actual <= expected;
      if (operator === '>') return actual > expected;
      return actual >= expected;
    }
  }
}

function show(metric: string, value: MetricValue): string {
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map((item) => String(item)).join(', ');
  if (typeof value === 'number' && /bytes/i.test(metric) && Math.abs(value) >= 1024) return `${formatBytes(value)} (${value} bytes)`;
  return String(value);
}

/**
 * Measures each condition's metric on this run and compares it; `answers` holds the learner's value of every knob
 * (for conditions whose expected value is the learner's diagnosis).
 */
export function evaluateConditions(
  conditions: readonly ScenarioCondition[],
  input: MetricInput,
  answers: ReadonlyMap<string, ScenarioScalar>,
): ConditionResult[] {
  return conditions.map((condition) => {
    const metric = metrics[condition.metric]!;
    const params = { operation: condition.operation ?? undefined, insightType: condition.insightType ?? undefined };
    const expected = condition.answer !== null ? answers.get(condition.answer)! : condition.value!;
    const label = metric.label(params);
    const base = { metric: condition.metric, operation: condition.operation, insightType: condition.insightType, operator: condition.operator, expected };
    let measured;
    try {
      measured = metric.measure(input, params);
    } catch (error) {
      if (!(error instanceof MetricUnavailableError)) throw error;
      return { ...base, actual: null, met: false, explanation: `Not met: ${label} cannot be measured (${error.message}). ${condition.why}` };
    }
    const met = compare(measured.value, condition.operator, expected);
    const comparison =
      condition.answer !== null
        ? `you answered ${show(condition.metric, expected)}; ${label}: ${show(condition.metric, measured.value)}`
        : `${label}: ${show(condition.metric, measured.value)}, expected ${operatorWords[condition.operator]} ${show(condition.metric, expected)}`;
    return {
      ...base,
      actual: measured.value,
      met,
      explanation: `${met ? 'Met' : 'Not met'}: ${comparison} (${measured.derivation}). ${condition.why}`,
    };
  });
}

/** The share (0-1) of conditions met: partial credit for a partly right run, 1 only when all hold. */
export function scoreOf(results: readonly ConditionResult[]): number {
  if (results.length === 0) return 0;
  return Math.round((results.filter((result) => result.met).length / results.length) * 1000) / 1000;
}
