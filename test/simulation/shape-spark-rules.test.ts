import { describe, expect, it } from 'vitest';
import type { ShapeInput, ShapeResult } from '../../src/simulation/shape/shape-types.js';
import { GiB, MiB, plan, table } from '../helpers/shape-playground.js';

/** Every ratio of largest to typical partition the plan implies (the metric learners read). */
function ratios(result: ShapeResult): number[] {
  return result.stages.map((stage) => stage.maxPartitionBytes.value / Math.max(1, stage.bytesPerTask.value));
}

const cluster = { executors: 10, coresPerExecutor: 4, executorMemoryBytes: 16 * GiB };

describe('the shape playground follows Spark rules', () => {
  it('UnifiedMemoryManager.computeMaxExecutionPoolSize: a task may grow to (heap − 300 MiB) × 0.6 / cores, with no further halving', () => {
    // 400 partitions of 1 GiB on 2-core executors with 8 GiB: (8 GiB − 300 MiB) × 0.6 / 2 = 2.37 GiB per task fits 1 GiB.
    const input: ShapeInput = {
      source: table(400 * GiB, 800),
      operations: [{ op: 'groupByKey', keys: ['k'] }],
      config: { shufflePartitions: 400, adaptiveEnabled: false, executors: 20, coresPerExecutor: 2, executorMemoryBytes: 8 * GiB },
    };
    const result = plan(input);
    expect(result.stages[1]!.maxPartitionBytes.value).toBe(GiB);
    expect(result.stages[1]!.spillBytesPerTask.value).toBe(0);
    expect(result.stages[1]!.spillBytesPerTask.derivation).toContain('UnifiedMemoryManager');
  });

  it('UnifiedMemoryManager: cached blocks up to spark.memory.storageFraction are kept from execution', () => {
    const base: ShapeInput = {
      source: table(40 * GiB, 320),
      operations: [{ op: 'groupByKey', keys: ['k'] }],
      config: { shufflePartitions: 64, adaptiveEnabled: false, executors: 4, coresPerExecutor: 4, executorMemoryBytes: 4 * GiB },
    };
    const plain = plan(base);
    const cached = plan({ ...base, operations: [{ op: 'cache', reuseCount: 1 }, ...base.operations] });
    const unified = (4 * GiB - 300 * MiB) * 0.6;
    // 40 GiB cached over 4 executors is more than half the unified region: execution keeps only the other half.
    expect(plain.stages[1]!.spillBytesPerTask.value).toBeCloseTo(640 * MiB - unified / 4, 0);
    expect(cached.stages[1]!.spillBytesPerTask.value).toBeCloseTo(640 * MiB - unified / 2 / 4, 0);
    expect(cached.stages[1]!.spillBytesPerTask.derivation).toContain('cached blocks execution cannot evict');
  });

  it('SortShuffleManager.shouldBypassMergeSort: a shuffle write into ≤ 200 partitions (spark.shuffle.sort.bypassMergeThreshold) buffers nothing', () => {
    const input = (partitions: number): ShapeInput => ({
      source: table(64 * GiB, 8),
      operations: [{ op: 'repartition', partitions }],
      config: { executors: 2, coresPerExecutor: 4, executorMemoryBytes: 4 * GiB },
    });
    const bypass = plan(input(200));
    expect(bypass.stages[0]!.spillBytesPerTask.value).toBe(0);
    expect(bypass.stages[0]!.spillBytesPerTask.derivation).toContain('bypass-merge-sort writer');
    const sorted = plan(input(201));
    expect(sorted.stages[0]!.spillBytesPerTask.value).toBeGreaterThan(0);
    expect(sorted.stages[0]!.spillBytesPerTask.derivation).toContain('> spark.shuffle.sort.bypassMergeThreshold 200');
  });

  it('ShuffledHashJoinExec holds only its build side in memory', () => {
    const input = (hint: 'merge' | 'shuffle_hash'): ShapeInput => ({
      source: table(400 * GiB, 3200),
      operations: [{ op: 'join', keys: ['id'], hint, right: { source: table(20 * GiB, 160), operations: [] } }],
      config: { ...cluster, shufflePartitions: 400, adaptiveEnabled: false },
    });
    const merge = plan(input('merge')).stages.at(-1)!;
    const hash = plan(input('shuffle_hash')).stages.at(-1)!;
    // Sort-merge sorts both sides' partitions: 1 GiB + 51.2 MiB; the hash join holds the right side's 51.2 MiB only.
    expect(merge.spillBytesPerTask.derivation).toContain('largest input partition');
    expect(hash.spillBytesPerTask.derivation).toContain('right (build) side');
    expect(hash.spillBytesPerTask.derivation).toContain('about 51 MB');
    expect(hash.spillBytesPerTask.value).toBe(0);
  });

  it('FileFormatWriter writes no file for an empty partition: 20 groups over 200 partitions write 20 files', () => {
    const result = plan({
      source: table(10 * GiB, 80, 100_000_000),
      operations: [{ op: 'groupBy', keys: ['country'], distinctGroups: 20 }, { op: 'write' }],
      config: { ...cluster, adaptiveEnabled: false },
    });
    expect(result.stages.at(-1)!.tasks.value).toBe(200);
    expect(result.filesWritten!.value).toBe(20);
    expect(result.filesWritten!.derivation).toContain('writes no file for an empty partition');
  });

  it('FileFormatWriter: at most one file per non-empty partition and value, never more files than rows, each at least a row', () => {
    const result = plan({
      source: table(2 * MiB, 200, 20_000),
      operations: [{ op: 'write', keys: ['day'], partitionValues: 365 }],
      config: cluster,
    });
    const files = result.filesWritten!.value;
    expect(files).toBeLessThanOrEqual(20_000);
    expect(files).toBeLessThanOrEqual(200 * 365);
    expect((2 * MiB) / files).toBeGreaterThanOrEqual(100);
    // 100 rows per task over 365 values: about 87 distinct values each, not 100.
    expect(files).toBe(200 * 88);
  });

  it('EnsureRequirements: a side already hash-partitioned by the join keys is not shuffled again', () => {
    const result = plan({
      source: table(100 * GiB, 800),
      operations: [
        { op: 'groupBy', keys: ['customer_id'], distinctGroups: 50_000_000 },
        { op: 'join', keys: ['customer_id'], right: { source: table(20 * GiB, 160), operations: [] } },
      ],
      config: { ...cluster, adaptiveEnabled: false },
    });
    const join = result.joins[0]!;
    expect(join.strategy).toBe('sort_merge');
    expect(join.shufflesLeft).toBe(false);
    expect(join.shufflesRight).toBe(true);
    expect(join.reason).toContain('EnsureRequirements');
    // Two shuffles (the aggregation's and the right side's), not three.
    expect(result.stages.filter((stage) => stage.shuffleWriteBytes.value > 0)).toHaveLength(2);
    expect(result.stages).toHaveLength(3);
  });

  it('spark.sql.requireAllClusterKeysForCoPartition: partitioning on a subset of the join keys is shuffled again', () => {
    const result = plan({
      source: table(100 * GiB, 800),
      operations: [
        { op: 'groupBy', keys: ['item'], distinctGroups: 50_000_000 },
        { op: 'join', keys: ['item', 'order'], right: { source: table(20 * GiB, 160), operations: [] } },
      ],
      config: { ...cluster, adaptiveEnabled: false },
    });
    expect(result.joins[0]).toMatchObject({ strategy: 'sort_merge', shufflesLeft: true, shufflesRight: true });
  });

  it('spark.sql.execution.rangeExchange.sampleSizePerPartition: a range exchange samples 100 rows per output partition', () => {
    const result = plan({ source: table(10 * GiB, 80), operations: [{ op: 'orderBy', keys: ['ts'] }], config: cluster });
    const note = result.stages[1]!.notes!.join(' ');
    expect(note).toContain('sampleSizePerPartition 100 × 200 partitions, 1,000,000) = 20,000 rows');
    expect(note).toContain('750 rows from each input partition');
  });

  it('OptimizeShuffleWithLocalRead: each of M map outputs is read by floor(P / M) tasks', () => {
    const result = plan({
      source: table(100 * GiB, 40),
      operations: [{ op: 'join', keys: ['id'], right: { source: table(400 * MiB, 4), operations: [{ op: 'filter', selectivity: 0.01 }] } }],
      config: { ...cluster, shufflePartitions: 200 },
    });
    expect(result.aqe.map((action) => action.kind)).toContain('switch-to-broadcast');
    const joined = result.stages.at(-1)!;
    // AQE coalesces the 100 GiB to 200 partitions of 512 MiB? No: the target is min(64 MiB, 100 GiB / 40 cores) = 64 MiB, so 200 stay; 200 ≥ 40 maps → 40 × 5.
    expect(joined.tasks.value).toBe(200);
    expect(joined.tasks.derivation).toContain('floor(200 / 40) = 5 tasks');
    const fewReducers = plan({
      source: table(100 * GiB, 400),
      operations: [{ op: 'join', keys: ['id'], right: { source: table(400 * MiB, 4), operations: [{ op: 'filter', selectivity: 0.01 }] } }],
      config: { ...cluster, shufflePartitions: 200 },
    });
    expect(fewReducers.stages.at(-1)!.tasks.value).toBe(200);
    expect(fewReducers.stages.at(-1)!.tasks.derivation).toContain('grouped into 200 tasks');
  });

  it('join cardinality: a declared key cardinality makes a many-to-many join output left × right / keys rows', () => {
    const input = (keyCardinality?: number): ShapeInput => ({
      source: table(10 * GiB, 80, 100_000_000),
      operations: [
        {
          op: 'join',
          keys: ['session'],
          ...(keyCardinality === undefined ? {} : { keyCardinality }),
          right: { source: table(GiB, 8, 10_000_000), operations: [] },
        },
        { op: 'collect' },
      ],
      config: { ...cluster, adaptiveEnabled: false },
    });
    const manyToOne = plan(input());
    expect(manyToOne.assumptions.join(' ')).toContain('many-to-one');
    const manyToMany = plan(input(1_000_000));
    // 1e8 × 1e7 / 1e6 = 1e9 rows of (~107 B + ~107 B).
    const rowWidth = (10 * GiB) / 100_000_000 + GiB / 10_000_000;
    expect(manyToMany.driverResultBytes!.value).toBeCloseTo(1e9 * rowWidth, -3);
    expect(manyToMany.driverResultBytes!.derivation).toContain('1,000,000 distinct join keys');
  });

  it('a join condition keeps only its selectivity of the compared pairs (a range join is not the full product)', () => {
    const input = (selectivity?: number): ShapeInput => ({
      source: table(GiB, 8, 1_000_000),
      operations: [
        { op: 'join', hasEquiCondition: false, ...(selectivity === undefined ? {} : { selectivity }), right: { source: table(100 * MiB, 1, 100_000), operations: [] } },
        { op: 'collect' },
      ],
      config: cluster,
    });
    const width = GiB / 1_000_000 + (100 * MiB) / 100_000;
    const kept = plan(input(0.0001)).driverResultBytes!;
    expect(kept.value).toBeCloseTo(1_000_000 * 100_000 * 0.0001 * width, -3);
    expect(kept.derivation).toContain('selectivity 0.0001');
    expect(plan(input()).driverResultBytes!.value).toBeCloseTo(1_000_000 * 100_000 * width, -6);
  });

  it('ParquetFileFormat: a split reads only the row groups whose midpoint it holds', () => {
    // 8 files of 1 GiB, split at 64 MiB (maxPartitionBytes) with 128 MiB row groups: half the splits read nothing.
    const result = plan({
      source: { kind: 'files', totalBytes: 8 * GiB, fileCount: 8, format: 'parquet' },
      operations: [{ op: 'write' }],
      config: { ...cluster, maxPartitionBytes: 64 * MiB },
    });
    const scan = result.stages[0]!;
    expect(scan.tasks.value).toBe(128);
    expect(scan.maxPartitionBytes.value).toBe(128 * MiB);
    expect(scan.tasks.derivation).toContain('8 of each file');
    const small = plan({
      source: { kind: 'files', totalBytes: 8 * GiB, fileCount: 8, format: 'parquet', rowGroupBytes: 32 * MiB },
      operations: [{ op: 'write' }],
      config: { ...cluster, maxPartitionBytes: 64 * MiB },
    });
    expect(small.stages[0]!.maxPartitionBytes.value).toBe(64 * MiB);
  });

  it('never prints an impossible ratio: the largest partition is at least the typical one in every stage', () => {
    const shapes: ShapeInput[] = [
      {
        source: table(200 * GiB, 1600),
        operations: [{ op: 'join', keys: ['c'], hotKeyShare: 0.3, right: { source: table(40 * GiB, 320), operations: [] } }, { op: 'write' }],
        config: cluster,
      },
      { source: table(10 * GiB, 80), operations: [{ op: 'repartition', partitions: 7 }, { op: 'coalesce', partitions: 3 }, { op: 'write' }], config: cluster },
      { source: { kind: 'files', totalBytes: 8 * GiB, fileCount: 8 }, operations: [{ op: 'write' }], config: { ...cluster, maxPartitionBytes: 64 * MiB } },
    ];
    for (const input of shapes) for (const ratio of ratios(plan(input))) expect(ratio).toBeGreaterThanOrEqual(0.999);
  });
});
