/**
 * One handler per operation that is not a join or union: narrow operations change the open stage's flow;
 * shuffling operations close it and open the stage that reads the shuffle.
 */

import { coalesceShufflePartitions } from './aqe.js';
import { bytes, derived, formatCount, fraction, plural } from './derived.js';
import { rowBytes, type PlanContext } from './plan-context.js';
import { DEFAULT_SELECTIVITY, RANGE_SAMPLE_MAX_ROWS, RANGE_SAMPLE_SIZE_PER_PARTITION } from './shape-config.js';
import type { Flow, OpenStage } from './shape-stages.js';
import type { DerivedNumber, OperationKind, ShapeOperation } from './shape-types.js';

/** "(user_id)" or "" for explanations. */
export function keyList(operation: ShapeOperation): string {
  return operation.keys && operation.keys.length > 0 ? `(${operation.keys.join(', ')})` : '';
}

/** "operations[3]" relative to the shape, for texts. */
export function opLabel(shape: string, index: number): string {
  return shape === 'main' ? `operations[${index}]` : `${shape}: operations[${index}]`;
}

/** A shuffle the open stage ends in, and the stage that reads it. */
export interface ExchangeSpec {
  operationIndex: number;
  op: OperationKind;
  reason: string;
  writeBytes: DerivedNumber;
  partitions: DerivedNumber;
  /** False for an explicit repartition(n) or a single-partition exchange: AQE keeps those counts. */
  aqeCoalescible: boolean;
  /** Columns the shuffle hash-partitions by (keyed repartition, groupBy, window), if any. */
  hashKeys?: string[];
  /** Share of the shuffled bytes in the hottest reduce partition, when a hot key is declared and counts. */
  hotShare: number | null;
  buffersInput: string | null;
  /** The data after the operation, as the reading stage sees it. */
  output: Flow;
  notes: string[];
}

/** The post-shuffle partition count after AQE (or as is), with the AQE action when it changes. */
export function shuffleReadPartitions(
  context: PlanContext,
  totalBytes: number,
  partitions: DerivedNumber,
  largestBytes: number,
  coalescible: boolean,
): { tasks: DerivedNumber; largest: number; action: OpenStage['aqe'][number] | null } {
  if (!coalescible) return { tasks: partitions, largest: largestBytes, action: null };
  if (!context.config.adaptiveEnabled) {
    return {
      tasks: derived(partitions.value, `${partitions.derivation}; AQE is off, so all ${formatCount(partitions.value)} partitions run as tasks whatever their size`),
      largest: largestBytes,
      action: null,
    };
  }
  const coalesced = coalesceShufflePartitions(totalBytes, partitions.value, largestBytes, context.config);
  if (coalesced === null) {
    return {
      tasks: derived(partitions.value, `${partitions.derivation}; AQE keeps them (merging would not stay under its target size)`),
      largest: largestBytes,
      action: null,
    };
  }
  return {
    tasks: derived(coalesced.after.value, `${partitions.derivation}; at runtime AQE coalesces them: ${coalesced.after.derivation}`),
    largest: Math.max(largestBytes, totalBytes / coalesced.after.value),
    action: { kind: 'coalesce', before: coalesced.before, after: coalesced.after, reason: coalesced.reason },
  };
}

/** Closes the open stage with a shuffle write and opens the stage that reads it. */
export function exchange(context: PlanContext, open: OpenStage, spec: ExchangeSpec): OpenStage {
  const parentId = context.plan.close(open, spec.writeBytes, spec.partitions.value);
  const total = spec.writeBytes.value;
  const count = spec.partitions.value;
  const even = total / count;
  const hot = spec.hotShare !== null && spec.hotShare * total > even ? spec.hotShare * total : null;
  const read = shuffleReadPartitions(context, total, spec.partitions, hot ?? even, spec.aqeCoalescible);
  const largest = read.largest;
  const maxPartitionWhy =
    hot !== null
      ? `hotKeyShare ${fraction(spec.hotShare ?? 0)} × ${bytes(total)} shuffled = ${bytes(hot)} in the partition that holds the hot key (one key's rows always go to one partition)`
      : largest > even
        ? `${bytes(total)} / ${formatCount(read.tasks.value)} tasks after AQE = ${bytes(largest)} (partitions assumed even)`
        : `${bytes(total)} / ${formatCount(count)} partitions = ${bytes(even)} (partitions assumed even)`;
  return {
    shape: open.shape,
    boundary: { operationIndex: spec.operationIndex, op: spec.op, reason: spec.reason },
    operationIndexes: [spec.operationIndex],
    parentStageIds: [parentId],
    tasks: read.tasks,
    inputBytes: derived(total, `reads the ${bytes(total)} stage ${parentId} wrote to the shuffle`),
    maxPartitionBytes: derived(largest, maxPartitionWhy),
    flow: spec.output,
    maxShare: total > 0 ? largest / total : 1 / Math.max(1, read.tasks.value),
    notes: spec.notes,
    buffersInput: spec.buffersInput,
    buffersOutput: null,
    aqe: read.action ? [read.action] : [],
    facts: {
      cause: spec.op,
      readsSource: false,
      coalescedAt: null,
      hotKeyShare: hot !== null ? spec.hotShare : null,
      skewSplitByAqe: false,
      medianPartitionBytes: hot !== null && count > 1 ? (total - hot) / (count - 1) : total / read.tasks.value,
      causeIndex: spec.operationIndex,
      hashPartitionedBy: spec.hashKeys !== undefined && spec.hashKeys.length > 0 ? spec.hashKeys : null,
    },
  };
}

