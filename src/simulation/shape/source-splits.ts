/**
 * How a scan's data becomes partitions. Files follow Spark's FilePartition logic: a split size from
 * maxPartitionBytes, openCostInBytes and the cores, files cut into splits (unless the format cannot be split),
 * then splits packed into partitions "next fit decreasing", each file charged its open cost.
 */

import { bytes, derived, formatCount, plural } from './derived.js';
import { DEFAULT_PARQUET_ROW_GROUP_BYTES, taskSlots, type ResolvedShapeConfig } from './shape-config.js';
import type { DerivedNumber, ShapeSource } from './shape-types.js';

/** The partitions a scan reads. */
export interface SourcePartitions {
  tasks: DerivedNumber;
  /** How the boundary reason describes the read. */
  description: string;
  /** Largest partition in bytes (files are assumed equal in size). */
  largestPartitionBytes: number;
  assumptions: string[];
}

/** Formats stored as Parquet row groups. */
const parquetFormats = new Set(['parquet', 'delta']);

/** Formats whose files Spark cannot cut: one task reads a whole compressed file. */
const nonSplittableFormats = new Set(['gzip-csv']);

/** Spark's FilePartition.maxSplitBytes: min(maxPartitionBytes, max(openCost, (total + files × openCost) / parallelism)). */
export function maxSplitBytes(totalBytes: number, fileCount: number, config: ResolvedShapeConfig): DerivedNumber {
  const slots = taskSlots(config);
  const bytesPerCore = (totalBytes + fileCount * config.openCostInBytes) / slots;
  const value = Math.min(config.maxPartitionBytes, Math.max(config.openCostInBytes, bytesPerCore));
  return derived(
    value,
    `maxSplitBytes = min(maxPartitionBytes ${bytes(config.maxPartitionBytes)}, max(openCostInBytes ${bytes(config.openCostInBytes)}, ` +
      `bytesPerCore (${bytes(totalBytes)} + ${plural(fileCount, 'file')} × ${bytes(config.openCostInBytes)}) / ${formatCount(slots)} cores = ` +
      `${bytes(bytesPerCore)})) = ${bytes(value)}`,
  );
}

/** How many equal splits of `size` one partition takes under next-fit packing: add while current + size ≤ max, each add costs size + openCost. */
function splitsPerPartition(size: number, maxSplit: number, openCost: number): number {
  if (size >= maxSplit) return 1;
  return Math.floor((maxSplit - size) / (size + openCost)) + 1;
}

/** The partitions of a file or table source, with the arithmetic in words. */
export function sourcePartitions(source: ShapeSource, config: ResolvedShapeConfig): SourcePartitions {
  if (source.kind === 'table') {
    return {
      tasks: derived(source.partitions, `the table is given with ${formatCount(source.partitions)} partitions; a scan keeps them`),
      description: `reads a table of ${bytes(source.totalBytes)} in ${formatCount(source.partitions)} partitions`,
      largestPartitionBytes: source.totalBytes / source.partitions,
      assumptions: [`The table's ${formatCount(source.partitions)} partitions are assumed equal in size (${bytes(source.totalBytes / source.partitions)} each).`],
    };
  }
  const format = source.format ?? 'parquet';
  const fileSize = source.totalBytes / source.fileCount;
  const assumptions = [
    (source.fileCount === 1
      ? `One file of ${bytes(source.totalBytes)}`
      : `The ${plural(source.fileCount, 'file')} are assumed equal in size: ${bytes(source.totalBytes)} / ${formatCount(source.fileCount)} = ${bytes(fileSize)} each`) +
      (source.format === undefined ? '; format parquet assumed (splittable).' : '.'),
  ];
  const description = `reads ${plural(source.fileCount, `${format} file`)} (${bytes(source.totalBytes)})`;
  if (source.totalBytes === 0) {
    return {
      tasks: derived(1, 'the files are empty: planned as 1 task that reads nothing (Spark may plan no task at all)'),
      description,
      largestPartitionBytes: 0,
      assumptions,
    };
  }
  const split = maxSplitBytes(source.totalBytes, source.fileCount, config);
  const splittable = !nonSplittableFormats.has(format);
  let fullChunksPerFile: number;
  let remainder: number;
  let cutting: string;
  if (!splittable) {
    fullChunksPerFile = 0;
    remainder = fileSize;
    cutting = `${format} files cannot be split, so each file is one split of ${bytes(fileSize)}` +
      (fileSize > split.value ? ` (larger than maxSplitBytes: one task reads a whole file)` : '');
  } else if (fileSize <= split.value) {
    fullChunksPerFile = 0;
    remainder = fileSize;
    cutting = `each ${bytes(fileSize)} file fits in one split`;
  } else {
    fullChunksPerFile = Math.floor(fileSize / split.value);
    remainder = fileSize - fullChunksPerFile * split.value;
    // A remainder smaller than a byte is rounding noise of equal-size files, not a split of its own.
    if (remainder < 1) remainder = 0;
    cutting = `each ${bytes(fileSize)} file is cut into ${plural(fullChunksPerFile, 'split')} of ${bytes(split.value)}` +
      (remainder > 0 ? ` plus one of ${bytes(remainder)}` : '');
  }
  const fullPartitions = fullChunksPerFile * source.fileCount;
  let packedPartitions = 0;
  let packing = '';
  if (remainder > 0) {
    const perPartition = splitsPerPartition(remainder, split.value, config.openCostInBytes);
    packedPartitions = Math.ceil(source.fileCount / perPartition);
    packing =
      perPartition === 1
        ? `${plural(source.fileCount, 'split')} of ${bytes(remainder)}, one per partition`
        : `${plural(source.fileCount, 'split')} of ${bytes(remainder)} packed ${formatCount(perPartition)} per partition ` +
          `(each costs its size + openCost ${bytes(config.openCostInBytes)}, up to maxSplitBytes) = ${formatCount(packedPartitions)} partitions`;
  }
  const tasks = fullPartitions + packedPartitions;
  const parts = [fullPartitions > 0 ? `${plural(fullPartitions, 'full split')}, one per partition` : '', packing].filter(Boolean);
  let largest = fullChunksPerFile > 0 ? split.value : Math.min(source.fileCount, splitsPerPartition(remainder, split.value, config.openCostInBytes)) * remainder;
  let rowGroups = '';
  const rowGroup = source.rowGroupBytes ?? DEFAULT_PARQUET_ROW_GROUP_BYTES;
  if (splittable && parquetFormats.has(format) && fullChunksPerFile > 0 && rowGroup > split.value) {
    // ParquetFileFormat reads in a split only the row groups whose midpoint falls in it: with row groups larger than
    // the split, some splits read nothing and others a whole row group.
    const groupsPerFile = Math.ceil(fileSize / rowGroup);
    const splitsPerFile = fullChunksPerFile + (remainder > 0 ? 1 : 0);
    largest = Math.min(rowGroup, fileSize);
    rowGroups =
      `; row groups of ${bytes(rowGroup)}${source.rowGroupBytes === undefined ? ' (parquet.block.size default, assumed)' : ''} are larger than a split and a split reads only the row groups whose midpoint it holds: ` +
      `${formatCount(Math.min(groupsPerFile, splitsPerFile))} of each file's ${formatCount(splitsPerFile)} splits read a row group of up to ${bytes(largest)}, the others read nothing`;
  }
  return {
    tasks: derived(tasks, `${split.derivation}; ${cutting}; ${parts.join(' + ')} → ${plural(tasks, 'task')}${rowGroups}`),
    description,
    largestPartitionBytes: largest,
    assumptions,
  };
}
