/**
 * The insights a planned shape would raise. They reuse the issue-3 detector types where they mean the same
 * (data-skew, partition-count, small-files, spill, broadcast-join) with the shape's estimates as evidence, and add
 * playground-only types (driver-collect, cartesian-join, unused-cache). Like every insight, they never promise.
 */

import { formatBytes, formatShare, round } from '../../analysis/format.js';
import { severityFor, type Insight, type Severity } from '../../analysis/insight.js';
import { formatCount, plural } from './derived.js';
import type { PlanContext } from './plan-context.js';
import { GiB, MiB, MAX_BROADCAST_TABLE_BYTES, taskSlots } from './shape-config.js';
import type { ClosedStage } from './shape-stages.js';
import type { ShapeResult } from './shape-types.js';

const SKEW_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#optimizing-skew-join';
const PARTITION_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#tuning-partitions';
const COALESCE_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#coalescing-post-shuffle-partitions';
const READ_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#other-configuration-options';
const WRITE_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#coalesce-hints-for-sql-queries';
const MEMORY_DOCS = 'https://spark.apache.org/docs/latest/tuning.html#memory-management-overview';
const JOIN_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#join-strategy-hints-for-sql-queries';
const DRIVER_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#application-properties';
const CACHE_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#caching-data-in-memory';

/** Tiny partitions: under 1 MiB (AQE's minPartitionSize) a task's fixed overhead outweighs its work. */
const TINY_PARTITION_BYTES = 1 * MiB;
/** Too many: more than this many tasks per task slot... */
const MANY_TASKS_PER_SLOT = 3;
/** Too large: partitions over twice 128 MiB (scan) or 200 MiB (shuffle), the usual sizing guidance. */
const LARGE_SHUFFLE_PARTITION_BYTES = 200 * MiB;
const FAR_ABOVE = 2;
/** Too few: at most half the slots get a task... */
const TOO_FEW_SHARE_OF_SLOTS = 0.5;
/** ...while there is enough data (16 MiB per slot) to keep every slot busy. */
const ENOUGH_BYTES_PER_SLOT = 16 * MiB;
/** Small files: 1,000+ files read or 200+ written, averaging under openCostInBytes (the issue-3 detector's floors). */
const MIN_FILES_READ = 1_000;
const MIN_FILES_WRITTEN = 200;
/** A shuffled join whose smaller side is within 10 × the threshold (or 100 MiB when disabled) is worth a broadcast look. */
const BROADCAST_CANDIDATE_FACTOR = 10;
/** Broadcasts above 1 GiB weigh on the driver and every executor. */
const LARGE_BROADCAST_BYTES = 1 * GiB;
/** A product comparing more than a trillion pairs is hours of CPU on any cluster. */
const MANY_COMPARED_PAIRS = 1e12;
/** A collect over 100 MiB or half of maxResultSize is a lot for one driver. */
const LARGE_COLLECT_BYTES = 100 * MiB;

/** An insight as the shape raises it: no job, attempt or SQL execution, and a severity from impact unless set. */
type Draft = Omit<Insight, 'severity' | 'jobId' | 'stageAttemptId' | 'sqlExecutionId' | 'impactMs'> & { severity?: Severity };

function toInsight(draft: Draft): Insight {
  const impact = Math.min(1, Math.max(0, round(draft.impact)));
  return {
    id: draft.id,
    type: draft.type,
    title: draft.title,
    description: draft.description,
    evidence: { ...draft.evidence, source: 'shape playground estimate' },
    confidence: draft.confidence,
    severity: draft.severity ?? severityFor(impact),
    suggestion: draft.suggestion,
    tradeoffs: draft.tradeoffs,
    sparkDocsRef: draft.sparkDocsRef,
    jobId: null,
    stageId: draft.stageId,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact,
    impactMs: 0,
  };
}

