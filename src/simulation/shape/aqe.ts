/**
 * What adaptive query execution would change once a shuffle's real sizes are known: coalescing small
 * post-shuffle partitions (CoalesceShufflePartitions) and splitting skewed ones in joins (OptimizeSkewedJoin).
 */

import { bytes, derived, formatCount } from './derived.js';
import { AQE_MIN_PARTITION_BYTES, taskSlots, type ResolvedShapeConfig } from './shape-config.js';
import type { DerivedNumber } from './shape-types.js';

/**
 * The size AQE coalesces toward. With coalescePartitions.parallelismFirst (default true) Spark caps the
 * advisory size so the shuffle keeps at least one partition per core: min(advisory, total / cores), at least 1 MiB.
 */
export function coalesceTarget(totalBytes: number, config: ResolvedShapeConfig): DerivedNumber {
  const slots = taskSlots(config);
  const perCore = Math.ceil(totalBytes / slots);
  const value = Math.max(Math.min(config.advisoryPartitionSizeBytes, perCore), AQE_MIN_PARTITION_BYTES);
  return derived(
    value,
    `target = max(min(advisoryPartitionSize ${bytes(config.advisoryPartitionSizeBytes)}, ${bytes(totalBytes)} / ${formatCount(slots)} cores = ${bytes(perCore)}), ` +
      `minPartitionSize ${bytes(AQE_MIN_PARTITION_BYTES)}) = ${bytes(value)}`,
  );
}

/** A coalesce AQE would apply to one shuffle read, or null when it would keep every partition. */
export interface CoalesceResult {
  before: DerivedNumber;
  after: DerivedNumber;
  reason: string;
}

/**
 * Coalescing N post-shuffle partitions holding `totalBytes`, the largest holding `largestBytes` (the rest equal):
 * contiguous partitions are merged while their sum stays under the target; a partition over the target stays alone.
 */
export function coalesceShufflePartitions(totalBytes: number, partitions: number, largestBytes: number, config: ResolvedShapeConfig): CoalesceResult | null {
  if (partitions <= 1) return null;
  const target = coalesceTarget(totalBytes, config);
  const even = totalBytes / partitions;
  const skewed = largestBytes > even * 1.0001 && largestBytes > target.value;
  const restCount = skewed ? partitions - 1 : partitions;
  const restSize = skewed ? (totalBytes - largestBytes) / restCount : even;
  // The epsilon keeps float noise (24.999999 for 25) from costing a partition per group.
  const perGroup = restSize <= 0 ? restCount : Math.max(1, Math.floor(target.value / restSize + 1e-9));
  const groups = Math.ceil(restCount / perGroup) + (skewed ? 1 : 0);
  if (groups >= partitions) return null;
  const before = derived(partitions, `${formatCount(partitions)} shuffle partitions of ${bytes(even)} on average (${bytes(totalBytes)} in all)`);
  const after = derived(
    groups,
    `${target.derivation}; ${formatCount(restCount)} partitions of ${bytes(restSize)} merged ${formatCount(perGroup)} at a time = ${formatCount(Math.ceil(restCount / perGroup))}` +
      (skewed ? ` + the ${bytes(largestBytes)} partition on its own` : '') +
      ` → ${formatCount(groups)} partitions`,
  );
  return {
    before,
    after,
    reason: `AQE coalesces small post-shuffle partitions toward ${bytes(target.value)}: ${formatCount(partitions)} → ${formatCount(groups)} tasks (sizes are this playground's estimates; AQE uses the real map output sizes)`,
  };
}

/** A skew split AQE would apply to one sort-merge (or shuffled hash) join partition. */
export interface SkewSplit {
  splits: number;
  before: DerivedNumber;
  after: DerivedNumber;
  reason: string;
}

/**
 * OptimizeSkewedJoin: a partition is skewed when it is > skewedPartitionFactor × the side's median partition and
 * > skewedPartitionThreshold. It is split by map outputs into pieces of about max(advisory, mean of the non-skewed
 * partitions), at most one piece per map task; the other side's matching partition is read once per piece.
 */
export function skewSplit(partitionBytes: number, medianBytes: number, mapTasks: number, config: ResolvedShapeConfig): SkewSplit | null {
  const factorLimit = config.skewedPartitionFactor * medianBytes;
  if (!(partitionBytes > factorLimit && partitionBytes > config.skewedPartitionThresholdBytes)) return null;
  const target = Math.max(config.advisoryPartitionSizeBytes, medianBytes);
  const splits = Math.min(Math.ceil(partitionBytes / target), mapTasks);
  if (splits <= 1) return null;
  return {
    splits,
    before: derived(
      partitionBytes,
      `the hot partition holds ${bytes(partitionBytes)} > ${config.skewedPartitionFactor} × median ${bytes(medianBytes)} = ${bytes(factorLimit)} ` +
        `and > skewedPartitionThreshold ${bytes(config.skewedPartitionThresholdBytes)}: skewed`,
    ),
    after: derived(
      partitionBytes / splits,
      `split into min(ceil(${bytes(partitionBytes)} / max(advisory ${bytes(config.advisoryPartitionSizeBytes)}, median ${bytes(medianBytes)})), ` +
        `${formatCount(mapTasks)} map tasks) = ${formatCount(splits)} pieces of ${bytes(partitionBytes / splits)}`,
    ),
    reason: `AQE splits the skewed partition into ${formatCount(splits)} tasks and reads the other side's matching partition once per piece`,
  };
}