function shufflePartitions(context: PlanContext): DerivedNumber {
  return derived(context.config.shufflePartitions, `spark.sql.shuffle.partitions = ${formatCount(context.config.shufflePartitions)} partitions`);
}

function noteSize(context: PlanContext): void {
  context.assume(
    "Spark's planner sizes plans without column statistics (spark.sql.cbo.enabled=false by default): filters and aggregations do not shrink " +
      'its estimate, so the broadcast decision uses the unfiltered size; the bytes per stage here use your selectivities.',
  );
}

/** filter: keeps `selectivity` of the rows (default 0.5, stated). */
export function applyFilter(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): void {
  const selectivity = operation.selectivity ?? DEFAULT_SELECTIVITY;
  if (operation.selectivity === undefined) context.assume(`${opLabel(open.shape, index)} (filter): selectivity ${DEFAULT_SELECTIVITY} assumed (no selectivity given).`);
  noteSize(context);
  const after = open.flow.bytes * selectivity;
  open.flow = {
    ...open.flow,
    bytes: after,
    rows: open.flow.rows * selectivity,
    why: `${open.flow.why}; filter keeps ${fraction(selectivity)}: ${bytes(open.flow.bytes)} × ${fraction(selectivity)} = ${bytes(after)}`,
    planWhy: `${open.flow.planWhy}; a filter does not change the planner's estimate (no column statistics)`,
  };
  open.operationIndexes.push(index);
}

/** select/withColumn/map: output bytes per input byte `sizeFactor` (default 1); the planner scales its estimate the same way. */
export function applyProjection(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): void {
  const factor = operation.sizeFactor ?? 1;
  if (operation.sizeFactor === undefined) context.assume(`${opLabel(open.shape, index)} (${operation.op}): rows keep their size (sizeFactor 1 assumed).`);
  const after = open.flow.bytes * factor;
  open.flow = {
    ...open.flow,
    bytes: after,
    why: factor === 1 ? open.flow.why : `${open.flow.why}; ${operation.op} × ${fraction(factor)} = ${bytes(after)}`,
    planBytes: open.flow.planBytes * factor,
    planWhy: factor === 1 ? open.flow.planWhy : `${open.flow.planWhy} × ${fraction(factor)} (${operation.op} changes the row width)`,
  };
  open.operationIndexes.push(index);
}

