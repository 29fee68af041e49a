import { BadInputError } from '../errors.js';
import type { Config } from '../config.js';
import { groupByAppKey } from '../store/by-app-key.js';
import { resourceFacts, type ApplicationFilter, type ResourceFactsRecord } from '../store/cost-store.js';
import type { AnalysisDatabase } from '../store/database.js';
import { insightTargets, propertyValues } from '../store/fleet-store.js';
import { costOf, resolvePrices, type ApplicationCost, type Prices } from './cost.js';

/** An application's cost with the facts that identify it. */
export interface FleetApplication extends ApplicationCost {
  name: string | null;
  sparkUser: string | null;
  sparkVersion: string | null;
  startTime: number | null;
}

/** Sums over the applications of a fleet answer. */
export interface FleetTotals {
  applications: number;
  durationMs: number;
  allocatedCoreHours: number;
  memoryGbHours: number;
  usedCoreHours: number;
  /** Idle capacity ÷ capacity over every application (0-1). */
  idleShare: number;
  failedCoreHours: number;
  wastedCoreHours: number;
  /** Wasted ÷ capacity over every application (0-1). */
  wasteShare: number;
  cost: number | null;
  wastedCost: number | null;
}

/** One run in a series. */
export interface RunPoint {
  appKey: string;
  startTime: number | null;
  durationMs: number;
  allocatedCoreHours: number;
  wasteShare: number;
  cost: number | null;
}

/** An insight found again and again in the runs of one application. */
export interface RecurringInsight {
  type: string;
  target: string;
  /** In how many of the last runs it fired. */
  runs: number;
  lastRuns: number;
  /** "spill in stage 'join at Etl.scala:88' in 14 of the last 14 runs". */
  text: string;
  /** The latest run's title for it. */
  latestTitle: string;
}

/** The runs of one application (same name, or same value of the grouping property), oldest first. */
export interface RunSeries {
  key: string;
  runs: number;
  series: RunPoint[];
  recurringInsights: RecurringInsight[];
}

/** A fleet answer. */
export interface FleetReport {
  prices: Prices;
  groupedBy: string;
  totals: FleetTotals;
  topWaste: FleetApplication[];
  groups: RunSeries[];
}

