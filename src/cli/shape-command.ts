import { readFile } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { simulateShape } from '../simulation/shape/shape-simulator.js';
import type { DerivedNumber, ShapeResult } from '../simulation/shape/shape-types.js';
import { parseShapeInput } from '../simulation/shape/shape-validation.js';
import { counted, formatBytes } from '../analysis/format.js';
import { ingestPaths } from '../ingest/ingest-service.js';
import { configFields } from '../learning/scenarios/knob-target.js';
import { compareWithRun, shapeFromLog, simulateLoggedShape } from '../simulation/shape/shape-from-log.js';
import { parseByteString } from '../simulation/shape/shape-from-plan.js';
import type { ShapeConfig } from '../simulation/shape/shape-types.js';
import { AnalysisDatabase } from '../store/database.js';

/** Reads and validates a shape file; every failure is a BadInputError naming the file. */
async function readShapeFile(path: string): Promise<ReturnType<typeof parseShapeInput>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BadInputError(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BadInputError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  try {
    return parseShapeInput(raw);
  } catch (error) {
    if (error instanceof BadInputError) throw new BadInputError(`${path}: ${error.message}`);
    throw error;
  }
}

function line(label: string, number: DerivedNumber, asBytes: boolean): string {
  const value = asBytes ? formatBytes(number.value) : number.value.toLocaleString('en-US');
  return `    ${label.padEnd(16)}${value.padStart(9)}   ← ${number.derivation}\n`;
}

/** The plan as a person reads it: stages with boundaries, tasks and sizes with their derivations, joins, AQE, insights, assumptions. */
function formatShapeResult(result: ShapeResult): string {
  let text = `Plan: ${counted(result.stages.length, 'stage')}, ${formatBytes(result.totalShuffleBytes.value)} shuffled (estimates, not promises)\n`;
  for (const stage of result.stages) {
    const ops = stage.operationIndexes.length > 0 ? `; runs ops ${stage.operationIndexes.join(', ')}` : '';
    const parents = stage.parentStageIds.length > 0 ? `; after stage${stage.parentStageIds.length > 1 ? 's' : ''} ${stage.parentStageIds.join(', ')}` : '';
    text += `\nStage ${stage.id} [${stage.shape}] starts at ${stage.boundary.op}${stage.boundary.operationIndex === null ? '' : ` (op ${stage.boundary.operationIndex})`}${ops}${parents}\n`;
    text += `    why: ${stage.boundary.reason}\n`;
    text += line('tasks', stage.tasks, false);
    text += line('input', stage.inputBytes, true);
    text += line('per task', stage.bytesPerTask, true);
    text += line('largest', stage.maxPartitionBytes, true);
    text += line('shuffle write', stage.shuffleWriteBytes, true);
    text += line('spill per task', stage.spillBytesPerTask, true);
    for (const note of stage.notes ?? []) text += `    note: ${note}\n`;
  }
  if (result.joins.length > 0) {
    text += '\nJoins\n';
    for (const join of result.joins) {
      text += `  op ${join.operationIndex}: ${join.strategy}${join.broadcastSide ? ` (broadcast ${join.broadcastSide})` : ''}, ` +
        `shuffles left: ${join.shufflesLeft ? 'yes' : 'no'}, right: ${join.shufflesRight ? 'yes' : 'no'}\n    ${join.reason}\n`;
    }
  }
  if (result.aqe.length > 0) {
    text += '\nAdaptive query execution (at runtime)\n';
    for (const action of result.aqe) {
      text += `  stage ${action.stageId} ${action.kind}: ${action.before.value.toLocaleString('en-US')} → ${action.after.value.toLocaleString('en-US')}\n    ${action.reason}\n    ${action.after.derivation}\n`;
    }
  }
  if (result.driverResultBytes) text += `\nTo the driver: ${formatBytes(result.driverResultBytes.value)} ← ${result.driverResultBytes.derivation}\n`;
  if (result.filesWritten) text += `\nFiles written: ${result.filesWritten.value.toLocaleString('en-US')} ← ${result.filesWritten.derivation}\n`;
  text += result.insights.length === 0 ? '\nInsights: none apply.\n' : '\nInsights\n';
  result.insights.forEach((insight, rank) => {
    text +=
      `  ${rank + 1}. [${insight.type}] ${insight.title}\n` +
      `     ${insight.severity} severity, ${insight.confidence} confidence\n` +
      `     Why:        ${insight.description}\n` +
      `     Try:        ${insight.suggestion}\n` +
      `     Trade-off:  ${insight.tradeoffs}\n` +
      `     Spark docs: ${insight.sparkDocsRef}\n`;
  });
  text += '\nAssumptions\n';
  for (const assumption of result.assumptions) text += `  - ${assumption}\n`;
  return text;
}

