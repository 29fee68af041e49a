/**
 * The DataFrame shape playground's input and output. A shape is a source plus a chain of operations; the
 * playground explains what Spark's planner would do with it from sizes, partition counts and operation
 * kinds only, never from data values. Every number in the output carries how it was derived.
 */

import type { Insight } from '../../analysis/insight.js';

/** Where the data comes from: files on storage, or an existing table/DataFrame with known partitions. */
export type ShapeSource =
  | {
      kind: 'files';
      /** Total bytes of the files on storage. */
      totalBytes: number;
      fileCount: number;
      /** Splittable formats (parquet, orc, uncompressed csv/json) are cut into maxPartitionBytes splits. */
      format?: 'parquet' | 'orc' | 'csv' | 'json' | 'delta' | 'text' | 'gzip-csv';
      /** parquet/delta: the files' row-group size (parquet.block.size, default 128 MiB); a split reads the row groups whose midpoint it holds. */
      rowGroupBytes?: number;
      /** Rows in the files; sizes partial aggregation, cartesian products and partitioned writes. Default: rows of 100 B (stated). */
      rowCount?: number;
    }
  | {
      kind: 'table';
      totalBytes: number;
      partitions: number;
      /** Rows in the table; sizes partial aggregation, cartesian products and partitioned writes. Default: rows of 100 B (stated). */
      rowCount?: number;
    };

/** The operations the playground knows; anything else is rejected with the list of these. */
export const operationKinds = [
  'filter',
  'select',
  'withColumn',
  'map',
  'groupBy',
  'groupByKey',
  'distinct',
  'join',
  'repartition',
  'coalesce',
  'orderBy',
  'window',
  'union',
  'cache',
  'collect',
  'write',
] as const;

/** One operation kind. `groupBy` is DataFrame groupBy/agg (partial aggregation before the shuffle); `groupByKey` is the RDD one (every row crosses the shuffle). */
export type OperationKind = (typeof operationKinds)[number];

/** The join strategies a hint may ask for (Spark's join hints), or none. */
export const joinHints = ['none', 'broadcast', 'merge', 'shuffle_hash', 'shuffle_replicate_nl'] as const;
/** A join strategy hint. */
export type JoinHint = (typeof joinHints)[number];

/** Join types the playground distinguishes (they decide which side may broadcast). */
export const joinTypes = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'cross'] as const;
/** A join type. */
export type JoinType = (typeof joinTypes)[number];

/** One step of the pipeline. Fields not relevant to `op` must be absent; validation names the offending field. */
export interface ShapeOperation {
  op: OperationKind;
  /** filter: fraction of rows kept (0-1]; default 0.5 (stated as an assumption). join: its selectivity, output rows / (left rows × right rows), for the whole join condition; overrides keyCardinality (default: product for a join without equality, else from the keys). */
  selectivity?: number;
  /** select/withColumn/map: output bytes per input byte (e.g. 0.3 when selecting a few columns); default 1. */
  sizeFactor?: number;
  /** Column names, used only in explanations: grouping/join/sort/window/partition keys. */
  keys?: string[];
  /** groupBy/groupByKey/distinct: estimated number of distinct groups (sets the output size); default: no reduction assumed. */
  distinctGroups?: number;
  /** groupBy/groupByKey/join/window/orderBy/repartition by key: share (0-1) of rows on the most frequent key (for a join: of the left side's rows). */
  hotKeyShare?: number;
  /** join: salting the hot key over this many buckets (≥ 2) divides the hot key's share and replicates the other side. */
  saltBuckets?: number;
  /** repartition/coalesce: the new partition count (repartition may give keys instead: hash partitioning into shufflePartitions). */
  partitions?: number;
  /** join and union: the other side, a shape of its own. */
  right?: ShapeInput;
  /** join: default inner. */
  joinType?: JoinType;
  /** join: a strategy hint on the right side (as in `left.join(broadcast(right))`); default none. */
  hint?: JoinHint;
  /** join: false when the join has no equality condition (a cartesian product). Default true. */
  hasEquiCondition?: boolean;
  /**
   * join: distinct values of the join key on both sides. Given, each key matches left rows / n × right rows / n pairs,
   * so output rows = left rows × right rows / n (many-to-many); absent, the join is assumed many-to-one (stated).
   */
  keyCardinality?: number;
  /** cache: how many later actions read the cached data (0 = cached but never reused). */
  reuseCount?: number;
  /** write: number of distinct values of the partitionBy columns (each task may write one file per value). */
  partitionValues?: number;
}

