#!/usr/bin/env node
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config.js';
import { BadInputError, NotFoundError } from '../errors.js';
import { logger, routeLogsTo, type LogSink } from '../logger.js';
import { version } from '../version.js';
import { ingestPaths, type IngestReport } from '../ingest/ingest-service.js';
import { DatabaseOpenError, openConfiguredDatabase, type AnalysisDatabase } from '../store/database.js';
import { removeStaleTempFiles } from '../eventlog/temp-files.js';
import { readServerFile } from '../server/server-file.js';
import { ingestThroughServer } from './server-handoff.js';
import { toJson } from './open-database.js';
import { parseWhole } from './options.js';
import { insightsByApp, type InsightRecord } from '../store/insights-store.js';
import { counted } from '../analysis/format.js';
import type { SimulationResult } from '../simulation/executor-simulator.js';
import { simulateApplication } from '../simulation/simulation-service.js';
import { lintFiles, parseFailOn, type LintOptions } from './lint-command.js';
import { IngestProgressView } from './progress.js';
import { shapeCommand, shapeFromLogCommand } from './shape-command.js';
import { addTokenCommands } from './token-command.js';
import { registerCompareCommand } from './compare-command.js';
import { registerExportCommand } from './export-command.js';
import { registerFleetCommand } from './fleet-command.js';

/** Exit codes the CLI promises: 0 ok, 1 internal error, 2 bad input (3, lint's findings, is in lint-command). */
const EXIT_OK = 0;
const EXIT_INTERNAL = 1;
const EXIT_BAD_INPUT = 2;

/** The exit codes as `--help` lists them, so a script author need not read the source. */
const EXIT_CODES_HELP = `
Exit codes:
  0  done (lint: every file analysed, findings or not)
  1  internal error: a bug in spark-sword (the message says where)
  2  bad input: a path, option, log or file that cannot be used; the message says what is wrong.
     ingest/analyze/simulate store the other logs and list the rejected ones
  3  lint --fail-on: a finding reached that severity

Output: with --json, stdout holds exactly one JSON document (also on failure: {"error": {...}}) and
every log line or progress report goes to stderr. Add --verbose for the server's structured log lines.
`;

/** Where the CLI writes: the process's streams, or a test's buffers. */
export interface CliOutput {
  stdout: { write: (text: string) => unknown };
  stderr: { write: (text: string) => unknown; isTTY?: boolean };
}

/** Writes `value` as the one JSON document of a --json run; DuckDB's bigints become numbers (exact below 2^53). */
function writeJson(out: CliOutput, value: unknown): void {
  out.stdout.write(toJson(value));
}

/**
 * A log sink for a person: one `spark-sword: level: message (field=value, …)` line per log record instead of
 * pino's JSON, on stderr. With --verbose the JSON lines are passed through unchanged.
 */
function humanLogSink(stderr: CliOutput['stderr']): LogSink {
  return {
    write: (line: string) => {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return stderr.write(line);
      }
      const { level, msg, time: _time, pid: _pid, hostname: _host, name: _name, err, ...fields } = record;
      const label = typeof level === 'number' && level >= 50 ? 'error' : typeof level === 'number' && level >= 40 ? 'warning' : 'note';
      const details = Object.entries(fields).map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      if (err && typeof err === 'object' && 'message' in err) details.push(`error=${String((err as { message: unknown }).message)}`);
      return stderr.write(`spark-sword: ${label}: ${String(msg)}${details.length > 0 ? ` (${details.join(', ')})` : ''}\n`);
    },
  };
}

/** An application as the text reports name it: its key, then its name in quotes when it has one. */
function appLabel(app: { appKey: string; name: string | null }): string {
  return `${app.appKey}${app.name ? ` "${app.name}"` : ''}`;
}

/** The logs a report rejected, as every JSON output lists them. */
function failuresJson(report: IngestReport): Array<{ source: string; error: string }> {
  return report.failures.map((failure) => ({ source: failure.sourceName, error: failure.error.message }));
}

/** One line per log the report rejected, closing every text output. */
function printRejected(out: CliOutput, report: IngestReport): void {
  for (const skip of report.skipped) out.stdout.write(`skipped ${skip.sourceName}: ${skip.reason}\n`);
  for (const failure of report.failures) out.stdout.write(`rejected ${failure.sourceName}: ${failure.error.message}\n`);
}

