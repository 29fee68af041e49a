import type { DuckDBConnection } from '@duckdb/node-api';
import { logger } from '../logger.js';
import { createDetectorContext, type Detector, type InsightDraft } from './detector.js';
import { apportionClaims, compareInsights, type ClaimingInsight } from './claims.js';
import { severityFor, type Insight, type Severity } from './insight.js';
import { detectors as registeredDetectors } from './registry.js';

/** Every detector's findings for one application, most impactful first; a failing detector is logged and skipped. */
export async function detectInsights(
  connection: DuckDBConnection,
  appKey: string,
  detectors: readonly Detector[] = registeredDetectors,
): Promise<Insight[]> {
  const context = await createDetectorContext(connection, appKey);
  const drafts: InsightDraft[] = [];
  for (const detector of detectors) {
    try {
      drafts.push(...(await detector.detect(context)));
    } catch (error) {
      // A failed statement inside a transaction (the ingest's) aborts it: no later detector, nor the COMMIT, can run,
      // so the detector's own error is the one to report.
      if (await transactionAborted(connection)) throw error;
      logger.error({ err: error, appKey, detector: detector.type }, 'detector failed; its insights are left out');
    }
  }
  const claiming = drafts.map(({ role: _role, severityFloor: _floor, severityCap: _cap, ...insight }): ClaimingInsight => ({
    ...insight,
    severity: insight.severity ?? 'INFO',
  }));
  const apportioned = apportionClaims(claiming, context.app.durationMs);
  const insights: Insight[] = apportioned.map((insight, i) => ({ ...insight, severity: severityOf(drafts[i]!, insight.impact) }));
  insights.sort(compareInsights);
  return insights;
}

/** Whether the connection's transaction was aborted by a failed statement (DuckDB then refuses every statement). */
async function transactionAborted(connection: DuckDBConnection): Promise<boolean> {
  try {
    await connection.run('SELECT 1');
    return false;
  } catch {
    return true;
  }
}

const RANK: readonly Severity[] = ['INFO', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'];

/**
 * Severity after apportioning: a failure of the application is CRITICAL, an explanation INFO, a set severity
 * stays, anything else follows its wall-clock impact within its floor and cap.
 */
export function severityOf(draft: Pick<InsightDraft, 'role' | 'severity' | 'severityFloor' | 'severityCap'>, impact: number): Severity {
  if (draft.role === 'failure') return 'CRITICAL';
  if (draft.role === 'explanation') return 'INFO';
  if (draft.severity) return draft.severity;
  const rank = RANK.indexOf(severityFor(impact));
  const floor = RANK.indexOf(draft.severityFloor ?? 'INFO');
  const cap = RANK.indexOf(draft.severityCap ?? 'CRITICAL');
  return RANK[Math.min(cap, Math.max(floor, rank))]!;
}