function skewInsight(context: PlanContext, closed: ClosedStage, totalBytes: number): Draft | null {
  const { stage, facts } = closed;
  const { config } = context;
  if (facts.hotKeyShare === null) return null;
  const largest = stage.maxPartitionBytes.value;
  const median = facts.medianPartitionBytes;
  if (!(largest >= config.skewedPartitionFactor * median && largest >= config.skewedPartitionThresholdBytes)) return null;
  const suggestion =
    facts.cause === 'join'
      ? config.adaptiveEnabled && config.skewJoinEnabled
        ? 'Salt the hot key (saltBuckets) so its rows spread over several partitions, or broadcast the other side if it is small enough.'
        : 'Turn on AQE skew-join handling (spark.sql.adaptive.enabled and spark.sql.adaptive.skewJoin.enabled) so the hot partition is split at runtime, or salt the hot key (saltBuckets).'
      : facts.cause === 'groupByKey'
        ? 'Use a DataFrame groupBy/agg (or reduceByKey) with a combinable aggregate: the partial aggregation before the shuffle collapses the hot key to one row per map task.'
        : 'Salt the hot key (add a random suffix, aggregate twice) or handle the hot key separately; AQE splits skewed partitions only in joins.';
  return {
    id: `data-skew:stage-${stage.id}`,
    type: 'data-skew',
    title: `Stage ${stage.id}: one task reads ${formatBytes(largest)}, ${round(largest / Math.max(1, median), 1)}× the median partition`,
    description:
      `The hot key holds ${formatShare(facts.hotKeyShare)} of the rows of the ${facts.cause} at stage ${stage.id}, and one key's rows always land in one partition: ` +
      `its task reads ${formatBytes(largest)} while the median task reads ${formatBytes(median)}, so the stage waits for that one task.`,
    evidence: {
      stageId: stage.id,
      hotKeyShare: facts.hotKeyShare,
      largestPartitionBytes: Math.round(largest),
      medianPartitionBytes: Math.round(median),
      skewedPartitionFactor: config.skewedPartitionFactor,
      skewedPartitionThresholdBytes: config.skewedPartitionThresholdBytes,
    },
    confidence: 'MEDIUM',
    suggestion,
    tradeoffs: 'Salting multiplies the other side (or adds a second aggregation) and complicates the code; skew handling adds tasks and reads the matching partition several times.',
    sparkDocsRef: SKEW_DOCS,
    stageId: stage.id,
    impact: totalBytes > 0 ? largest / totalBytes : 0,
  };
}