function printIngestReport(out: CliOutput, report: IngestReport, asJson: boolean): void {
  if (asJson) {
    writeJson(out, { applications: report.applications, failures: failuresJson(report), skipped: report.skipped });
    return;
  }
  for (const app of report.applications) {
    const state = app.completed ? 'completed' : 'incomplete';
    out.stdout.write(
      `stored ${appLabel(app)} (${state}) from ${app.sourceName}: ` +
        `${app.eventsRead} events read, ${app.eventsSkipped} skipped\n`,
    );
    const skipped = Object.entries(app.skippedEventTypes);
    if (skipped.length > 0) {
      out.stdout.write(`  skipped event types: ${skipped.map(([kind, n]) => `${kind} ×${n}`).join(', ')}\n`);
    }
    for (const warning of app.warnings) out.stdout.write(`  warning: ${warning.message}\n`);
  }
  printRejected(out, report);
}

interface CommonOptions {
  db?: string;
  json?: boolean;
}

/** Internal error when a log failed through our fault, bad input when one was rejected, else ok. */
function exitCodeOf(report: IngestReport): number {
  if (report.failures.some((failure) => !(failure.error instanceof BadInputError))) return EXIT_INTERNAL;
  return report.failures.length > 0 ? EXIT_BAD_INPUT : EXIT_OK;
}

