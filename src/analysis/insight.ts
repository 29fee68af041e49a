import type { Insight, Severity } from '../model/insight.js';

export type { Confidence, EvidenceValue, Insight, Severity } from '../model/insight.js';

/** Severity from the share of the application a problem accounts for. */
export function severityFor(impact: number): Severity {
  if (impact >= 0.3) return 'CRITICAL';
  if (impact >= 0.15) return 'HIGH';
  if (impact >= 0.05) return 'MEDIUM';
  if (impact >= 0.01) return 'LOW';
  return 'INFO';
}

/**
 * Phrases that promise an outcome ("will be 3x faster", "improve by 40%", "guarantee"). Insights describe
 * measurements and options; a promise in their text is a defect, checked by a test over every shared log.
 */
export const PROMISE_PATTERNS: readonly RegExp[] = [
  /\bwill\s+(?:be\s+)?(?:\d+(?:\.\d+)?\s*(?:x|×|times)\s+)?(?:faster|quicker|cheaper)\b/i,
  /\b\d+(?:\.\d+)?\s*(?:x|×|times)\s+(?:faster|quicker|speed-?up)\b/i,
  /\bimproves?\s+(?:\w+\s+){0,3}by\s+\d+(?:\.\d+)?\s*%/i,
  /\b(?:reduces?|cuts?|saves?)\s+(?:\w+\s+){0,3}by\s+\d+(?:\.\d+)?\s*%/i,
  /\bguarantee[sd]?\b/i,
  /\bwill\s+(?:fix|solve|eliminate|remove)\b/i,
];

/** The promising phrases found in an insight's text fields, if any. */
export function promisesIn(insight: Pick<Insight, 'title' | 'description' | 'suggestion' | 'tradeoffs'>): string[] {
  const text = [insight.title, insight.description, insight.suggestion, insight.tradeoffs].join('\n');
  return PROMISE_PATTERNS.flatMap((pattern) => {
    const match = pattern.exec(text);
    return match ? [match[0]] : [];
  });
}
