/**
 * A pass is a sound plan, not one metric met: besides its success conditions, a scenario's plan must raise no
 * CRITICAL, HIGH or MEDIUM insight the scenario does not accept as a stated trade-off, and must shuffle and spill no
 * more than the "before" unless the scenario says why. These checks are reported like conditions, with evidence.
 */

import { formatBytes } from '../../analysis/format.js';
import type { Insight } from '../../analysis/insight.js';
import type { ShapeResult } from '../../simulation/shape/shape-types.js';
import type { ConditionResult } from './conditions.js';
import type { Scenario } from './scenario-schema.js';

/** Severities a passing plan may not raise unless the scenario accepts them. */
export const BLOCKING = new Set(['CRITICAL', 'HIGH', 'MEDIUM']);

/** Whether an accepted entry (an insight type, or an exact insight id) covers this insight. */
export function accepts(entry: { insight: string }, insight: Insight): boolean {
  return entry.insight === insight.type || entry.insight === insight.id;
}

/** Shuffle bytes within this share above the "before" count as the same shuffle. */
const SHUFFLE_TOLERANCE = 0.01;

/** The most a task spills in any stage of a plan, and where. */
function worstSpill(result: ShapeResult): { bytes: number; where: string } {
  let worst = { bytes: 0, where: 'no stage spills' };
  for (const stage of result.stages) {
    if (stage.spillBytesPerTask.value > worst.bytes) worst = { bytes: stage.spillBytesPerTask.value, where: `stage ${stage.id}` };
  }
  return worst;
}

/** The soundness checks of one run, compared with the simulation of the scenario's "before" shape. */
export function soundnessChecks(scenario: Scenario, result: ShapeResult, before: ShapeResult): ConditionResult[] {
  const base = { operation: null, insightType: null } as const;
  const unaccepted = result.insights.filter((insight) => BLOCKING.has(insight.severity) && !scenario.accepted.some((entry) => accepts(entry, insight)));
  const acceptedHere = result.insights.filter((insight) => BLOCKING.has(insight.severity) && scenario.accepted.some((entry) => accepts(entry, insight)));
  const acceptedWhy = acceptedHere
    .map((insight) => `${insight.title}: accepted because ${scenario.accepted.find((entry) => accepts(entry, insight))!.reason}`)
    .join('; ');
  const checks: ConditionResult[] = [
    {
      ...base,
      metric: 'unacceptedInsights',
      operator: '==',
      expected: 'none',
      actual: unaccepted.map((insight) => insight.id),
      met: unaccepted.length === 0,
      explanation:
        unaccepted.length === 0
          ? `Met: the plan raises no CRITICAL, HIGH or MEDIUM insight the scenario does not accept${acceptedWhy ? ` (${acceptedWhy})` : ''}. A pass is a sound plan, not one number met.`
          : `Not met: the plan still raises ${unaccepted.map((insight) => `${insight.severity} "${insight.title}"`).join('; ')}. A pass is a sound plan, not one number met.`,
    },
  ];
  const shuffled = result.totalShuffleBytes.value;
  const shuffledBefore = before.totalShuffleBytes.value;
  // Within 1%: partial aggregates grow with the number of map tasks, which is noise, not a new shuffle.
  const moreShuffle = shuffled > shuffledBefore * (1 + SHUFFLE_TOLERANCE);
  checks.push({
    ...base,
    metric: 'totalShuffleBytes',
    operator: '<=',
    expected: shuffledBefore,
    actual: shuffled,
    met: !moreShuffle || scenario.moreShuffles !== null,
    explanation: !moreShuffle
      ? `Met: the plan shuffles ${formatBytes(shuffled)}, no more than the ${formatBytes(shuffledBefore)} before (within 1%).`
      : scenario.moreShuffles !== null
        ? `Met: the plan shuffles ${formatBytes(shuffled)}, more than the ${formatBytes(shuffledBefore)} before, which this scenario accepts: ${scenario.moreShuffles}`
        : `Not met: the plan shuffles ${formatBytes(shuffled)}, more than the ${formatBytes(shuffledBefore)} before; moving more data is a cost, not a fix.`,
  });
  const spill = worstSpill(result);
  const spillBefore = worstSpill(before);
  const moreSpill = spill.bytes > spillBefore.bytes * (1 + 1e-9) + 1;
  checks.push({
    ...base,
    metric: 'maxSpillBytesPerTask',
    operator: '<=',
    expected: spillBefore.bytes,
    actual: spill.bytes,
    met: !moreSpill || scenario.moreSpill !== null,
    explanation: !moreSpill
      ? `Met: a task spills at most ${formatBytes(spill.bytes)} (${spill.where}), no more than the ${formatBytes(spillBefore.bytes)} before.`
      : scenario.moreSpill !== null
        ? `Met: a task may spill ${formatBytes(spill.bytes)} (${spill.where}), more than the ${formatBytes(spillBefore.bytes)} before, which this scenario accepts: ${scenario.moreSpill}`
        : `Not met: a task may spill ${formatBytes(spill.bytes)} (${spill.where}), more than the ${formatBytes(spillBefore.bytes)} before.`,
  });
  return checks;
}
