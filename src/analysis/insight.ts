/** How clear the signal behind an insight is (e.g. how many tasks stand behind a ratio). */
export type Confidence = 'HIGH' | 'MEDIUM' | 'LOW';

/** How much an insight matters, from its impact on the application. */
export type Severity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFO';

/** A JSON value (evidence is stored and served as JSON). */
export type EvidenceValue = null | boolean | number | string | EvidenceValue[] | { [key: string]: EvidenceValue };

/**
 * One optimization opportunity, backed by measured numbers from the log. It says what to try and what it
 * costs, links Spark's docs, and never promises a speed-up.
 */
export interface Insight {
  /** Stable within an application: the type plus what it is about (e.g. "data-skew:stage-3.0"). */
  id: string;
  type: string;
  title: string;
  description: string;
  /** The metrics that triggered it, the thresholds compared against, and the floor below which it stays quiet. */
  evidence: { [key: string]: EvidenceValue };
  confidence: Confidence;
  severity: Severity;
  suggestion: string;
  tradeoffs: string;
  sparkDocsRef: string;
  jobId: number | null;
  stageId: number | null;
  stageAttemptId: number | null;
  sqlExecutionId: number | null;
  /** Share (0-1) of the application's total task time (or run time, see evidence) the problem accounts for. */
  impact: number;
  /** The same in milliseconds. */
  impactMs: number;
}

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
