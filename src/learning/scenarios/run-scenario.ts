import type { Insight } from '../../analysis/insight.js';
import type { ShapeInput, ShapeResult } from '../../simulation/shape/shape-types.js';
import { parseShapeInput } from '../../simulation/shape/shape-validation.js';
import { simulateShape } from '../../simulation/shape/shape-simulator.js';
import type { ProgressStore, ScenarioProgress } from '../progress/index.js';
import type { ScenarioCatalog } from './catalog.js';
import { evaluateConditions, scoreOf, type ConditionResult } from './conditions.js';
import { applyKnobValues, resolveChoices, type KnobChoice } from './knobs.js';
import { analyseScenarioLog } from './log-analysis.js';
import type { LogAnalysis, ScenarioScalar } from './metrics.js';
import type { Scenario } from './scenario-schema.js';
import { soundnessChecks } from './soundness.js';
import { explainPass, type PassExplanation } from './teaching.js';

const beforeSimulations = new WeakMap<Scenario, ShapeResult>();

/** The simulation of the scenario's "before" shape, computed once per loaded scenario. */
function beforeSimulation(scenario: Scenario): ShapeResult {
  let result = beforeSimulations.get(scenario);
  if (!result) {
    result = simulateShape(scenario.shape);
    beforeSimulations.set(scenario, result);
  }
  return result;
}

/** The value a knob had on a run, and whether the learner changed it from the "before". */
export interface AppliedChoice {
  knob: string;
  value: ScenarioScalar;
  changed: boolean;
}

/** What a run of a scenario came to, before it is recorded. */
export interface ScenarioEvaluation {
  scenario: Scenario;
  /** Every knob's value on this run (chosen or left at "before"). */
  choices: AppliedChoice[];
  /** The shape the choices made: the playground input that was simulated. */
  shape: ShapeInput;
  simulation: ShapeResult;
  /** The insights that fire: the simulation's, or for a log scenario the detectors' findings in its log. */
  insights: Insight[];
  /** The analysed log, for log scenarios. */
  log: LogAnalysis | null;
  conditions: ConditionResult[];
  passed: boolean;
  /** Share (0-1) of the success conditions met. */
  score: number;
}

/** A recorded run: its evaluation, the explanation when it passed, and the learner's progress including it. */
export interface ScenarioRun extends ScenarioEvaluation {
  progress: ScenarioProgress;
  explanation: PassExplanation | null;
}

/**
 * Applies the learner's choices to the scenario's "before" shape, simulates it with the playground, analyses the
 * scenario's log when it has one, and checks every success condition on what came out. Throws BadInputError for
 * a choice the scenario does not allow.
 */
export async function evaluateScenario(scenario: Scenario, choices: readonly KnobChoice[]): Promise<ScenarioEvaluation> {
  const values = resolveChoices(scenario, choices);
  const chosen = applyKnobValues(scenario.shape, scenario.knobs, values);
  // Knob values are checked on load one at a time; a combination is checked here, with the playground's own message.
  const shape = parseShapeInput(chosen.shape);
  const simulation = simulateShape(shape);
  const log = scenario.log ? await analyseScenarioLog(scenario.log.file) : null;
  const conditions = evaluateConditions(scenario.success, { result: simulation, log, operationIndex: chosen.operationIndex }, values);
  // A log scenario's answers are diagnoses of a run that already happened; a shape scenario's plan must be sound.
  if (!scenario.log) conditions.push(...soundnessChecks(scenario, simulation, beforeSimulation(scenario)));
  return {
    scenario,
    choices: scenario.knobs.map((knob) => {
      const value = values.get(knob.id)!;
      return { knob: knob.id, value, changed: value !== knob.before };
    }),
    shape,
    simulation,
    insights: log ? log.insights : simulation.insights,
    log,
    conditions,
    passed: conditions.every((condition) => condition.met),
    score: scoreOf(conditions),
  };
}

/** The summary of a run kept as the attempt's result (and served back as the best result). */
export function attemptSummary(evaluation: ScenarioEvaluation): Record<string, unknown> {
  return {
    passed: evaluation.passed,
    score: evaluation.score,
    choices: Object.fromEntries(evaluation.choices.map((choice) => [choice.knob, choice.value])),
    conditions: evaluation.conditions.map((condition) => ({
      metric: condition.metric,
      operation: condition.operation,
      operator: condition.operator,
      expected: condition.expected,
      actual: condition.actual,
      met: condition.met,
    })),
    insightTypes: [...new Set(evaluation.insights.map((insight) => insight.type))].sort(),
  };
}

/** What running a scenario needs from the server. */
export interface ScenarioServices {
  catalog: ScenarioCatalog;
  progress: ProgressStore;
}

/** Runs a scenario for a learner and records the attempt in their progress. */
export async function runScenario(
  services: ScenarioServices,
  learnerId: string,
  scenarioId: string,
  choices: readonly KnobChoice[],
): Promise<ScenarioRun> {
  const evaluation = await evaluateScenario(services.catalog.get(scenarioId), choices);
  const progress = await services.progress.recordAttempt(learnerId, {
    scenarioId,
    passed: evaluation.passed,
    score: evaluation.score,
    result: attemptSummary(evaluation),
  });
  const explanation = evaluation.passed ? explainPass(evaluation, await evaluateScenario(evaluation.scenario, [])) : null;
  return { ...evaluation, progress, explanation };
}