/** The Spark configuration the plan depends on; every field has Spark's default. */
export interface ShapeConfig {
  /** spark.sql.shuffle.partitions, default 200. */
  shufflePartitions?: number;
  /** spark.sql.adaptive.enabled, default true (Spark 3.2+). */
  adaptiveEnabled?: boolean;
  /** spark.sql.autoBroadcastJoinThreshold in bytes, default 10 MiB; -1 disables broadcasting. */
  autoBroadcastJoinThresholdBytes?: number;
  /** spark.sql.files.maxPartitionBytes, default 128 MiB. */
  maxPartitionBytes?: number;
  /** spark.sql.files.openCostInBytes, default 4 MiB. */
  openCostInBytes?: number;
  /** spark.sql.adaptive.advisoryPartitionSizeInBytes, default 64 MiB. */
  advisoryPartitionSizeBytes?: number;
  /** spark.sql.adaptive.skewJoin.enabled, default true. */
  skewJoinEnabled?: boolean;
  /** spark.sql.adaptive.skewJoin.skewedPartitionFactor, default 5. */
  skewedPartitionFactor?: number;
  /** spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes, default 256 MiB. */
  skewedPartitionThresholdBytes?: number;
  executors?: number;
  coresPerExecutor?: number;
  /** spark.executor.memory in bytes, default 1 GiB (Spark's default); sets the execution memory per task. */
  executorMemoryBytes?: number;
  /** spark.driver.maxResultSize in bytes, default 1 GiB. */
  driverMaxResultSizeBytes?: number;
}

/** The playground's input: where the data starts, what is done to it, and the configuration. */
export interface ShapeInput {
  source: ShapeSource;
  operations: ShapeOperation[];
  /** Only read on the top-level shape; a join's right side uses the top-level config. */
  config?: ShapeConfig;
}

/** A number and, in words, how it was derived from the input (e.g. "10 GiB / 128 MiB = 80 splits"). */
export interface DerivedNumber {
  value: number;
  derivation: string;
}

/** Why a stage starts where it does. */
export interface StageBoundary {
  /** Index in the operation list (of the shape the stage belongs to) of the op that caused the shuffle; null for scans. */
  operationIndex: number | null;
  op: OperationKind | 'scan' | 'broadcast';
  reason: string;
}

/** One planned stage. */
export interface ShapeStage {
  id: number;
  /** Which shape it reads: 'main' or the path of a join/union's right side, e.g. 'right of op 3'. */
  shape: string;
  boundary: StageBoundary;
  /** Indexes of the operations the stage runs, in order. */
  operationIndexes: number[];
  tasks: DerivedNumber;
  inputBytes: DerivedNumber;
  bytesPerTask: DerivedNumber;
  /** Largest partition when a hot key is declared, else equal to bytesPerTask. */
  maxPartitionBytes: DerivedNumber;
  shuffleWriteBytes: DerivedNumber;
  /** Stages whose output this stage reads. */
  parentStageIds: number[];
  /** Bytes a task may spill: its partition beyond its share of execution memory (0 when it fits). */
  spillBytesPerTask: DerivedNumber;
  /** What happens in the stage in words (pipelined ops, coalesce's effect on upstream work, broadcast exchanges, sampling jobs). */
  notes?: string[];
}

/** How a join would be executed and why. */
export interface JoinDecision {
  /** The shape the join is part of: 'main', or a right side such as 'right of op 3'; operationIndex counts within it. */
  shape: string;
  operationIndex: number;
  strategy: 'broadcast_hash' | 'sort_merge' | 'shuffle_hash' | 'broadcast_nested_loop' | 'cartesian';
  /** Which side is broadcast, if any. */
  broadcastSide: 'left' | 'right' | null;
  /** True when the large (left) side crosses a shuffle. */
  shufflesLeft: boolean;
  shufflesRight: boolean;
  reason: string;
}

/** What adaptive query execution would change at runtime. */
export interface AqeAction {
  stageId: number;
  kind: 'coalesce' | 'skew-split' | 'switch-to-broadcast';
  before: DerivedNumber;
  after: DerivedNumber;
  reason: string;
}

/** The playground's answer. */
export interface ShapeResult {
  stages: ShapeStage[];
  joins: JoinDecision[];
  aqe: AqeAction[];
  /** Issue-3 insight types that would apply to this plan, with the shape's numbers as evidence. */
  insights: Insight[];
  /** Bytes brought to the driver by collect(), when the pipeline collects. */
  driverResultBytes: DerivedNumber | null;
  /** Files a write would produce, when the pipeline writes. */
  filesWritten: DerivedNumber | null;
  /** Total bytes crossing shuffles. */
  totalShuffleBytes: DerivedNumber;
  /** Every default or simplification the answer relies on, in words. */
  assumptions: string[];
}