/** Aggregations: groupBy/distinct combine rows in each map task before the shuffle; groupByKey sends every row. */
export function applyAggregation(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): OpenStage {
  const flow = open.flow;
  const perRow = rowBytes(flow);
  const mapTasks = open.tasks.value;
  const groups = operation.distinctGroups;
  const partial = operation.op !== 'groupByKey';
  const notes: string[] = [];
  let write: DerivedNumber;
  if (partial && groups !== undefined) {
    const rowsPerTask = flow.rows / mapTasks;
    const partialRows = Math.min(flow.rows, mapTasks * Math.min(rowsPerTask, groups));
    write = derived(
      partialRows * perRow,
      `partial aggregation: each of the ${formatCount(mapTasks)} map tasks emits at most one row per group: ${formatCount(mapTasks)} × ` +
        `min(${formatCount(rowsPerTask)} rows, ${formatCount(groups)} groups) × ${bytes(perRow)} per row = ${bytes(partialRows * perRow)}`,
    );
  } else if (partial) {
    context.assume(`${opLabel(open.shape, index)} (${operation.op}): distinctGroups not given, so no reduction by partial aggregation is assumed.`);
    write = derived(flow.bytes, `${flow.why}; distinctGroups not given: the partial aggregation is assumed not to reduce it, ${bytes(flow.bytes)} shuffled`);
  } else {
    write = derived(flow.bytes, `${flow.why}; groupByKey has no map-side combine: every row crosses the shuffle (${bytes(flow.bytes)})`);
  }
  if (partial) {
    context.assume(
      'groupBy/distinct aggregates are assumed combinable (sum, count, min, max, avg): Spark aggregates partially before the shuffle. ' +
        'collect_list/collect_set keep every value and shuffle like groupByKey.',
    );
    if (operation.hotKeyShare !== undefined) {
      notes.push(
        `hotKeyShare ${fraction(operation.hotKeyShare)} declared, but the partial aggregation combines the hot key's rows inside each map task, ` +
          `so its reduce partition receives at most one row per map task (${formatCount(mapTasks)}): no skew after the shuffle.`,
      );
    }
  }
  const outputRows = groups !== undefined ? Math.min(groups, flow.rows) : flow.rows;
  const label = operation.op === 'distinct' ? `distinct${keyList(operation)}` : `${operation.op}${keyList(operation)}`;
  const reason =
    operation.op === 'groupByKey'
      ? `${label} needs every row of a key in one task: hash-partitioned shuffle of all rows`
      : `${label} needs all rows of a group in one task: hash-partitioned shuffle of the partially aggregated rows`;
  return exchange(context, open, {
    operationIndex: index,
    op: operation.op,
    reason,
    writeBytes: write,
    partitions: shufflePartitions(context),
    aqeCoalescible: true,
    hotShare: partial ? null : (operation.hotKeyShare ?? null),
    hashKeys: operation.keys,
    buffersInput: partial ? 'hash-aggregates the shuffled partial results' : 'groups every value of its keys',
    output: {
      bytes: outputRows * perRow,
      rows: outputRows,
      why:
        groups !== undefined
          ? `${formatCount(outputRows)} groups × ${bytes(perRow)} per row = ${bytes(outputRows * perRow)} after the aggregation`
          : `${bytes(outputRows * perRow)} after the aggregation (no reduction assumed)`,
      planBytes: flow.planBytes,
      planWhy: `${flow.planWhy}; an aggregation keeps the planner's estimate (no column statistics)`,
    },
    notes,
  });
}

/**
 * The sampling job before a range exchange: ShuffleExchangeExec builds its RangePartitioner with
 * spark.sql.execution.rangeExchange.sampleSizePerPartition (100) points per output partition, at most 1,000,000 in
 * all, and RangePartitioner samples 3 × that / input partitions rows from each input partition.
 */
function rangeSampleNote(inputPartitions: number, outputPartitions: number): string {
  const sample = Math.min(RANGE_SAMPLE_SIZE_PER_PARTITION * outputPartitions, RANGE_SAMPLE_MAX_ROWS);
  const perInput = Math.ceil((3 * sample) / Math.max(1, inputPartitions));
  return (
    `Before this stage Spark runs a sampling job over the upstream ${formatCount(inputPartitions)} partitions to pick the range bounds: ` +
    `min(spark.sql.execution.rangeExchange.sampleSizePerPartition ${RANGE_SAMPLE_SIZE_PER_PARTITION} × ${formatCount(outputPartitions)} partitions, ${formatCount(RANGE_SAMPLE_MAX_ROWS)}) = ` +
    `${formatCount(sample)} rows, drawn as up to ${formatCount(perInput)} rows from each input partition; the upstream work runs twice unless cached.`
  );
}

/** orderBy: a range-partitioning shuffle, after a sampling job that picks the range bounds. */
export function applyOrderBy(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): OpenStage {
  const upstreamTasks = open.tasks.value;
  return exchange(context, open, {
    operationIndex: index,
    op: 'orderBy',
    reason: `orderBy${keyList(operation)} range-partitions the rows so that partition i holds keys before partition i+1: a shuffle`,
    writeBytes: derived(open.flow.bytes, `${open.flow.why}; every row crosses the range-partitioning shuffle (${bytes(open.flow.bytes)})`),
    partitions: shufflePartitions(context),
    aqeCoalescible: true,
    hotShare: operation.hotKeyShare ?? null,
    buffersInput: 'sorts its partition',
    output: { ...open.flow, why: `${bytes(open.flow.bytes)} sorted` },
    notes: [rangeSampleNote(upstreamTasks, context.config.shufflePartitions)],
  });
}

