import type { Scenario as ScenarioModel } from '../../learning/scenarios/scenario-schema.js';
import type { ScenarioProgress as ProgressModel } from '../../learning/progress/index.js';
import { ScenarioProgress, ScenarioStatus } from './progress.type.js';
import { Scenario, ScenarioLevel } from './scenario.type.js';

/** A catalogue scenario as the API serves it (its solution stays on the server: it is for the tests). */
export function toScenario(model: ScenarioModel): Scenario {
  return {
    id: model.id,
    title: model.title,
    level: ScenarioLevel[model.level],
    story: model.story,
    goals: model.goals,
    shape: structuredClone(model.shape) as unknown as Record<string, unknown>,
    knobs: model.knobs.map((knob) => ({
      id: knob.id,
      label: knob.label,
      explanation: knob.explanation,
      target: knob.target,
      allowedValues: 'values' in knob.allowed ? knob.allowed.values : null,
      min: 'min' in knob.allowed ? knob.allowed.min : null,
      max: 'max' in knob.allowed ? knob.allowed.max : null,
      integer: 'integer' in knob.allowed ? knob.allowed.integer : false,
      before: knob.before,
      insertedOperation: knob.operation,
    })),
    successConditions: model.success.map((condition) => ({
      metric: condition.metric,
      operation: condition.operation,
      insightType: condition.insightType,
      operator: condition.operator,
      value: condition.value,
      answerKnob: condition.answer,
      why: condition.why,
    })),
    allHints: model.hints,
    hintCount: model.hints.length,
    acceptedTradeoffs: [
      ...model.accepted.map((entry) => ({ what: entry.insight, reason: entry.reason })),
      ...(model.moreShuffles !== null ? [{ what: 'more shuffle than the before', reason: model.moreShuffles }] : []),
      ...(model.moreSpill !== null ? [{ what: 'more spill than the before', reason: model.moreSpill }] : []),
    ],
    docs: model.docs,
    log: model.log ? { fileName: model.log.file } : null,
  };
}

/** A learner's progress on a scenario as the API serves it. */
export function toScenarioProgress(model: ProgressModel): ScenarioProgress {
  return { ...model, status: ScenarioStatus[model.status] };
}
