/**
 * The DataFrame shape playground: explains what Spark's planner would do with a source and a chain of
 * operations, from sizes, partition counts and operation kinds only. Pure and deterministic; every number
 * carries its derivation and the answer lists its assumptions. Estimates, never promises.
 */

import { bytes, derived, formatCount } from './derived.js';
import { PlanContext } from './plan-context.js';
import { DEFAULT_ROW_BYTES, executionMemoryPerTask, resolveConfig, taskSlots } from './shape-config.js';
import { shapeInsights } from './shape-insights.js';
import { applyJoin, applyUnion } from './shape-joins.js';
import {
  applyAggregation,
  applyCache,
  applyCoalesce,
  applyCollect,
  applyFilter,
  applyOrderBy,
  applyProjection,
  applyRepartition,
  applyWindow,
  applyWrite,
} from './shape-operations.js';
import type { OpenStage } from './shape-stages.js';
import type { ShapeInput, ShapeResult } from './shape-types.js';
import { sourcePartitions } from './source-splits.js';

/** The first stage of a shape: its scan. */
function openScan(context: PlanContext, input: ShapeInput, shape: string): OpenStage {
  const { source } = input;
  const partitions = sourcePartitions(source, context.config);
  partitions.assumptions.forEach((text) => context.assume(shape === 'main' ? text : `${shape}: ${text}`));
  if (source.kind === 'files') context.sources.push({ shape, fileCount: source.fileCount, totalBytes: source.totalBytes });
  const rows = source.rowCount ?? source.totalBytes / DEFAULT_ROW_BYTES;
  if (source.rowCount === undefined) {
    context.assume(
      `${shape === 'main' ? 'The source' : `${shape}: the source`} has no rowCount: rows of ${DEFAULT_ROW_BYTES} B assumed (${formatCount(Math.round(rows))} rows); ` +
        'row counts only size partial aggregation, cartesian products and partitioned writes.',
    );
  }
  const tasks = partitions.tasks.value;
  return {
    shape,
    boundary: { operationIndex: null, op: 'scan', reason: `the first stage ${partitions.description}` },
    operationIndexes: [],
    parentStageIds: [],
    tasks: partitions.tasks,
    inputBytes: derived(source.totalBytes, `the source's ${bytes(source.totalBytes)}`),
    maxPartitionBytes: derived(
      partitions.largestPartitionBytes,
      source.kind === 'table'
        ? `${bytes(source.totalBytes)} / ${formatCount(tasks)} partitions = ${bytes(partitions.largestPartitionBytes)}`
        : `the largest packed partition: ${bytes(partitions.largestPartitionBytes)}`,
    ),
    flow: {
      bytes: source.totalBytes,
      rows,
      why: `reads ${bytes(source.totalBytes)}`,
      planBytes: source.totalBytes,
      planWhy: `the source's ${bytes(source.totalBytes)}`,
    },
    maxShare: source.totalBytes > 0 ? partitions.largestPartitionBytes / source.totalBytes : 1 / Math.max(1, tasks),
    notes: [],
    buffersInput: null,
    buffersOutput: null,
    aqe: [],
    facts: {
      cause: 'scan',
      readsSource: true,
      coalescedAt: null,
      hotKeyShare: null,
      skewSplitByAqe: false,
      medianPartitionBytes: source.totalBytes / Math.max(1, tasks),
      causeIndex: null,
      hashPartitionedBy: null,
    },
  };
}

/** The label of a right side: "right of op 3", nested as "right of op 3 → right of op 1". */
function rightLabel(shape: string, index: number): string {
  return shape === 'main' ? `right of op ${index}` : `${shape} → right of op ${index}`;
}