/** window: a shuffle by the partition keys; without keys every row goes to one partition. */
export function applyWindow(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): OpenStage {
  const keyed = operation.keys !== undefined && operation.keys.length > 0;
  return exchange(context, open, {
    operationIndex: index,
    op: 'window',
    reason: keyed
      ? `window partitionBy${keyList(operation)} needs every row of a window partition in one task: hash-partitioned shuffle`
      : 'a window without partitionBy needs every row in one task: Spark moves all data to a single partition ("No Partition Defined for Window operation")',
    writeBytes: derived(open.flow.bytes, `${open.flow.why}; every row crosses the shuffle (${bytes(open.flow.bytes)})`),
    partitions: keyed ? shufflePartitions(context) : derived(1, 'a window without partitionBy has a single partition'),
    aqeCoalescible: keyed,
    hotShare: keyed ? (operation.hotKeyShare ?? null) : null,
    hashKeys: operation.keys,
    buffersInput: "sorts its partition by the window's partition and order keys and buffers each window group",
    output: { ...open.flow, why: `${bytes(open.flow.bytes)} with the window columns (size kept)` },
    notes: [],
  });
}

/** repartition: round-robin to n, or hash by keys into n (or shufflePartitions, which AQE may coalesce). */
export function applyRepartition(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): OpenStage {
  const keyed = operation.keys !== undefined && operation.keys.length > 0;
  const explicit = operation.partitions !== undefined;
  const partitions = explicit
    ? derived(operation.partitions ?? 0, `repartition(${formatCount(operation.partitions ?? 0)}) asks for ${formatCount(operation.partitions ?? 0)} partitions`)
    : shufflePartitions(context);
  const notes = explicit && context.config.adaptiveEnabled ? ['AQE keeps the partition count of an explicit repartition(n): it does not coalesce it.'] : [];
  return exchange(context, open, {
    operationIndex: index,
    op: 'repartition',
    reason: keyed
      ? `repartition${explicit ? `(${formatCount(operation.partitions ?? 0)}, …)` : ''} by ${keyList(operation)} hash-partitions every row: a shuffle`
      : `repartition(${formatCount(operation.partitions ?? 0)}) deals every row out round-robin: a shuffle`,
    writeBytes: derived(open.flow.bytes, `${open.flow.why}; every row crosses the shuffle (${bytes(open.flow.bytes)})`),
    partitions,
    aqeCoalescible: !explicit,
    hotShare: keyed ? (operation.hotKeyShare ?? null) : null,
    hashKeys: operation.keys,
    buffersInput: null,
    output: { ...open.flow, why: `${bytes(open.flow.bytes)} repartitioned` },
    notes,
  });
}

/** coalesce(n): no shuffle; the whole stage, upstream work included, runs as n tasks. */
export function applyCoalesce(open: OpenStage, operation: ShapeOperation, index: number): void {
  const target = operation.partitions ?? open.tasks.value;
  const before = open.tasks.value;
  open.operationIndexes.push(index);
  if (target >= before) {
    open.notes.push(
      `coalesce(${formatCount(target)}) at ${opLabel(open.shape, index)} keeps ${formatCount(before)} partitions: coalesce only merges, ` +
        'it cannot add partitions without a shuffle (repartition does that).',
    );
    return;
  }
  const merged = Math.ceil(before / target);
  // The hottest partition is merged with ~before/target − 1 ordinary ones.
  const others = before > 1 ? (1 - open.maxShare) / (before - 1) : 0;
  open.maxShare = Math.min(1, Math.max(1 / target, open.maxShare + (merged - 1) * others));
  open.tasks = derived(
    target,
    `${open.tasks.derivation}; coalesce(${formatCount(target)}) at ${opLabel(open.shape, index)} merges them without a shuffle → ${formatCount(target)} tasks for the whole stage`,
  );
  open.maxPartitionBytes = derived(
    open.inputBytes.value * open.maxShare,
    `each task reads about ${formatCount(merged)} of the ${formatCount(before)} input partitions: ${bytes(open.inputBytes.value * open.maxShare)} in the largest`,
  );
  open.notes.push(
    `coalesce(${formatCount(target)}) is a narrow operation, so Spark pipelines it into this stage: everything before it in the stage ` +
      `(${open.facts.readsSource ? 'the scan' : 'the shuffle read'} and the operations after it) also runs as ${plural(target, 'task')} instead of ${formatCount(before)}. ` +
      `To keep the upstream work parallel and only reduce the output partitions, repartition(${formatCount(target)}) adds a shuffle instead.`,
  );
  open.facts.coalescedAt = index;
}

