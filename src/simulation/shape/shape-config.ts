/**
 * The Spark configuration a shape is planned with: the user's values over Spark 3.5's defaults, and the
 * sentences that state which defaults were used.
 */

import { formatBytes } from '../../analysis/format.js';
import type { ShapeConfig } from './shape-types.js';
import { GiB, KiB, MiB } from '../../model/units.js';

export { GiB, KiB, MiB };

/** Spark reserves this much of each executor's heap before the unified memory region (RESERVED_SYSTEM_MEMORY_BYTES). */
export const RESERVED_MEMORY_BYTES = 300 * MiB;
/** spark.memory.fraction: share of (heap − reserved) for execution and storage together. */
export const MEMORY_FRACTION = 0.6;
/** spark.memory.storageFraction: the share of the unified region cached blocks keep from eviction by execution. */
export const STORAGE_FRACTION = 0.5;
/** spark.shuffle.sort.bypassMergeThreshold: at most this many reduce partitions (and no map-side combine), the shuffle writer writes each partition's file directly and buffers nothing. */
export const BYPASS_MERGE_THRESHOLD = 200;
/** spark.sql.execution.rangeExchange.sampleSizePerPartition: rows a range exchange samples per output partition. */
export const RANGE_SAMPLE_SIZE_PER_PARTITION = 100;
/** RangePartitioner caps its whole sample at a million rows. */
export const RANGE_SAMPLE_MAX_ROWS = 1_000_000;
/** parquet.block.size: the row-group size Parquet writers use unless told otherwise. */
export const DEFAULT_PARQUET_ROW_GROUP_BYTES = 128 * MiB;
/** spark.sql.adaptive.coalescePartitions.minPartitionSize: AQE does not coalesce toward anything smaller. */
export const AQE_MIN_PARTITION_BYTES = 1 * MiB;
/** spark.sql.maxBroadcastTableSize (internal): a broadcast larger than this fails the query. */
export const MAX_BROADCAST_TABLE_BYTES = 8 * GiB;
/** Width assumed for a row when the source does not say how many rows it holds. */
export const DEFAULT_ROW_BYTES = 100;
/** filter's default selectivity. */
export const DEFAULT_SELECTIVITY = 0.5;

/** Every configuration value resolved (user value or Spark's default). */
export type ResolvedShapeConfig = Required<ShapeConfig>;

/** Spark 3.5's defaults (executors × cores: spark.executor.instances=2 and spark.executor.cores=1, the YARN defaults). */
export const sparkDefaults: ResolvedShapeConfig = {
  shufflePartitions: 200,
  adaptiveEnabled: true,
  autoBroadcastJoinThresholdBytes: 10 * MiB,
  maxPartitionBytes: 128 * MiB,
  openCostInBytes: 4 * MiB,
  advisoryPartitionSizeBytes: 64 * MiB,
  skewJoinEnabled: true,
  skewedPartitionFactor: 5,
  skewedPartitionThresholdBytes: 256 * MiB,
  executors: 2,
  coresPerExecutor: 1,
  executorMemoryBytes: 1 * GiB,
  driverMaxResultSizeBytes: 1 * GiB,
};

/** How each setting is named in Spark and shown, for the assumptions list. */
const settingLabels: { [K in keyof ResolvedShapeConfig]: { spark: string; show: (value: ResolvedShapeConfig[K]) => string } } = {
  shufflePartitions: { spark: 'spark.sql.shuffle.partitions', show: String },
  adaptiveEnabled: { spark: 'spark.sql.adaptive.enabled', show: String },
  autoBroadcastJoinThresholdBytes: {
    spark: 'spark.sql.autoBroadcastJoinThreshold',
    show: (value) => (value < 0 ? `${value} (broadcasting by size disabled)` : formatBytes(value)),
  },
  maxPartitionBytes: { spark: 'spark.sql.files.maxPartitionBytes', show: formatBytes },
  openCostInBytes: { spark: 'spark.sql.files.openCostInBytes', show: formatBytes },
  advisoryPartitionSizeBytes: { spark: 'spark.sql.adaptive.advisoryPartitionSizeInBytes', show: formatBytes },
  skewJoinEnabled: { spark: 'spark.sql.adaptive.skewJoin.enabled', show: String },
  skewedPartitionFactor: { spark: 'spark.sql.adaptive.skewJoin.skewedPartitionFactor', show: String },
  skewedPartitionThresholdBytes: { spark: 'spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes', show: formatBytes },
  executors: { spark: 'spark.executor.instances', show: String },
  coresPerExecutor: { spark: 'spark.executor.cores', show: String },
  executorMemoryBytes: { spark: 'spark.executor.memory', show: formatBytes },
  driverMaxResultSizeBytes: { spark: 'spark.driver.maxResultSize', show: formatBytes },
};

/** The user's configuration over Spark's defaults, and one sentence per setting saying where its value came from. */
export function resolveConfig(config: ShapeConfig | undefined): { config: ResolvedShapeConfig; assumptions: string[] } {
  const given = config ?? {};
  const resolved = { ...sparkDefaults } as Record<keyof ResolvedShapeConfig, number | boolean>;
  const defaulted: string[] = [];
  const set: string[] = [];
  for (const key of Object.keys(sparkDefaults) as Array<keyof ResolvedShapeConfig>) {
    const value = given[key];
    const label = settingLabels[key] as { spark: string; show: (value: number | boolean) => string };
    if (value === undefined) {
      defaulted.push(`${label.spark}=${label.show(sparkDefaults[key])}`);
    } else {
      resolved[key] = value;
      set.push(`${label.spark}=${label.show(value)}`);
    }
  }
  const assumptions = [`Spark 3.5 defaults used: ${defaulted.join(', ')}.`];
  if (set.length > 0) assumptions.unshift(`Configuration given: ${set.join(', ')}.`);
  return { config: resolved as ResolvedShapeConfig, assumptions };
}

/** Task slots: executors × cores, Spark's defaultParallelism on a cluster. */
export function taskSlots(config: ResolvedShapeConfig): number {
  return config.executors * config.coresPerExecutor;
}

/** The unified (execution + storage) region of one executor: (heap − 300 MiB) × spark.memory.fraction. */
export function unifiedMemoryBytes(config: ResolvedShapeConfig): number {
  return (config.executorMemoryBytes - RESERVED_MEMORY_BYTES) * MEMORY_FRACTION;
}

/**
 * Execution memory one task can grow to, as UnifiedMemoryManager gives it: the execution pool may take the whole
 * unified region minus the cached blocks it cannot evict (computeMaxExecutionPoolSize = maxMemory −
 * min(storageUsed, storageRegionSize)), and ExecutionMemoryPool lets each of the N running tasks hold up to 1/N of
 * the pool. `cachedBytesPerExecutor` is what cache() stores on one executor (0 when nothing is cached).
 */
export function executionMemoryPerTask(config: ResolvedShapeConfig, cachedBytesPerExecutor = 0): number {
  const unified = unifiedMemoryBytes(config);
  const kept = Math.min(cachedBytesPerExecutor, unified * STORAGE_FRACTION);
  return (unified - kept) / config.coresPerExecutor;
}