function partitionInsight(context: PlanContext, closed: ClosedStage, totalBytes: number): Draft | null {
  const { stage, facts } = closed;
  const { config } = context;
  const slots = taskSlots(config);
  const tasks = stage.tasks.value;
  const perTask = stage.bytesPerTask.value;
  const input = stage.inputBytes.value;
  const base = { type: 'partition-count', stageId: stage.id, sparkDocsRef: PARTITION_DOCS };
  const evidence = { stageId: stage.id, tasks, taskSlots: slots, bytesPerTask: Math.round(perTask), inputBytes: Math.round(input) };
  if (tasks <= TOO_FEW_SHARE_OF_SLOTS * slots && input >= slots * ENOUGH_BYTES_PER_SLOT) {
    const cause =
      facts.coalescedAt !== null
        ? `coalesce at operations[${facts.coalescedAt}] cut it to ${plural(tasks, 'task')}, and because coalesce does not shuffle, the work before it in the stage (${facts.readsSource ? 'the scan' : 'the shuffle read'} included) runs on ${plural(tasks, 'task')} too.`
        : facts.cause === 'window' && tasks === 1
          ? 'a window without partitionBy moves every row into one partition.'
          : `it has only ${plural(tasks, 'partition')}.`;
    return {
      ...base,
      id: `partition-count:too-few:stage-${stage.id}`,
      title: `Stage ${stage.id} runs ${plural(tasks, 'task')} on ${formatCount(slots)} task slots`,
      description: `Stage ${stage.id} reads ${formatBytes(input)} with ${plural(tasks, 'task')} while ${formatCount(slots)} slots are available: ${cause}`,
      evidence: { ...evidence, coalescedAt: facts.coalescedAt },
      confidence: 'HIGH',
      suggestion:
        facts.coalescedAt !== null
          ? `Use repartition(${formatCount(tasks)}) instead of coalesce when only the output should have few partitions: the upstream work then keeps its ${formatCount(slots)}+ tasks.`
          : facts.cause === 'window' && tasks === 1
            ? 'Give the window a partitionBy on a column with many values, if the logic allows it.'
            : `Raise the partition count to at least the ${formatCount(slots)} task slots (repartition, or spark.sql.shuffle.partitions for shuffles).`,
      tradeoffs: 'repartition adds a shuffle (its write and read); more partitions mean more, smaller tasks and, on a write, more files.',
      impact: input / Math.max(1, totalBytes),
    };
  }
  const largeLimit = FAR_ABOVE * (facts.readsSource ? config.maxPartitionBytes : LARGE_SHUFFLE_PARTITION_BYTES);
  if (perTask > largeLimit) {
    return {
      ...base,
      id: `partition-count:too-large:stage-${stage.id}`,
      title: `Stage ${stage.id}'s tasks read ${formatBytes(perTask)} each`,
      description:
        `Stage ${stage.id} splits ${formatBytes(input)} into ${formatCount(tasks)} tasks of ${formatBytes(perTask)}, over ${FAR_ABOVE}× the usual ` +
        `${formatBytes(largeLimit / FAR_ABOVE)} per ${facts.readsSource ? 'input' : 'shuffle'} partition: large tasks hold more in memory and retry more work when they fail.`,
      evidence: { ...evidence, sizeGuidanceBytes: largeLimit / FAR_ABOVE },
      confidence: 'MEDIUM',
      suggestion: facts.readsSource
        ? 'Let the scan split more (spark.sql.files.maxPartitionBytes), use a splittable format, or repartition after the scan.'
        : `Raise spark.sql.shuffle.partitions (now ${formatCount(config.shufflePartitions)}) so each shuffle partition holds less, or lower the advisory size with AQE on.`,
      tradeoffs: 'More partitions mean more tasks, more shuffle blocks and, on a write, more files.',
      impact: input / Math.max(1, totalBytes),
    };
  }
  if (tasks > MANY_TASKS_PER_SLOT * slots && perTask < TINY_PARTITION_BYTES) {
    return {
      ...base,
      id: `partition-count:too-many:stage-${stage.id}`,
      title: `Stage ${stage.id} runs ${formatCount(tasks)} tasks of ${formatBytes(perTask)}`,
      description:
        `Stage ${stage.id} spreads ${formatBytes(input)} over ${formatCount(tasks)} tasks (${round(tasks / slots, 1)} per slot) of ${formatBytes(perTask)} each: ` +
        'below 1 MB a task spends more time being scheduled and started than working.',
      evidence,
      confidence: 'MEDIUM',
      suggestion: config.adaptiveEnabled
        ? `Lower spark.sql.shuffle.partitions or the partition count of the repartition/source for data this small.`
        : 'Turn on AQE (spark.sql.adaptive.enabled), which coalesces small post-shuffle partitions at runtime, or lower spark.sql.shuffle.partitions.',
      tradeoffs: 'Fewer partitions are larger; when the data grows, a fixed low count gives tasks that spill or run long.',
      sparkDocsRef: COALESCE_DOCS,
      impact: input / Math.max(1, totalBytes),
    };
  }
  return null;
}

function spillInsight(context: PlanContext, closed: ClosedStage, totalBytes: number): Draft | null {
  const { stage } = closed;
  const spill = stage.spillBytesPerTask.value;
  if (spill <= 0) return null;
  return {
    id: `spill:stage-${stage.id}`,
    type: 'spill',
    title: `Stage ${stage.id}'s largest task may spill ${formatBytes(spill)} to disk`,
    description: `In stage ${stage.id}, ${stage.spillBytesPerTask.derivation}.`,
    evidence: {
      stageId: stage.id,
      spillBytesPerTask: Math.round(spill),
      largestPartitionBytes: Math.round(stage.maxPartitionBytes.value),
      executorMemoryBytes: context.config.executorMemoryBytes,
      coresPerExecutor: context.config.coresPerExecutor,
    },
    confidence: 'LOW',
    suggestion: 'Give each task less data (more shuffle partitions, or fix the skew that makes one partition large) or more memory (spark.executor.memory, or fewer cores per executor).',
    tradeoffs: 'More partitions mean more tasks and shuffle blocks; more memory per task means fewer concurrent tasks or larger (costlier) executors.',
    sparkDocsRef: MEMORY_DOCS,
    stageId: stage.id,
    impact: (spill * Math.max(1, stage.tasks.value)) / Math.max(1, totalBytes),
  };
}

