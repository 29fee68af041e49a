import type { Command } from 'commander';
import { counted, formatDuration, formatShare } from '../analysis/format.js';
import { fleetReport, type FleetReport } from '../fleet/fleet-service.js';
import type { CliOutput } from './main.js';
import { toJson, withStoredDatabase } from './open-database.js';
import { parseTime, parseWhole } from './options.js';

interface FleetCliOptions {
  name?: string;
  user?: string;
  sparkVersion?: string;
  from?: Date;
  to?: Date;
  groupBy?: string;
  top: number;
  lastRuns: number;
  db?: string;
  json?: boolean;
}

const hours = (value: number): string => `${value.toFixed(value >= 100 ? 0 : 2)} core-h`;
const money = (value: number | null): string => (value === null ? '' : `, cost ${value.toFixed(2)}`);

/** The fleet answer as a person reads it. */
function formatFleet(report: FleetReport): string {
  const t = report.totals;
  const lines = [
    `${counted(t.applications, 'application')}, ${formatDuration(t.durationMs)} of run time: ${hours(t.allocatedCoreHours)} held, ` +
      `${hours(t.usedCoreHours)} used by tasks, ${formatShare(t.idleShare)} of executor capacity idle, ` +
      `${hours(t.failedCoreHours)} on failed attempts; wasted ${hours(t.wastedCoreHours)} (${formatShare(t.wasteShare)})${money(t.cost)}`,
    `prices: ${report.prices.source}`,
  ];
  if (report.topWaste.length > 0) {
    lines.push('', 'Most wasted:');
    for (const app of report.topWaste) {
      lines.push(`  ${app.appKey}${app.name ? ` "${app.name}"` : ''}: ${hours(app.wastedCoreHours)} (${formatShare(app.wasteShare)} of its capacity)${app.wastedCost === null ? '' : `, ${app.wastedCost.toFixed(2)}`}`);
    }
  }
  for (const group of report.groups.filter((g) => g.runs > 1)) {
    lines.push('', `${report.groupedBy === 'name' ? '' : `${report.groupedBy}=`}${group.key}: ${group.runs} runs`);
    lines.push(`  durations: ${group.series.slice(-10).map((run) => formatDuration(run.durationMs)).join(', ')}`);
    for (const insight of group.recurringInsights.slice(0, 5)) lines.push(`  ${insight.text}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Registers `spark-sword fleet`: totals, waste, run series and recurring insights over the stored applications. */
export function registerFleetCommand(program: Command, out: CliOutput, setExit: (code: number) => void): void {
  program
    .command('fleet')
    .description('cost, waste, run series and recurring insights over every stored application (prices: COST_PER_CORE_HOUR, COST_PER_GB_HOUR)')
    .option('--name <part>', 'applications whose name contains this, any case')
    .option('--user <user>', 'applications of this Spark user')
    .option('--spark-version <version>', 'a Spark version or its prefix, e.g. 3.5')
    .option('--from <iso>', 'started at or after, e.g. 2026-11-01', parseTime('--from'))
    .option('--to <iso>', 'started before, e.g. 2026-12-01', parseTime('--to'))
    .option('--group-by <property>', 'group runs by name or by the value of this Spark property (default FLEET_GROUP_BY, else name)')
    .option('--top <n>', 'how many of the most wasteful applications', parseWhole('--top', 1, 1000), 10)
    .option('--last-runs <n>', 'latest runs per application that recurring insights look at', parseWhole('--last-runs', 2, 1000), 20)
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--json', 'print the answer as one JSON document')
    .action(async (options: FleetCliOptions) => {
      const report = await withStoredDatabase(options.db, (database, config) =>
        fleetReport(database, config, {
          name: options.name,
          user: options.user,
          sparkVersion: options.sparkVersion,
          from: options.from?.getTime(),
          to: options.to?.getTime(),
        }, { groupBy: options.groupBy ?? config.FLEET_GROUP_BY, top: options.top, lastRuns: options.lastRuns }),
      );
      out.stdout.write(options.json ? toJson(report) : formatFleet(report));
      setExit(0);
    });
}
