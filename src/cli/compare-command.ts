import type { Command } from 'commander';
import { counted, formatBytes, formatDuration, formatShare } from '../analysis/format.js';
import type { RunComparison, RunSummary } from '../comparison/compare-runs.js';
import { compareApplications } from '../comparison/comparison-service.js';
import { BadInputError, NotFoundError } from '../errors.js';
import type { CliOutput } from './main.js';
import { toJson, withStoredDatabase } from './open-database.js';

const signed = (ms: number): string => `${ms >= 0 ? '+' : '−'}${formatDuration(Math.abs(ms))}`;

function runLine(run: RunSummary): string {
  const cores = run.coresPerExecutor === null ? '? cores' : counted(run.coresPerExecutor, 'core');
  const size = run.localMode
    ? `local mode, ${cores}`
    : `${counted(run.executors, 'executor')} × ${cores}${run.executorMemory ? `, ${run.executorMemory}` : ''}`;
  return `${run.appKey}${run.name ? ` "${run.name}"` : ''}: ${run.durationMs === null ? 'still running' : formatDuration(run.durationMs)}, ` +
    `Spark ${run.sparkVersion ?? 'unknown'}, ${size}, ${counted(run.tasks, 'task')}${run.failedTasks > 0 ? ` (${run.failedTasks} failed)` : ''}` +
    (run.resources
      ? `, ${run.resources.allocatedCoreHours.toFixed(2)} core-h held (${formatShare(run.resources.wasteShare)} wasted)` +
        (run.resources.cost === null ? '' : `, cost ${run.resources.cost.toFixed(2)}`)
      : '');
}

/** The comparison as a person reads it: the runs, what carries the change, then what else differs. */
function formatComparison(comparison: RunComparison): string {
  const lines: string[] = [`base:      ${runLine(comparison.base)}`, `candidate: ${runLine(comparison.candidate)}`];
  if (comparison.durationDeltaMs !== null) {
    lines.push(`wall clock: ${signed(comparison.durationDeltaMs)}${comparison.durationRatio !== null ? ` (${comparison.durationRatio}x)` : ''}`);
  }
  if (comparison.explanations.length > 0) {
    lines.push('', 'What accounts for the change (measured differences, not a proven cause):');
    for (const part of comparison.explanations.slice(0, 10)) {
      lines.push(`  ${part.rank}. ${signed(part.deltaMs)} (${formatShare(part.shareOfChange)} of the change) ${part.title}`);
      for (const evidence of part.evidence.slice(0, 5)) lines.push(`       - ${evidence}`);
    }
  }
  if (comparison.propertyChanges.length > 0) {
    lines.push('', 'Properties set differently:');
    for (const change of comparison.propertyChanges) lines.push(`  ${change.key}: ${change.base ?? '(unset)'} → ${change.candidate ?? '(unset)'}`);
  }
  for (const [title, list] of [['Insights that appeared:', comparison.insightsAppeared], ['Insights that disappeared:', comparison.insightsDisappeared]] as const) {
    if (list.length === 0) continue;
    lines.push('', title);
    for (const insight of list) lines.push(`  ${insight.type} on ${insight.target}: ${insight.title}`);
  }
  lines.push('', `Aligned: ${counted(comparison.stages.length, 'stage')}, ${counted(comparison.jobs.length, 'job')}, ${counted(comparison.sqlExecutions.length, 'SQL execution')}.`);
  const only = (label: string, parts: RunComparison['stagesOnlyInBase']): void => {
    if (parts.length > 0) lines.push(`  ${label}: ${parts.slice(0, 10).map((p) => `${p.id}${p.name ? ` (${p.name})` : ''}`).join(', ')}${parts.length > 10 ? `, … ${parts.length - 10} more` : ''}`);
  };
  only('stages only in the base', comparison.stagesOnlyInBase);
  only('stages only in the candidate', comparison.stagesOnlyInCandidate);
  only('jobs only in the base', comparison.jobsOnlyInBase);
  only('jobs only in the candidate', comparison.jobsOnlyInCandidate);
  only('SQL only in the base', comparison.sqlOnlyInBase);
  only('SQL only in the candidate', comparison.sqlOnlyInCandidate);
  const shuffle = comparison.stages.reduce((sum, pair) => sum + (pair.metrics.find((m) => m.metric === 'shuffleReadBytes')?.delta ?? 0), 0);
  if (shuffle !== 0) lines.push(`  shuffle read over aligned stages: ${shuffle > 0 ? '+' : '−'}${formatBytes(Math.abs(shuffle))}`);
  return `${lines.join('\n')}\n`;
}

/** Registers `spark-sword compare <base> <candidate>`; `setExit` receives the command's exit code. */
export function registerCompareCommand(program: Command, out: CliOutput, setExit: (code: number) => void): void {
  program
    .command('compare')
    .description('compare two stored runs: aligned stages/jobs/SQL, changes, differing properties, and what accounts for the wall-clock change')
    .argument('<base>', 'the reference run: an application id or attempt key already ingested')
    .argument('<candidate>', 'the run to explain')
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--json', 'print the comparison as one JSON document')
    .action(async (base: string, candidate: string, options: { db?: string; json?: boolean }) => {
      const comparison = await withStoredDatabase(options.db, async (database, config) => {
        try {
          return await compareApplications(database, base, candidate, config);
        } catch (error) {
          // An id the store does not hold is the user's input: exit 2 with the message.
          if (error instanceof NotFoundError) throw new BadInputError(error.message);
          throw error;
        }
      });
      out.stdout.write(options.json ? toJson(comparison) : formatComparison(comparison));
      setExit(0);
    });
}
