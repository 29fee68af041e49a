import { Field, Float, InputType, Int, registerEnumType } from 'type-graphql';
import type { OperationKind, JoinHint, JoinType } from '../../simulation/shape/shape-types.js';

/*
 * Byte sizes in the playground are Float (IEEE doubles, exact to 2^53 bytes = 8 PiB): they are estimates, often
 * fractional after a selectivity, and commonly pass Int's 2^31. Counts that stay small (partitions, files) are Int.
 */

/** The operations of a shape (GraphQL names in UPPER_CASE, values the playground's op names). */
export enum ShapeOperationKind {
  FILTER = 'filter',
  SELECT = 'select',
  WITH_COLUMN = 'withColumn',
  MAP = 'map',
  GROUP_BY = 'groupBy',
  GROUP_BY_KEY = 'groupByKey',
  DISTINCT = 'distinct',
  JOIN = 'join',
  REPARTITION = 'repartition',
  COALESCE = 'coalesce',
  ORDER_BY = 'orderBy',
  WINDOW = 'window',
  UNION = 'union',
  CACHE = 'cache',
  COLLECT = 'collect',
  WRITE = 'write',
}
registerEnumType(ShapeOperationKind, {
  name: 'ShapeOperationKind',
  description:
    'A DataFrame operation. GROUP_BY is groupBy/agg (partial aggregation before the shuffle); GROUP_BY_KEY is the RDD/Dataset one ' +
    '(every row crosses the shuffle). COLLECT and WRITE are actions and must come last.',
});

/** Join strategy hints. */
export enum ShapeJoinHint {
  NONE = 'none',
  BROADCAST = 'broadcast',
  MERGE = 'merge',
  SHUFFLE_HASH = 'shuffle_hash',
  SHUFFLE_REPLICATE_NL = 'shuffle_replicate_nl',
}
registerEnumType(ShapeJoinHint, { name: 'ShapeJoinHint', description: "Spark's join strategy hints, applied to the right side (as in left.join(broadcast(right)))." });

/** Join types. */
export enum ShapeJoinType {
  INNER = 'inner',
  LEFT = 'left',
  RIGHT = 'right',
  FULL = 'full',
  LEFT_SEMI = 'left_semi',
  LEFT_ANTI = 'left_anti',
  CROSS = 'cross',
}
registerEnumType(ShapeJoinType, { name: 'ShapeJoinType', description: 'Join types; they decide which side may be broadcast.' });

/** Where a shape's data comes from. */
export enum ShapeSourceKind {
  FILES = 'files',
  TABLE = 'table',
}
registerEnumType(ShapeSourceKind, { name: 'ShapeSourceKind', description: 'FILES: files on storage, split by Spark; TABLE: data already in known partitions.' });

/** File formats (gzip-csv cannot be split). */
export enum ShapeFileFormat {
  PARQUET = 'parquet',
  ORC = 'orc',
  CSV = 'csv',
  JSON = 'json',
  DELTA = 'delta',
  TEXT = 'text',
  GZIP_CSV = 'gzip-csv',
}
registerEnumType(ShapeFileFormat, { name: 'ShapeFileFormat', description: 'File formats; GZIP_CSV files cannot be split, so one task reads a whole file.' });

/** Compile-time checks that the GraphQL enums carry exactly the playground's values. */
type SameValues<A extends string, B extends string> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const operationKindsMatch: SameValues<`${ShapeOperationKind}`, OperationKind> = true;
const joinHintsMatch: SameValues<`${ShapeJoinHint}`, JoinHint> = true;
const joinTypesMatch: SameValues<`${ShapeJoinType}`, JoinType> = true;
void operationKindsMatch;
void joinHintsMatch;
void joinTypesMatch;

/** The source of a shape. */
@InputType({ description: 'Where the data comes from. FILES takes fileCount (and format); TABLE takes partitions. Other fields are rejected.' })
export class ShapeSourceInput {
  @Field(() => ShapeSourceKind)
  kind!: ShapeSourceKind;

  @Field(() => Float, { description: 'Total bytes (on storage for files), ≥ 0.' })
  totalBytes!: number;

  @Field(() => Int, { nullable: true, description: 'FILES: how many files (assumed equal in size).' })
  fileCount?: number | null;

  @Field(() => ShapeFileFormat, { nullable: true, description: 'FILES: default PARQUET.' })
  format?: ShapeFileFormat | null;

  @Field(() => Int, { nullable: true, description: 'TABLE: its partition count.' })
  partitions?: number | null;

  @Field(() => Float, { nullable: true, description: 'Rows in the source; default: rows of 100 B (stated as an assumption).' })
  rowCount?: number | null;

  @Field(() => Float, { nullable: true, description: 'FILES (PARQUET/DELTA): row-group size in bytes (parquet.block.size, default 128 MiB).' })
  rowGroupBytes?: number | null;
}

/** One operation. */
@InputType({ description: 'One step of the pipeline. Only the fields that apply to `op` may be set; validation names any other.' })
export class ShapeOperationInput {
  @Field(() => ShapeOperationKind)
  op!: ShapeOperationKind;