/** cache(): stored when the first action runs, read by the later ones. */
export function applyCache(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): void {
  open.operationIndexes.push(index);
  context.caches.push({ shape: open.shape, operationIndex: index, reuseCount: operation.reuseCount, bytes: open.flow.bytes });
  // Cached blocks occupy storage memory from here on, whether or not a later action reads them.
  context.plan.cachedBytes += open.flow.bytes;
  if (operation.reuseCount === undefined) context.assume(`${opLabel(open.shape, index)} (cache): reuseCount not given; one later action is assumed to read the cache.`);
  open.notes.push(
    `cache() at ${opLabel(open.shape, index)} stores the ${bytes(open.flow.bytes)} it sees (MEMORY_AND_DISK) as this stage runs; ` +
      'later actions read those blocks instead of recomputing the stages before it. This plan shows the first action.',
  );
}

/** collect(): every partition goes to the driver. */
export function applyCollect(context: PlanContext, open: OpenStage, index: number): void {
  open.operationIndexes.push(index);
  context.collect = {
    bytes: derived(open.flow.bytes, `${open.flow.why}; collect() brings all ${bytes(open.flow.bytes)} to the driver (${formatCount(open.tasks.value)} task results)`),
  };
  open.notes.push(`collect() sends each of the ${formatCount(open.tasks.value)} tasks' results to the driver, which holds them all at once.`);
}

/**
 * The hash-partitioning columns of the open stage when they are all among the write's partitionBy columns: then
 * every partition value sits in one task. Null when the rows are not clustered that way.
 */
function clusteredBy(open: OpenStage, operation: ShapeOperation): string[] | null {
  const hashed = open.facts.hashPartitionedBy;
  const written = new Set(operation.keys ?? []);
  return hashed !== null && hashed.every((column) => written.has(column)) ? hashed : null;
}

/**
 * write: FileFormatWriter opens a file only when a task has a row to write, so an empty partition writes nothing; a
 * task writes one file (no partitionBy) or one file per partition value among its rows (partitionBy). So files are at
 * most the non-empty partitions × values, and never more than the rows.
 */
export function applyWrite(context: PlanContext, open: OpenStage, operation: ShapeOperation, index: number): void {
  open.operationIndexes.push(index);
  const tasks = open.tasks.value;
  const rows = Math.max(1, Math.round(open.flow.rows));
  const nonEmpty = Math.min(tasks, rows);
  const emptyNote =
    nonEmpty < tasks
      ? `only ${formatCount(nonEmpty)} of the ${formatCount(tasks)} tasks hold rows (${formatCount(rows)} rows) and FileFormatWriter writes no file for an empty partition`
      : `each of the ${formatCount(tasks)} tasks holds rows`;
  const values = operation.partitionValues;
  const hashed = clusteredBy(open, operation);
  let files: DerivedNumber;
  if (values === undefined) {
    files = derived(nonEmpty, `${emptyNote}; each writes one file (no partitionBy): ${formatCount(nonEmpty)} files of about ${bytes(open.flow.bytes / nonEmpty)}`);
  } else if (hashed !== null) {
    const count = Math.min(values, rows);
    files = derived(
      count,
      `partitionBy${keyList(operation)} with ${formatCount(values)} values, rows hash-partitioned by [${hashed.join(', ')}] before the write: ` +
        `all rows of a value sit in one task, so each value is written once → ${formatCount(count)} files of about ${bytes(open.flow.bytes / count)}`,
    );
    open.buffersOutput = 'sorts its rows by the partition columns before writing (dynamic partition write)';
  } else {
    const rowsPerTask = rows / nonEmpty;
    // Expected distinct values among r rows spread evenly over V values: V × (1 − (1 − 1/V)^r), at most min(V, r).
    const expected = values * (1 - Math.pow(1 - 1 / values, rowsPerTask));
    const perTask = Math.max(1, Math.min(values, Math.floor(rowsPerTask), Math.ceil(expected - 1e-9)));
    const count = Math.min(nonEmpty * perTask, rows);
    files = derived(
      count,
      `partitionBy${keyList(operation)} with ${formatCount(values)} values, rows not clustered by them: ${emptyNote}; each writes one file per value among its ` +
        `${formatCount(rowsPerTask)} rows, about ${formatCount(perTask)} values → ${formatCount(nonEmpty)} × ${formatCount(perTask)} = ${formatCount(count)} files of about ${bytes(open.flow.bytes / count)}`,
    );
    context.assume(
      `${opLabel(open.shape, index)} (write): rows are assumed spread over every partitionBy value in every task (not clustered by them); ` +
        'a repartition by the partition columns first would give about one file per value.',
    );
    open.buffersOutput = 'sorts its rows by the partition columns before writing (dynamic partition write)';
  }
  context.write = { files, bytes: open.flow.bytes, partitioned: values !== undefined };
  open.notes.push(`write: ${formatCount(files.value)} files (${files.derivation}).`);
}
