/**
 * Progress that teaches: hints revealed one at a time (the next after each failed run), an explanation once a run
 * passes (what changed in the plan and the docs of the insights it cleared), and the next scenario for a learner.
 */

import type { Insight } from '../../analysis/insight.js';
import type { ScenarioProgress } from '../progress/index.js';
import type { ScenarioCatalog } from './catalog.js';
import type { ScenarioEvaluation } from './run-scenario.js';
import type { Scenario } from './scenario-schema.js';
import { accepts, BLOCKING } from './soundness.js';

/**
 * The hints a learner has earned: one per failed run, in order, all of them once the scenario is completed. A
 * learner who has not tried yet sees none: the story and the plan come first.
 */
export function revealedHints(scenario: Scenario, progress: ScenarioProgress | undefined): string[] {
  if (!progress || progress.attempts === 0) return [];
  if (progress.status === 'COMPLETED') return [...scenario.hints];
  return scenario.hints.slice(0, Math.min(scenario.hints.length, progress.attempts));
}

/** An insight the "before" raised that the passing plan no longer does, with the doc that explains it. */
export interface ClearedInsight {
  type: string;
  title: string;
  sparkDocsRef: string;
}

/** What a passing run did, in words, with the docs to read next. */
export interface PassExplanation {
  summary: string;
  /** The before's insights (MEDIUM or worse) this plan no longer raises. */
  cleared: ClearedInsight[];
  /** Trade-offs the scenario accepts in the passing plan, with their reasons. */
  acceptedTradeoffs: string[];
  docs: Array<{ title: string; url: string }>;
}

/** The explanation of a passing run, compared with the scenario's "before"; null for a run that did not pass. */
export function explainPass(run: ScenarioEvaluation, before: ScenarioEvaluation): PassExplanation | null {
  if (!run.passed) return null;
  const scenario = run.scenario;
  const changed = run.choices.filter((choice) => choice.changed);
  const knobLabel = (id: string): string => scenario.knobs.find((knob) => knob.id === id)?.label ?? id;
  const changes = changed.map((choice) => `${knobLabel(choice.knob)} = ${JSON.stringify(choice.value)}`).join('; ');
  const remaining = new Set(run.insights.map((insight) => insight.id));
  const cleared: ClearedInsight[] = before.insights
    .filter((insight: Insight) => BLOCKING.has(insight.severity) && !remaining.has(insight.id))
    .map((insight) => ({ type: insight.type, title: insight.title, sparkDocsRef: insight.sparkDocsRef }));
  const acceptedTradeoffs = [
    ...scenario.accepted
      .filter((entry) => run.insights.some((insight) => accepts(entry, insight)))
      .map((entry) => `${entry.insight}: ${entry.reason}`),
    ...(scenario.moreShuffles !== null && run.simulation.totalShuffleBytes.value > before.simulation.totalShuffleBytes.value ? [`more shuffle: ${scenario.moreShuffles}`] : []),
  ];
  const summary = scenario.log
    ? `Your reading of the log matches what the detectors found (${changes || 'the answers as given'}).`
    : `With ${changes || 'the settings as given'}, the plan meets every condition and raises no serious insight the scenario does not accept` +
      (cleared.length > 0 ? `; it no longer shows: ${cleared.map((insight) => insight.title).join('; ')}.` : '.');
  const seen = new Set<string>();
  const docs = [
    ...cleared.map((insight) => ({ title: `About ${insight.type}`, url: insight.sparkDocsRef })),
    ...scenario.docs,
  ].filter((doc) => (seen.has(doc.url) ? false : (seen.add(doc.url), true)));
  return { summary, cleared, acceptedTradeoffs, docs };
}

/**
 * The scenario a learner should take next: the first of the catalogue (easiest level first) they have not
 * completed, preferring one they started over one they have not; null when they completed every one.
 */
export function nextScenario(catalog: ScenarioCatalog, progress: ReadonlyMap<string, ScenarioProgress>): Scenario | null {
  const open = catalog.list().filter((scenario) => progress.get(scenario.id)?.status !== 'COMPLETED');
  if (open.length === 0) return null;
  const lowest = open[0]!.level;
  const sameLevel = open.filter((scenario) => scenario.level === lowest);
  return sameLevel.find((scenario) => progress.get(scenario.id)?.status === 'ATTEMPTED') ?? sameLevel[0]!;
}