/** Opens the database, ingests `paths` with progress on stderr, then hands the report on. */
async function ingestThen(
  out: CliOutput,
  paths: string[],
  options: CommonOptions,
  then: (database: AnalysisDatabase, report: IngestReport) => Promise<void>,
): Promise<number> {
  const database = await openConfiguredDatabase(loadConfig(), options.db);
  await removeStaleTempFiles();
  // Progress per log on stderr: a bar on a terminal, periodic lines in a CI log; stdout stays the result's.
  const progress = new IngestProgressView(out.stderr);
  try {
    const report = await ingestPaths(database, paths, {
      onProgress: ({ index, total, sourceName }) => progress.start(index, total, sourceName),
      onPhase: (update) => progress.update(update),
    });
    await then(database, report);
    return exitCodeOf(report);
  } finally {
    progress.close();
    database.close();
  }
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** A report a Spark user can act on: per application, its insights, most impactful first. */
function printAnalysis(out: CliOutput, report: IngestReport, insights: InsightRecord[][], top: number): void {
  report.applications.forEach((app, index) => {
    const found = insights[index] ?? [];
    out.stdout.write(`\n${appLabel(app)} (${app.completed ? 'completed' : 'incomplete'}): `);
    out.stdout.write(found.length === 0 ? 'no insight fired.\n' : `${found.length} insight${found.length > 1 ? 's' : ''}, most impactful first\n`);
    found.slice(0, top).forEach((insight, rank) => {
      // A finding whose cost is not run time (idle capacity) says so instead of "accounts for 0.0%".
      const basis = insight.evidence['impactBasis'];
      const impactMs = Number(insight.impactMs);
      const noRunTime = impactMs === 0 && typeof basis === 'string' && basis.startsWith('none');
      out.stdout.write(
        `\n ${rank + 1}. ${insight.title}\n` +
          `    ${insight.severity} severity, ${insight.confidence} confidence, ` +
          (noRunTime
            ? `claims no run time (${basis.replace(/^none[^:]*:\s*/, '')})\n`
            : impactMs === 0
              ? 'accounts for no measurable part of the run\n'
              : `accounts for ${(insight.impact * 100).toFixed(1)}% of the run (${formatDuration(impactMs)})\n`) +
          `    Measured:   ${insight.description}\n` +
          `    Try:        ${insight.suggestion}\n` +
          `    Trade-off:  ${insight.tradeoffs}\n` +
          `    Spark docs: ${insight.sparkDocsRef}\n`,
      );
    });
    if (found.length > top) out.stdout.write(`\n    … ${found.length - top} more (--top ${found.length} shows all)\n`);
  });
  printRejected(out, report);
}

/** Parses `--executors 4,8,16`: 1 to 50 whole counts of 1-10000. */
function parseExecutorCounts(value: string): number[] {
  const counts = value.split(',').map((part) => part.trim()).filter((part) => part !== '');
  if (counts.length === 0 || counts.length > 50 || !counts.every((part) => /^\d+$/.test(part) && Number(part) >= 1 && Number(part) <= 10000)) {
    throw new BadInputError(`--executors takes 1 to 50 comma-separated counts between 1 and 10000, got "${value}"`);
  }
  return counts.map(Number);
}

/** The what-if table of one application, with the bounds, the model's error and its assumptions. */
function printSimulation(out: CliOutput, label: string, result: SimulationResult): void {
  const pad = (text: string, width: number): string => text.padStart(width);
  out.stdout.write(`\n${label}\n`);
  out.stdout.write(
    `  actual: ${formatDuration(result.actualDurationMs)} with ${counted(result.actualExecutors, 'executor')} on average ` +
      `(at most ${result.maxConcurrentExecutors}); estimated there: ${formatDuration(result.estimateAtActualMs)} ` +
      `(model error ${result.modelErrorPercent}% at ${counted(result.actualExecutorsUsed, 'executor')})\n`,
  );
  out.stdout.write(`  estimates with ${result.coresPerExecutor} cores per executor (estimates, not promises):\n`);
  out.stdout.write(`  ${pad('executors', 9)}  ${pad('est. wall time', 14)}  ${pad('utilization', 11)}\n`);
  for (const point of result.points) {
    out.stdout.write(
      `  ${pad(String(point.executors), 9)}  ${pad(formatDuration(point.estimatedWallTimeMs), 14)}  ` +
        `${pad(`${(point.estimatedUtilization * 100).toFixed(1)}%`, 11)}\n`,
    );
  }
  out.stdout.write(
    `  critical path (unlimited executors): ${formatDuration(result.criticalPathMs)}; ideal at the actual cores: ` +
      `${formatDuration(result.idealTimeMs)}; driver only: ${formatDuration(result.driverOnlyMs)}\n` +
      `  lost time left out: failed attempts ${formatDuration(result.failedTaskTimeMs)}, killed or speculative ` +
      `${formatDuration(result.speculativeTaskTimeMs)}\n  assumptions:\n`,
  );
  for (const assumption of result.assumptions) out.stdout.write(`   - ${assumption}\n`);
}

/** Builds the `spark-sword` command line; `run` resolves to the process exit code. */
export function buildCli(out: CliOutput = process): { program: Command; run: (argv: string[]) => Promise<number> } {
  let exitCode = EXIT_OK;
  const program = new Command('spark-sword')
    .description('Understand Apache Spark applications from their event logs')
    .version(version, '-V, --version', 'print the version and exit')
    .option('--verbose', 'pass the structured (pino JSON) log lines through to stderr')
    .addHelpText('after', EXIT_CODES_HELP)
    .exitOverride()
    .configureOutput({ writeOut: (text) => out.stdout.write(text), writeErr: (text) => out.stderr.write(text) });
  // Logs never share stdout with a command's output: stderr, as text for a person unless --verbose.
  program.hook('preAction', () => {
    const verbose = program.opts<{ verbose?: boolean }>().verbose === true;
    routeLogsTo(verbose ? out.stderr : humanLogSink(out.stderr));
    const asked = process.env.LOG_LEVEL;
    logger.level = verbose ? (asked === 'debug' || asked === 'trace' ? asked : 'info') : 'warn';
  });
  program
    .command('ingest')
    .description('ingest Spark event logs (files, rolling-log directories, History Server log directories, zips)')
    .argument('<paths...>', 'event log files or directories')
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--json', 'print the result as JSON')
    .action(async (paths: string[], options: CommonOptions) => {
      try {
        exitCode = await ingestThen(out, paths, options, async (_database, report) => {
          printIngestReport(out, report, options.json ?? false);
        });
      } catch (error) {
        // A server owns the file: it ingests the logs itself, so a cron job can feed a running server.
        const config = loadConfig();
        const dbPath = options.db ?? config.DUCKDB_PATH;
        const server = error instanceof DatabaseOpenError && error.problem === 'locked' ? readServerFile(dbPath) : null;
        if (!server) throw error;
        out.stderr.write(`${dbPath} is held by the server at ${server.url} (pid ${server.pid}); sending the logs to it\n`);
        const report = await ingestThroughServer(server, paths, config.SPARK_SWORD_TOKEN);
        printIngestReport(out, report, options.json ?? false);
        exitCode = exitCodeOf(report);
      }
    });
  program
    .command('analyze')
    .description('ingest event logs and report the optimization opportunities found in them')
    .argument('<paths...>', 'event log files or directories')
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--top <n>', 'insights shown per application', (value) => Number.parseInt(value, 10), 10)
    .option('--json', 'print the applications and their insights as JSON')
    .action(async (paths: string[], options: CommonOptions & { top: number }) => {
      exitCode = await ingestThen(out, paths, options, async (database, report) => {
        const insights = await insightsByApp(database, report.applications.map((app) => app.appKey));
        if (options.json) {
          const applications = report.applications.map((app, i) => ({ ...app, insights: insights[i] }));
          writeJson(out, { applications, failures: failuresJson(report) });
        } else {
          printAnalysis(out, report, insights, options.top);
        }
      });
    });
  program
    .command('simulate')
    .description('ingest event logs and estimate their wall time with other executor counts (executor what-if)')
    .argument('<paths...>', 'event log files or directories')
    .option('--executors <counts>', 'comma-separated executor counts, e.g. 4,8,16 (default: powers of two)', parseExecutorCounts)
    .option('--cores <n>', 'cores per executor (default: the most common executor size in the log)', parseWhole('--cores', 1, 256))
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--json', 'print the simulations as JSON')
    .action(async (paths: string[], options: CommonOptions & { executors?: number[]; cores?: number }) => {
      exitCode = await ingestThen(out, paths, options, async (database, report) => {
        const simulations = [];
        for (const app of report.applications) {
          const result = await simulateApplication(database, app.appKey, {
            executorCounts: options.executors,
            coresPerExecutor: options.cores,
          });
          simulations.push({ appKey: app.appKey, name: app.name, simulation: result });
        }
        if (options.json) {
          writeJson(out, { applications: simulations, failures: failuresJson(report) });
          return;
        }
        for (const { appKey, name, simulation } of simulations) printSimulation(out, appLabel({ appKey, name }), simulation);
        printRejected(out, report);
      });
    });

  program
    .command('shape')
    .description('explain what Spark would plan for a DataFrame shape (a JSON source + operations + config), or for a SQL execution of a log with --from and --sql: stages, tasks, sizes, joins, AQE, insights')
    .argument('[file]', 'a JSON file holding a ShapeInput (see README: the DataFrame shape playground)')
    .option('--from <log>', 'derive the shape from this event log\'s SQL execution (needs --sql)')
    .option('--sql <id>', 'the SQL execution id in the --from log', parseWhole('--sql', 0, Number.MAX_SAFE_INTEGER))
    .option('--set <key=value>', 'change a setting, e.g. shufflePartitions=400 or spark.sql.adaptive.enabled=false (repeatable)', (value: string, previous: string[] = []) => [...previous, value])
    .option('--json', 'print the plan as JSON')
    .action(async (file: string | undefined, options: { json?: boolean; from?: string; sql?: number; set?: string[] }) => {
      if (options.from !== undefined) {
        if (file !== undefined) throw new BadInputError('give a shape file or --from <log> --sql <id>, not both');
        if (options.sql === undefined || !Number.isInteger(options.sql) || options.sql < 0) throw new BadInputError('--from needs --sql <id>, a SQL execution id (0, 1, ...)');
        out.stdout.write(await shapeFromLogCommand(options.from, options.sql, options.set ?? [], options.json ?? false));
      } else {
        if (file === undefined) throw new BadInputError('give a shape file, or --from <log> --sql <id>');
        if ((options.set ?? []).length > 0) throw new BadInputError('--set applies to --from; edit the shape file\'s config instead');
        out.stdout.write(await shapeCommand(file, options.json ?? false));
      }
      exitCode = EXIT_OK;
    });

  program
    .command('lint')
    .description('find Spark anti-patterns in notebooks and source files (.ipynb, Databricks exports, .py, .scala, .sql)')
    .argument('<files...>', 'notebooks or source files')
    .option('--json', 'print the analyses as JSON')
    .option('--fail-on <severity>', 'exit with 3 when a finding has this severity or higher (info, low, medium, high)', parseFailOn)
    .action(async (files: string[], options: LintOptions) => {
      exitCode = await lintFiles(out, files, options);
    });

  addTokenCommands(program, out, (code) => {
    exitCode = code;
  });
  registerCompareCommand(program, out, (code) => (exitCode = code));
  registerExportCommand(program, out, (code) => (exitCode = code));
  registerFleetCommand(program, out, (code) => (exitCode = code));

  const run = async (argv: string[]): Promise<number> => {
    // With --json a failure is a JSON document too, so `| jq` never meets an empty or half stdout.
    const asJson = argv.includes('--json');
    const fail = (code: number, kind: string, message: string): number => {
      if (asJson) writeJson(out, { error: { exitCode: code, kind, message } });
      return code;
    };
    try {
      await program.parseAsync(argv, { from: 'user' });
      return exitCode;
    } catch (error) {
      if (error instanceof CommanderError) {
        if (error.exitCode === 0) return EXIT_OK; // --help, --version
        return fail(EXIT_BAD_INPUT, 'bad-input', error.message.replace(/^error: /, ''));
      }
      // A database held by another process or on a read-only disk, or something named that is not there, is the
      // user's to fix: exit 2, one line.
      if (error instanceof BadInputError || error instanceof NotFoundError || (error instanceof DatabaseOpenError && error.problem !== 'other')) {
        out.stderr.write(`spark-sword: ${error.message}\n`);
        return fail(EXIT_BAD_INPUT, 'bad-input', error.message);
      }
      const message = error instanceof Error ? error.message : String(error);
      out.stderr.write(`spark-sword: internal error: ${message}\n`);
      return fail(EXIT_INTERNAL, 'internal', message);
    }
  };
  return { program, run };
}

// Run only as the entry point (also through npm's bin symlink), not when imported by tests.
const invokedDirectly =
  process.argv[1] !== undefined && fileURLToPath(import.meta.url) === realpathSync(process.argv[1]);
if (invokedDirectly) {
  const { run } = buildCli();
  process.exitCode = await run(process.argv.slice(2));
}
