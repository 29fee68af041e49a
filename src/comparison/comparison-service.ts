import type { Config } from '../config.js';
import { NotFoundError } from '../errors.js';
import { applicationCosts } from '../fleet/fleet-service.js';
import { findApplication } from '../store/applications-store.js';
import { loadRunProfileRows } from '../store/comparison-store.js';
import type { AnalysisDatabase } from '../store/database.js';
import { insightFromRecord, insightsByApp } from '../store/insights-store.js';
import { compareRuns, type RunComparison, type RunInput } from './compare-runs.js';

const toNumber = (value: bigint | null): number | null => (value === null ? null : Number(value));

/** Reads one stored run for a comparison; an unknown id is a NotFoundError naming it. */
async function loadRun(db: AnalysisDatabase, id: string, role: string): Promise<RunInput> {
  const app = await findApplication(db, id);
  if (!app) throw new NotFoundError(`No stored application "${id}" (the ${role} of the comparison); ingest its event log first`);
  const [rows, [insights]] = await Promise.all([loadRunProfileRows(db, app.appKey), insightsByApp(db, [app.appKey])]);
  return {
    appKey: app.appKey,
    name: app.name,
    sparkVersion: app.sparkVersion,
    startTime: toNumber(app.startTime),
    endTime: toNumber(app.endTime),
    rows,
    insights: (insights ?? []).map(insightFromRecord),
  };
}

/**
 * Compares two stored applications (ids as `application(id:)` takes them): `base` is the reference run. Each
 * run's summary carries its cost and waste, priced with the configured prices when there are any.
 */
export async function compareApplications(
  db: AnalysisDatabase,
  baseId: string,
  candidateId: string,
  prices: Pick<Config, 'COST_PER_CORE_HOUR' | 'COST_PER_GB_HOUR'> = {},
): Promise<RunComparison> {
  const base = await loadRun(db, baseId, 'base');
  const candidate = await loadRun(db, candidateId, 'candidate');
  const comparison = compareRuns(base, candidate);
  const { applications } = await applicationCosts(db, prices, { appKeys: [base.appKey, candidate.appKey] });
  const costOf = (appKey: string) => {
    const cost = applications.find((app) => app.appKey === appKey);
    return cost ? { allocatedCoreHours: cost.allocatedCoreHours, usedCoreHours: cost.usedCoreHours, wasteShare: cost.wasteShare, cost: cost.cost } : null;
  };
  return {
    ...comparison,
    base: { ...comparison.base, resources: costOf(base.appKey) },
    candidate: { ...comparison.candidate, resources: costOf(candidate.appKey) },
  };
}