/** Plans one shape's operations; closed stages go to the context, the last stage stays open for the caller. */
function planShape(context: PlanContext, input: ShapeInput, shape: string): OpenStage {
  let open = openScan(context, input, shape);
  input.operations.forEach((operation, index) => {
    switch (operation.op) {
      case 'filter':
        applyFilter(context, open, operation, index);
        break;
      case 'select':
      case 'withColumn':
      case 'map':
        applyProjection(context, open, operation, index);
        break;
      case 'groupBy':
      case 'groupByKey':
      case 'distinct':
        open = applyAggregation(context, open, operation, index);
        break;
      case 'orderBy':
        open = applyOrderBy(context, open, operation, index);
        break;
      case 'window':
        open = applyWindow(context, open, operation, index);
        break;
      case 'repartition':
        open = applyRepartition(context, open, operation, index);
        break;
      case 'coalesce':
        applyCoalesce(open, operation, index);
        break;
      case 'cache':
        applyCache(context, open, operation, index);
        break;
      case 'collect':
        applyCollect(context, open, index);
        break;
      case 'write':
        applyWrite(context, open, operation, index);
        break;
      case 'join':
      case 'union': {
        // Validation guarantees the right side; the guard keeps the types honest.
        if (operation.right === undefined) break;
        const right = planShape(context, operation.right, rightLabel(shape, index));
        open = operation.op === 'join' ? applyJoin(context, open, right, operation, index) : applyUnion(open, right, index);
        break;
      }
    }
  });
  return open;
}

/** Plans the shape: stages and their boundaries, joins, AQE's changes, the insights that apply and every assumption. */
export function simulateShape(input: ShapeInput): ShapeResult {
  const { config, assumptions: configAssumptions } = resolveConfig(input.config);
  const context = new PlanContext(config);
  configAssumptions.forEach((text) => context.assume(text));
  context.assume(`Task slots (Spark's default parallelism) = ${formatCount(config.executors)} executors × ${formatCount(config.coresPerExecutor)} cores = ${formatCount(taskSlots(config))}.`);
  const last = planShape(context, input, 'main');
  context.plan.close(last, derived(0, 'the last stage writes no shuffle: its tasks produce the result of the action'));
  context.assume(
    `Spill: a task can grow to (executor memory − 300 MiB reserved) × spark.memory.fraction 0.6 / concurrent tasks (cores) = ${bytes(executionMemoryPerTask(config))} ` +
      "(UnifiedMemoryManager: execution may use the whole unified region except cached blocks up to spark.memory.storageFraction 0.5, and each of N running tasks up to 1/N of it); " +
      'shuffle writes into at most spark.shuffle.sort.bypassMergeThreshold (200) partitions buffer nothing; in-memory data is assumed as large as its estimated bytes (deserialized rows are often larger).',
  );
  if (config.adaptiveEnabled) {
    context.assume(
      'AQE coalesces toward min(advisoryPartitionSizeInBytes, shuffle bytes / task slots), at least 1 MiB (spark.sql.adaptive.coalescePartitions.parallelismFirst=true, ' +
        'minPartitionSize 1 MiB); it decides from real map output sizes, for which this playground uses its estimates.',
    );
  }
  context.assume(
    'Stages that read the same shuffle or cache are not deduplicated; a join side is taken as already partitioned by the join keys only when an earlier groupBy, window or keyed repartition in this shape hash-partitioned it by them (bucketed tables are not modelled).',
  );
  context.assume('Every number is an estimate from the sizes, counts and fractions given, never from data values; real runs differ. Estimates, never promises.');

  const stages = context.plan.closed.map((closed) => closed.stage);
  const totalShuffle = stages.reduce((sum, stage) => sum + stage.shuffleWriteBytes.value, 0);
  const shuffling = stages.filter((stage) => stage.shuffleWriteBytes.value > 0);
  const result: ShapeResult = {
    stages,
    joins: context.joins,
    aqe: context.plan.aqe,
    insights: [],
    driverResultBytes: context.collect?.bytes ?? null,
    filesWritten: context.write?.files ?? null,
    totalShuffleBytes: derived(
      totalShuffle,
      shuffling.length === 0
        ? 'no stage writes a shuffle'
        : `${shuffling.map((stage) => `stage ${stage.id} ${bytes(stage.shuffleWriteBytes.value)}`).join(' + ')} = ${bytes(totalShuffle)}`,
    ),
    assumptions: context.assumptions,
  };
  result.insights = shapeInsights(context, result);
  return result;
}
