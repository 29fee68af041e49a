/**
 * The insight model, shared by the analysis that produces insights, the store that keeps them and the API and
 * playgrounds that show them: defined once here so the store does not reach into analysis/.
 */

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
  /**
   * Share (0-1) of the application's run the finding accounts for: wall-clock time, each moment counted once
   * across insights (see evidence.wallClockClaimMs); evidence.impactBasis says what the finding claims (0 for
   * settings and capacity findings that cost no run time of their own).
   */
  impact: number;
  /** The same in milliseconds. */
  impactMs: number;
}

/**
 * How each field of {@link Insight} is stored, in the insights table's column order (after appKey): the table's
 * DDL and its INSERT are derived from this, and `satisfies` makes a field missing here, or a column with no field,
 * a type error, so the model and the table cannot drift apart.
 */
export const INSIGHT_COLUMNS = {
  id: 'VARCHAR NOT NULL',
  type: 'VARCHAR NOT NULL',
  title: 'VARCHAR NOT NULL',
  description: 'VARCHAR NOT NULL',
  evidence: 'JSON NOT NULL',
  confidence: 'VARCHAR NOT NULL',
  severity: 'VARCHAR NOT NULL',
  suggestion: 'VARCHAR NOT NULL',
  tradeoffs: 'VARCHAR NOT NULL',
  sparkDocsRef: 'VARCHAR NOT NULL',
  jobId: 'BIGINT',
  stageId: 'BIGINT',
  stageAttemptId: 'BIGINT',
  sqlExecutionId: 'BIGINT',
  impact: 'DOUBLE NOT NULL',
  impactMs: 'BIGINT NOT NULL',
} as const satisfies { readonly [K in keyof Insight]-?: string };

/** The insight fields in column order. */
export const insightFields = Object.keys(INSIGHT_COLUMNS) as ReadonlyArray<keyof Insight>;