/** `spark-sword shape <file.json>`: the plan of a shape, as text or JSON. */
export async function shapeCommand(path: string, asJson: boolean): Promise<string> {
  const result = simulateShape(await readShapeFile(path));
  return asJson ? `${JSON.stringify(result, null, 2)}\n` : formatShapeResult(result);
}

/** `--set` names: the playground's config fields, or the Spark property each stands for. */
const sparkNames: Record<string, keyof ShapeConfig> = {
  'spark.sql.shuffle.partitions': 'shufflePartitions',
  'spark.sql.adaptive.enabled': 'adaptiveEnabled',
  'spark.sql.autoBroadcastJoinThreshold': 'autoBroadcastJoinThresholdBytes',
  'spark.sql.files.maxPartitionBytes': 'maxPartitionBytes',
  'spark.sql.files.openCostInBytes': 'openCostInBytes',
  'spark.sql.adaptive.advisoryPartitionSizeInBytes': 'advisoryPartitionSizeBytes',
  'spark.sql.adaptive.skewJoin.enabled': 'skewJoinEnabled',
  'spark.executor.instances': 'executors',
  'spark.executor.cores': 'coresPerExecutor',
  'spark.executor.memory': 'executorMemoryBytes',
  'spark.driver.maxResultSize': 'driverMaxResultSizeBytes',
};

/** Parses `--set key=value` pairs into config overrides; a bad pair is a BadInputError naming it and the known keys. */
function parseSettings(pairs: readonly string[]): ShapeConfig {
  const config: Record<string, number | boolean> = {};
  const known = [...configFields, ...Object.keys(sparkNames)];
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new BadInputError(`--set ${pair}: expected key=value, e.g. --set shufflePartitions=400`);
    const key = pair.slice(0, at).trim();
    const raw = pair.slice(at + 1).trim();
    const field = (configFields as readonly string[]).includes(key) ? (key as keyof ShapeConfig) : sparkNames[key];
    if (!field) throw new BadInputError(`--set ${pair}: unknown setting "${key}"; known: ${known.join(', ')}`);
    let value: number | boolean | null;
    if (field === 'adaptiveEnabled' || field === 'skewJoinEnabled') value = raw === 'true' ? true : raw === 'false' ? false : null;
    else if (/Bytes$/.test(field)) value = parseByteString(raw);
    else value = /^-?\d+$/.test(raw) ? Number(raw) : null;
    if (value === null) throw new BadInputError(`--set ${pair}: "${raw}" is not a valid value for ${field}`);
    config[field] = value;
  }
  return config as ShapeConfig;
}

/**
 * `spark-sword shape --from <log> --sql <id> [--set key=value ...]`: derives the shape of one SQL execution of the log
 * (ingested into a private in-memory database), applies the settings and explains the plan, with what the run did.
 */
export async function shapeFromLogCommand(logPath: string, sqlExecutionId: number, sets: readonly string[], asJson: boolean): Promise<string> {
  const overrides = parseSettings(sets);
  const database = await AnalysisDatabase.open(':memory:', { memoryLimit: '512MB', threads: 1 });
  try {
    const report = await ingestPaths(database, [logPath]);
    const application = report.applications[0];
    if (!application) throw new BadInputError(`${logPath}: no application could be read (${report.failures.map((failure) => failure.error.message).join('; ')})`);
    const logged = await shapeFromLog(database, application.appKey, sqlExecutionId);
    const { shape, result } = simulateLoggedShape(logged, overrides);
    const comparison = compareWithRun(logged);
    if (asJson) return `${JSON.stringify({ appId: logged.appId, sqlExecutionId, shape, settings: overrides, asRun: comparison, result }, null, 2)}\n`;
    const header =
      `SQL execution ${sqlExecutionId} of ${logged.appId}` +
      (sets.length > 0 ? ` with ${sets.join(', ')}` : '') +
      `\nAs it ran: ${counted(comparison.stages.actual, 'stage')}, ${counted(comparison.shuffles.actual, 'shuffle')}, joins ${comparison.joins.actual.join(', ') || 'none'}, tasks per stage ${comparison.tasks.actual.join(', ') || 'none'}` +
      '\n\n';
    return header + formatShapeResult(result);
  } finally {
    database.close();
  }
}