  @Field(() => Float, { nullable: true, description: 'FILTER: fraction of rows kept, (0, 1]; default 0.5. JOIN: output rows / (left rows × right rows) for the whole join condition; default from the keys (or the full product without an equality).' })
  selectivity?: number | null;

  @Field(() => Float, { nullable: true, description: 'SELECT/WITH_COLUMN/MAP: output bytes per input byte; default 1.' })
  sizeFactor?: number | null;

  @Field(() => [String], { nullable: true, description: 'Grouping/join/sort/window/partitionBy columns (names only explain; a window without keys has one partition).' })
  keys?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'GROUP_BY/GROUP_BY_KEY/DISTINCT: number of groups.' })
  distinctGroups?: number | null;

  @Field(() => Float, { nullable: true, description: 'Share (0, 1] of rows on the most frequent key (for a join: of the left side).' })
  hotKeyShare?: number | null;

  @Field(() => Int, { nullable: true, description: 'JOIN: salt the hot key over this many buckets (≥ 2); the right side is replicated as many times.' })
  saltBuckets?: number | null;

  @Field(() => Int, { nullable: true, description: 'REPARTITION/COALESCE: the new partition count.' })
  partitions?: number | null;

  // `| null` keeps the emitted design type Object: ShapeInputType is declared below this class.
  @Field(() => ShapeInputType, { nullable: true, description: 'JOIN/UNION: the other side, a shape of its own (no config).' })
  right?: ShapeInputType | null;

  @Field(() => ShapeJoinType, { nullable: true, description: 'JOIN: default INNER.' })
  joinType?: ShapeJoinType | null;

  @Field(() => ShapeJoinHint, { nullable: true, description: 'JOIN: default NONE.' })
  hint?: ShapeJoinHint | null;

  @Field(() => Boolean, { nullable: true, description: 'JOIN: false for a join without an equality condition; default true.' })
  hasEquiCondition?: boolean | null;

  @Field(() => Float, { nullable: true, description: 'JOIN: distinct join-key values on both sides; output rows = left × right / keyCardinality (many-to-many). Default: many-to-one.' })
  keyCardinality?: number | null;

  @Field(() => Int, { nullable: true, description: 'CACHE: how many later actions read the cache (0 = never).' })
  reuseCount?: number | null;

  @Field(() => Int, { nullable: true, description: 'WRITE: distinct values of the partitionBy columns.' })
  partitionValues?: number | null;
}

/** The Spark configuration of a shape; unset fields take Spark 3.5's defaults. */
@InputType({ description: "Spark settings; every unset field takes Spark 3.5's default, listed in the answer's assumptions." })
export class ShapeConfigInput {
  @Field(() => Int, { nullable: true, description: 'spark.sql.shuffle.partitions (200).' })
  shufflePartitions?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'spark.sql.adaptive.enabled (true).' })
  adaptiveEnabled?: boolean | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.autoBroadcastJoinThreshold in bytes (10 MiB); -1 disables.' })
  autoBroadcastJoinThresholdBytes?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.files.maxPartitionBytes (128 MiB).' })
  maxPartitionBytes?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.files.openCostInBytes (4 MiB).' })
  openCostInBytes?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.adaptive.advisoryPartitionSizeInBytes (64 MiB).' })
  advisoryPartitionSizeBytes?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'spark.sql.adaptive.skewJoin.enabled (true).' })
  skewJoinEnabled?: boolean | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.adaptive.skewJoin.skewedPartitionFactor (5).' })
  skewedPartitionFactor?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.sql.adaptive.skewJoin.skewedPartitionThresholdInBytes (256 MiB).' })
  skewedPartitionThresholdBytes?: number | null;

  @Field(() => Int, { nullable: true, description: 'spark.executor.instances (2).' })
  executors?: number | null;

  @Field(() => Int, { nullable: true, description: 'spark.executor.cores (1).' })
  coresPerExecutor?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.executor.memory in bytes (1 GiB).' })
  executorMemoryBytes?: number | null;

  @Field(() => Float, { nullable: true, description: 'spark.driver.maxResultSize in bytes (1 GiB).' })
  driverMaxResultSizeBytes?: number | null;
}

/** A shape: a source, its operations and (top level only) the configuration. */
@InputType('ShapeInput', { description: 'A DataFrame shape: a source, a chain of operations and, at the top level only, the Spark configuration.' })
export class ShapeInputType {
  @Field(() => ShapeSourceInput)
  source!: ShapeSourceInput;

  @Field(() => [ShapeOperationInput])
  operations!: ShapeOperationInput[];

  @Field(() => ShapeConfigInput, { nullable: true })
  config?: ShapeConfigInput | null;
}

/** A GraphQL value as plain JSON: objects without null fields (GraphQL's "not given"), so validation sees what the client set. */
export function toPlainShapeInput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toPlainShapeInput);
  if (typeof value !== 'object' || value === null) return value;
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== null && field !== undefined) plain[key] = toPlainShapeInput(field);
  }
  return plain;
}

/** A stored SQL execution to derive a shape from. */
@InputType({ description: 'A stored SQL execution whose physical plan, measured sizes and configuration become the shape.' })
export class ShapeFromLogInput {
  @Field(() => String, { description: 'The application id (or appId/attemptId).' })
  appId!: string;

  @Field(() => Int)
  sqlExecutionId!: number;
}