/**
 * Small files cost every later reader a listing and an open per file, whatever share of this job's bytes they hold:
 * their severity follows their size (under 1 MiB: HIGH; under openCostInBytes: MEDIUM), not the bytes written.
 */
function smallFileSeverity(averageBytes: number): Severity {
  return averageBytes < TINY_PARTITION_BYTES ? 'HIGH' : 'MEDIUM';
}

/** Every insight the planned shape raises, most impactful first. */
export function shapeInsights(context: PlanContext, result: ShapeResult): Insight[] {
  const { config } = context;
  const totalBytes = result.stages.reduce((sum, stage) => sum + stage.inputBytes.value, 0);
  const drafts: Draft[] = [];
  for (const closed of context.plan.closed) {
    for (const draft of [skewInsight(context, closed, totalBytes), partitionInsight(context, closed, totalBytes), spillInsight(context, closed, totalBytes)]) {
      if (draft !== null) drafts.push(draft);
    }
  }

  for (const source of context.sources) {
    const average = source.totalBytes / source.fileCount;
    if (source.fileCount < MIN_FILES_READ || average >= config.openCostInBytes) continue;
    drafts.push({
      id: `small-files:read-${source.shape.replace(/\W+/g, '-')}`,
      type: 'small-files',
      title: `The scan reads ${formatCount(source.fileCount)} files of ${formatBytes(average)} on average`,
      description:
        `${source.shape === 'main' ? 'The source' : `The source of the ${source.shape}`} has ${formatCount(source.fileCount)} files averaging ${formatBytes(average)}, under ` +
        `spark.sql.files.openCostInBytes (${formatBytes(config.openCostInBytes)}): Spark charges each file as if opening it cost ${formatBytes(config.openCostInBytes)} of reading, and listing them takes driver time.`,
      evidence: { fileCount: source.fileCount, totalBytes: source.totalBytes, averageFileBytes: Math.round(average), openCostInBytes: config.openCostInBytes },
      confidence: 'HIGH',
      severity: smallFileSeverity(average),
      suggestion: 'Compact the files (rewrite them into fewer, larger files, e.g. 128 MB-1 GB), or fix the job that writes them.',
      tradeoffs: 'Compaction is an extra job to schedule and rewrites the data; readers of the old files must switch over.',
      sparkDocsRef: READ_DOCS,
      stageId: null,
      impact: source.totalBytes / Math.max(1, totalBytes),
    });
  }

  if (context.write !== null) {
    const files = context.write.files.value;
    const average = context.write.bytes / Math.max(1, files);
    if (files >= MIN_FILES_WRITTEN && average < config.openCostInBytes) {
      drafts.push({
        id: 'small-files:write',
        type: 'small-files',
        title: `The write creates about ${formatCount(files)} files of ${formatBytes(average)}`,
        description: `${context.write.files.derivation}. Files this small are slow to list and open for every later reader.`,
        evidence: { filesWritten: files, bytesWritten: Math.round(context.write.bytes), averageFileBytes: Math.round(average), openCostInBytes: config.openCostInBytes },
        confidence: 'MEDIUM',
        severity: smallFileSeverity(average),
        suggestion: context.write.partitioned
          ? 'Repartition by the partitionBy columns before the write, so each task holds few partition values (about one file per value).'
          : 'Write from fewer partitions (coalesce or repartition before the write, or the REBALANCE hint with AQE).',
        tradeoffs: 'Repartitioning adds a shuffle; fewer, larger files mean fewer write tasks, and one hot partition value becomes one large task.',
        sparkDocsRef: WRITE_DOCS,
        stageId: result.stages.at(-1)?.id ?? null,
        impact: context.write.bytes / Math.max(1, totalBytes),
      });
    }
  }

  for (const join of context.joinFacts) {
    if ((join.strategy === 'sort_merge' || join.strategy === 'shuffle_hash') && !join.switchedByAqe && join.smallerBuildableBytes !== null) {
      const threshold = config.autoBroadcastJoinThresholdBytes > 0 ? config.autoBroadcastJoinThresholdBytes : 10 * MiB;
      if (join.smallerBuildableBytes <= BROADCAST_CANDIDATE_FACTOR * threshold) {
        drafts.push({
          id: `broadcast-join:operations-${join.operationIndex}`,
          type: 'broadcast-join',
          title: `The join at operations[${join.operationIndex}] shuffles both sides though one is about ${formatBytes(join.smallerBuildableBytes)}`,
          description:
            `The ${join.strategy === 'shuffle_hash' ? 'shuffled hash' : 'sort-merge'} join shuffles both sides, while the smaller side that may be broadcast is estimated at ` +
            `${formatBytes(join.smallerBuildableBytes)} (autoBroadcastJoinThreshold ${config.autoBroadcastJoinThresholdBytes < 0 ? 'disabled' : formatBytes(config.autoBroadcastJoinThresholdBytes)}).`,
          evidence: { operationIndex: join.operationIndex, strategy: join.strategy, smallerSideBytes: Math.round(join.smallerBuildableBytes), autoBroadcastJoinThresholdBytes: config.autoBroadcastJoinThresholdBytes },
          confidence: 'MEDIUM',
          suggestion: 'Broadcast the small side (a broadcast hint, or raise spark.sql.autoBroadcastJoinThreshold above its size); with AQE on, Spark may also switch once it sees the real size.',
          tradeoffs: 'A broadcast side is collected on the driver and held in memory by every executor; if it grows, the job can run out of memory.',
          sparkDocsRef: JOIN_DOCS,
          stageId: null,
          impact: join.smallerBuildableBytes / Math.max(1, totalBytes),
        });
      }
    }
    if (join.broadcastBytes !== null && join.broadcastBytes > LARGE_BROADCAST_BYTES) {
      const fails = join.broadcastBytes > MAX_BROADCAST_TABLE_BYTES;
      drafts.push({
        id: `broadcast-join:large-broadcast-operations-${join.operationIndex}`,
        type: 'broadcast-join',
        title: `The join at operations[${join.operationIndex}] broadcasts about ${formatBytes(join.broadcastBytes)}`,
        description: fails
          ? `Spark refuses to broadcast more than ${formatBytes(MAX_BROADCAST_TABLE_BYTES)}: the query would fail ("Cannot broadcast the table that is larger than 8GB").`
          : `The driver collects ${formatBytes(join.broadcastBytes)} and every executor holds a copy in memory.`,
        evidence: { operationIndex: join.operationIndex, broadcastBytes: Math.round(join.broadcastBytes), maxBroadcastTableBytes: MAX_BROADCAST_TABLE_BYTES },
        confidence: 'MEDIUM',
        severity: fails ? 'CRITICAL' : 'HIGH',
        suggestion: 'Drop the broadcast hint (or lower the threshold) so the join shuffles both sides, or shrink the side first (filter, select fewer columns).',
        tradeoffs: 'A sort-merge join shuffles and sorts both sides, which costs network and disk instead of driver and executor memory.',
        sparkDocsRef: JOIN_DOCS,
        stageId: null,
        impact: join.broadcastBytes / Math.max(1, totalBytes),
      });
    }
    if (join.strategy === 'cartesian' || join.strategy === 'broadcast_nested_loop') {
      drafts.push({
        id: `cartesian-join:operations-${join.operationIndex}`,
        type: 'cartesian-join',
        title: `The join at operations[${join.operationIndex}] compares every row with every row: about ${formatCount(Math.round(join.comparedPairs))} pairs for ${formatCount(Math.round(join.outputRows))} rows out`,
        description:
          `Without an equality condition Spark runs a ${join.strategy === 'cartesian' ? 'cartesian product' : 'broadcast nested loop join'}: ` +
          `it evaluates the condition on every left row against every right row (${formatCount(Math.round(join.comparedPairs))} pairs), whatever share of them it keeps (about ${formatBytes(join.outputBytes)} out here).`,
        evidence: { operationIndex: join.operationIndex, strategy: join.strategy, comparedPairs: Math.round(join.comparedPairs), outputRows: Math.round(join.outputRows), outputBytes: Math.round(join.outputBytes) },
        confidence: 'HIGH',
        severity: join.outputBytes > totalBytes || join.comparedPairs > MANY_COMPARED_PAIRS ? 'HIGH' : 'MEDIUM',
        suggestion: 'Add an equality condition to the join if the logic allows it (e.g. bucket a range condition into equal keys), or shrink both sides before the join.',
        tradeoffs: 'Rewriting a range or inequality join into an equi-join needs extra columns and care to keep the same result.',
        sparkDocsRef: JOIN_DOCS,
        stageId: null,
        impact: Math.min(1, join.outputBytes / Math.max(1, totalBytes)),
      });
    }
  }

  if (context.collect !== null) {
    const collected = context.collect.bytes.value;
    const limit = config.driverMaxResultSizeBytes;
    const over = limit > 0 && collected > limit;
    if (over || collected >= LARGE_COLLECT_BYTES || (limit > 0 && collected >= limit / 2)) {
      drafts.push({
        id: 'driver-collect:result',
        type: 'driver-collect',
        title: over
          ? `collect() brings about ${formatBytes(collected)} to the driver, over spark.driver.maxResultSize (${formatBytes(limit)})`
          : `collect() brings about ${formatBytes(collected)} to the driver`,
        description: over
          ? `Spark aborts the job when the tasks' serialized results exceed spark.driver.maxResultSize: ${formatBytes(collected)} > ${formatBytes(limit)} ("Total size of serialized results … is bigger than spark.driver.maxResultSize").`
          : `The driver holds every row at once: ${formatBytes(collected)} (spark.driver.maxResultSize ${limit > 0 ? formatBytes(limit) : 'unlimited'}), in one JVM that also schedules the job.`,
        evidence: { driverResultBytes: Math.round(collected), driverMaxResultSizeBytes: limit },
        confidence: over ? 'HIGH' : 'MEDIUM',
        severity: over ? 'CRITICAL' : 'MEDIUM',
        suggestion: 'Write the result to storage instead, or aggregate/limit it on the cluster before collecting (take(n), toLocalIterator for streaming partitions to the driver).',
        tradeoffs: 'Writing needs a place to put the result and a reader for it; raising maxResultSize only moves the limit to the driver\'s memory.',
        sparkDocsRef: DRIVER_DOCS,
        stageId: result.stages.at(-1)?.id ?? null,
        impact: collected / Math.max(1, totalBytes),
      });
    }
  }

  for (const cache of context.caches) {
    if (cache.reuseCount !== 0) continue;
    drafts.push({
      id: `unused-cache:${cache.shape.replace(/\W+/g, '-')}-operations-${cache.operationIndex}`,
      type: 'unused-cache',
      title: `The cache at operations[${cache.operationIndex}] is never read again`,
      description: `cache() stores about ${formatBytes(cache.bytes)} in executor memory (and disk), but no later action reads it (reuseCount 0): it costs memory and a write for nothing.`,
      evidence: { operationIndex: cache.operationIndex, cachedBytes: Math.round(cache.bytes), reuseCount: 0 },
      confidence: 'HIGH',
      suggestion: 'Remove the cache(), or unpersist() it once the actions that need it are done.',
      tradeoffs: 'Without the cache, any later action that does use the data recomputes it from the source.',
      sparkDocsRef: CACHE_DOCS,
      stageId: null,
      impact: cache.bytes / Math.max(1, totalBytes),
    });
  }

  return drafts.map(toInsight).sort((a, b) => b.impact - a.impact || a.id.localeCompare(b.id));
}