/** How a fleet question is asked. */
export interface FleetOptions {
  /** "name" (the default) or a Spark property whose value names the application (e.g. spark.yarn.tags). */
  groupBy?: string;
  /** How many of the most wasteful applications to list (1-1000, default 10). */
  top?: number;
  /** How many of each application's latest runs recurring insights look at (2-1000, default 20). */
  lastRuns?: number;
  prices?: { perCoreHour?: number | null; perGbHour?: number | null };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;

function checkFilter(filter: ApplicationFilter): void {
  if (filter.from !== undefined && filter.to !== undefined && filter.from > filter.to) {
    throw new BadInputError(`fleet filter: "from" (${new Date(filter.from).toISOString()}) is after "to" (${new Date(filter.to).toISOString()})`);
  }
}

function withCost(facts: ResourceFactsRecord, prices: Prices): FleetApplication {
  return { ...costOf(facts, prices), name: facts.name, sparkUser: facts.sparkUser, sparkVersion: facts.sparkVersion, startTime: facts.startTime };
}

/** Cost and waste of the stored applications matching `filter`, oldest first. */
export async function applicationCosts(
  db: AnalysisDatabase,
  config: Pick<Config, 'COST_PER_CORE_HOUR' | 'COST_PER_GB_HOUR'>,
  filter: ApplicationFilter = {},
  givenPrices: FleetOptions['prices'] = {},
): Promise<{ prices: Prices; applications: FleetApplication[] }> {
  checkFilter(filter);
  const prices = resolvePrices(config, givenPrices);
  return { prices, applications: (await resourceFacts(db, filter)).map((facts) => withCost(facts, prices)) };
}

/** Totals, the most wasteful applications, run series per application and the insights that keep coming back. */
export async function fleetReport(
  db: AnalysisDatabase,
  config: Pick<Config, 'COST_PER_CORE_HOUR' | 'COST_PER_GB_HOUR'>,
  filter: ApplicationFilter = {},
  options: FleetOptions = {},
): Promise<FleetReport> {
  const top = options.top ?? 10;
  const lastRuns = options.lastRuns ?? 20;
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new BadInputError(`top must be a whole number from 1 to 1000, got ${top}`);
  if (!Number.isInteger(lastRuns) || lastRuns < 2 || lastRuns > 1000) throw new BadInputError(`lastRuns must be a whole number from 2 to 1000, got ${lastRuns}`);
  const groupBy = options.groupBy ?? 'name';
  const { prices, applications } = await applicationCosts(db, config, filter, options.prices);

  const capacity = (app: FleetApplication): number => (app.localMode ? app.driverCoreHours : app.executorCoreHours);
  const totalCapacity = sum(applications.map(capacity));
  const priced = prices.perCoreHour !== null || prices.perGbHour !== null;
  const totals: FleetTotals = {
    applications: applications.length,
    durationMs: sum(applications.map((app) => app.durationMs)),
    allocatedCoreHours: round(sum(applications.map((app) => app.allocatedCoreHours))),
    memoryGbHours: round(sum(applications.map((app) => app.memoryGbHours))),
    usedCoreHours: round(sum(applications.map((app) => app.usedCoreHours))),
    idleShare: totalCapacity > 0 ? round(Math.min(1, sum(applications.map((app) => capacity(app) * app.idleShare)) / totalCapacity)) : 0,
    failedCoreHours: round(sum(applications.map((app) => app.failedCoreHours))),
    wastedCoreHours: round(sum(applications.map((app) => app.wastedCoreHours))),
    wasteShare: totalCapacity > 0 ? round(Math.min(1, sum(applications.map((app) => app.wastedCoreHours)) / totalCapacity)) : 0,
    cost: priced ? round(sum(applications.map((app) => app.cost ?? 0))) : null,
    wastedCost: priced ? round(sum(applications.map((app) => app.wastedCost ?? 0))) : null,
  };
  const topWaste = [...applications]
    .filter((app) => app.wastedCoreHours > 0)
    .sort((a, b) => b.wastedCoreHours - a.wastedCoreHours || a.appKey.localeCompare(b.appKey))
    .slice(0, top);

  const keys = groupBy === 'name' ? null : await propertyValues(db, applications.map((app) => app.appKey), groupBy);
  const groupKey = (app: FleetApplication): string | null => (keys ? (keys.get(app.appKey) ?? null) : app.name);
  const byKey = new Map<string, FleetApplication[]>();
  for (const app of applications) {
    const key = groupKey(app);
    if (key === null) continue; // a run without the grouping property belongs to no series
    const runs = byKey.get(key);
    if (runs) runs.push(app);
    else byKey.set(key, [app]);
  }
  const latestRuns = [...byKey.values()].flatMap((runs) => runs.slice(-lastRuns).map((app) => app.appKey));
  const targetsByRun = groupByAppKey(latestRuns, await insightTargets(db, latestRuns));
  const insightsOf = new Map(latestRuns.map((appKey, index) => [appKey, targetsByRun[index]!]));

  const groups: RunSeries[] = [...byKey.entries()].map(([key, runs]) => {
    const recent = runs.slice(-lastRuns);
    const seen = new Map<string, { type: string; target: string; apps: Set<string>; latestTitle: string }>();
    for (const app of recent) {
      for (const insight of insightsOf.get(app.appKey) ?? []) {
        const id = `${insight.type}|${insight.target}`;
        const entry = seen.get(id) ?? { type: insight.type, target: insight.target, apps: new Set<string>(), latestTitle: insight.title };
        entry.apps.add(app.appKey);
        entry.latestTitle = insight.title;
        seen.set(id, entry);
      }
    }
    const recurringInsights = [...seen.values()]
      .filter((entry) => entry.apps.size >= 2)
      .sort((a, b) => b.apps.size - a.apps.size || a.type.localeCompare(b.type) || a.target.localeCompare(b.target))
      .map((entry) => ({
        type: entry.type,
        target: entry.target,
        runs: entry.apps.size,
        lastRuns: recent.length,
        text: `${entry.type} in ${entry.target} in ${entry.apps.size} of the last ${recent.length} runs`,
        latestTitle: entry.latestTitle,
      }));
    return {
      key,
      runs: runs.length,
      series: runs.map((app) => ({
        appKey: app.appKey,
        startTime: app.startTime,
        durationMs: app.durationMs,
        allocatedCoreHours: app.allocatedCoreHours,
        wasteShare: app.wasteShare,
        cost: app.cost,
      })),
      recurringInsights,
    };
  }).sort((a, b) => b.runs - a.runs || a.key.localeCompare(b.key));
  return { prices, groupedBy: groupBy, totals, topWaste, groups };
}
