import type { EvidenceValue } from '../../src/analysis/insight.js';
import { promisesIn } from '../../src/analysis/insight.js';
import type { InsightRecord } from '../../src/store/insights-store.js';

/**
 * The rules every insight keeps on any log (possible numbers, time compared with time of its kind, wall-clock
 * counted once), as checks that list what breaks them: shared by the suite over the shared real logs and the one over
 * generated logs.
 */

/** Every percentage written in a text ("12%", "0.4%"). */
const percentages = (text: string): number[] => [...text.matchAll(/(\d+(?:\.\d+)?)\s*%/g)].map((m) => Number(m[1]));

/** Every (path, number) in an evidence tree. */
function numbersIn(value: EvidenceValue, path = ''): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbersIn(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbersIn(v, path ? `${path}.${k}` : k));
  return [];
}

/** Evidence keys that hold a share (0-1) of something. */
const SHARE_KEY = /(share|Share|^gcRatio|\.gcRatio|overheadShareOfTaskTime)$/;

const where = (insight: InsightRecord): string => `${insight.appKey} ${insight.id}`;

/** Insights that promise a speed-up. */
export function promisedSpeedUps(insights: readonly InsightRecord[]): string[] {
  return insights.flatMap((insight) => promisesIn(insight).map((phrase) => `${where(insight)}: "${phrase}"`));
}

/** Insights without evidence, a confidence, a suggestion with its trade-off or a Spark docs link. */
export function unbackedInsights(insights: readonly InsightRecord[]): string[] {
  return insights.flatMap((insight) => {
    const missing = [
      Object.keys(insight.evidence).length === 0 && 'evidence',
      !['HIGH', 'MEDIUM', 'LOW'].includes(insight.confidence) && 'confidence',
      insight.suggestion.length <= 20 && 'suggestion',
      insight.tradeoffs.length <= 20 && 'trade-offs',
      !/^https:\/\/spark\.apache\.org\/docs\//.test(insight.sparkDocsRef) && 'Spark docs link',
    ].filter((gap): gap is string => gap !== false);
    return missing.map((gap) => `${where(insight)}: no ${gap}`);
  });
}

/** Percentages over 100 in an insight's text, and evidence shares outside 0-1. */
export function impossibleShares(insights: readonly InsightRecord[]): string[] {
  return insights.flatMap((insight) => [
    ...percentages(`${insight.title}\n${insight.description}`).filter((p) => p > 100).map((p) => `${where(insight)}: ${p}% in text`),
    ...numbersIn(insight.evidence)
      .filter(([path, n]) => SHARE_KEY.test(path) && (n < 0 || n > 1))
      .map(([path, n]) => `${where(insight)}: evidence ${path} = ${n}`),
  ]);
}

/** Per-task times in evidence larger than the task time they are part of. */
export function timesOutsideTheirWindow(insights: readonly InsightRecord[]): string[] {
  const pairs: Array<[part: string, whole: string]> = [
    ['gcTimeMs', 'taskTimeMs'],
    ['schedulerDelayMs', 'taskTimeMs'],
    ['overheadMs', 'stageTaskTimeMs'],
    ['lostTaskTimeMs', 'applicationTaskTimeMs'],
  ];
  return insights.flatMap((insight) => {
    const e = insight.evidence as Record<string, EvidenceValue>;
    return pairs
      .filter(([part, whole]) => typeof e[part] === 'number' && typeof e[whole] === 'number' && (e[part] as number) > (e[whole] as number) + 1e-6)
      .map(([part, whole]) => `${where(insight)}: ${part} ${e[part]} > ${whole} ${e[whole]}`);
  });
}

/** Impacts outside [0, 1], negative impact times, and applications whose claimed wall-clock exceeds their duration. */
export function impactsBeyondTheRun(insights: readonly InsightRecord[], durations: ReadonlyMap<string, number | null>): string[] {
  const wrong: string[] = [];
  const claimed = new Map<string, number>();
  for (const insight of insights) {
    if (!(insight.impact >= 0 && insight.impact <= 1)) wrong.push(`${where(insight)}: impact ${insight.impact}`);
    if (!(Number(insight.impactMs) >= 0)) wrong.push(`${where(insight)}: impactMs ${insight.impactMs}`);
    if (typeof insight.evidence['wallClockClaimMs'] === 'number') {
      claimed.set(insight.appKey, (claimed.get(insight.appKey) ?? 0) + Number(insight.impactMs));
    }
  }
  for (const [appKey, ms] of claimed) {
    const duration = durations.get(appKey);
    if (duration !== null && duration !== undefined && ms > duration + 1) wrong.push(`${appKey}: ${ms} ms claimed of ${duration} ms`);
  }
  return wrong;
}

/** Evidence numbers that are not finite, or evidence that does not survive JSON. */
export function unwritableEvidence(insights: readonly InsightRecord[]): string[] {
  return insights.flatMap((insight) => [
    ...numbersIn(insight.evidence).filter(([, n]) => !Number.isFinite(n)).map(([path, n]) => `${where(insight)}: ${path} = ${n}`),
    ...(JSON.stringify(JSON.parse(JSON.stringify(insight.evidence))) === JSON.stringify(insight.evidence) ? [] : [`${where(insight)}: evidence changes through JSON`]),
  ]);
}

/** What an insight's prose must never say: a count of one in the plural, a plural left to the reader, a time of zero
 * written as seconds, or a value the code never had. */
const CLUMSY_PROSE: ReadonlyArray<[RegExp, string]> = [
  [/\b1 (failed |killed |other slow )?(tasks|task attempts|attempts|executors|stages|jobs|files|stretches|task slots|slots|nodes|queries)\b/,
    'one thing in the plural'],
  [/\w\((s|es)\)/, 'a plural left open'],
  [/\b0\.0 s\b/, 'a time written as 0.0 s'],
  [/\b(undefined|NaN)\b|\[object Object\]/, 'a value the code did not have'],
];

/** Sentences of an insight's title, description or suggestion that read as a template rather than as written text. */
export function clumsyProse(insights: readonly InsightRecord[]): string[] {
  return insights.flatMap((insight) =>
    CLUMSY_PROSE.flatMap(([pattern, what]) => {
      const text = `${insight.title}\n${insight.description}\n${insight.suggestion}`;
      const found = pattern.exec(text);
      return found === null ? [] : [`${where(insight)}: ${what}: "${text.slice(Math.max(0, found.index - 40), found.index + 40)}"`];
    }));
}

/** Every rule above, broken anywhere. */
export function everyBrokenRule(insights: readonly InsightRecord[], durations: ReadonlyMap<string, number | null>): string[] {
  return [
    ...promisedSpeedUps(insights),
    ...unbackedInsights(insights),
    ...impossibleShares(insights),
    ...timesOutsideTheirWindow(insights),
    ...impactsBeyondTheRun(insights, durations),
    ...unwritableEvidence(insights),
    ...clumsyProse(insights),
  ];
}
