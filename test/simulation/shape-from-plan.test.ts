import { describe, expect, it } from 'vitest';
import { configFromProperties, parseByteString, shapeFromPlan } from '../../src/simulation/shape/shape-from-plan.js';
import type { SparkPlanInfo } from '../../src/store/sql-plan-store.js';

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

/** Builds plan nodes with metrics whose values sit in one map, accumulator ids in order. */
function planBuilder() {
  const values = new Map<number, bigint>();
  let next = 1;
  const node = (nodeName: string, simpleString: string, metrics: Record<string, number>, children: SparkPlanInfo[] = []): SparkPlanInfo => ({
    nodeName,
    simpleString,
    children,
    metrics: Object.entries(metrics).map(([name, value]) => {
      const accumulatorId = next++;
      values.set(accumulatorId, BigInt(value));
      return { name, accumulatorId, metricType: 'sum' };
    }),
  });
  return { node, values };
}

describe('shapeFromPlan: a shape from a logged physical plan', () => {
  it('turns scan, filter, sort-merge join, partial and final aggregate, exchanges and write into operations with measured sizes', () => {
    const { node, values } = planBuilder();
    const scan = (files: number, bytes: number, rows: number) => node('Scan parquet ', 'FileScan parquet [a#1]', { 'number of files read': files, 'size of files read': bytes, 'number of output rows': rows });
    const orders = node('Filter', 'Filter isnotnull(c#1)', { 'number of output rows': 80_000_000 }, [scan(800, 100 * GiB, 100_000_000)]);
    const customers = scan(16, 2 * GiB, 10_000_000);
    const side = (child: SparkPlanInfo, key: string) =>
      node('Sort', `Sort [${key} ASC NULLS FIRST], false, 0`, {}, [node('Exchange', `Exchange hashpartitioning(${key}, 400), ENSURE_REQUIREMENTS`, {}, [child])]);
    const join = node('SortMergeJoin', 'SortMergeJoin [c#1], [c#2], Inner', { 'number of output rows': 80_000_000 }, [side(orders, 'c#1'), side(customers, 'c#2')]);
    const partial = node('HashAggregate', 'HashAggregate(keys=[segment#9], functions=[partial_sum(x#3)])', { 'number of output rows': 4000 }, [join]);
    const final = node('HashAggregate', 'HashAggregate(keys=[segment#9], functions=[sum(x#3)])', { 'number of output rows': 20 }, [
      node('AQEShuffleRead', 'AQEShuffleRead coalesced', {}, [node('ShuffleQueryStage', 'ShuffleQueryStage 2', {}, [node('Exchange', 'Exchange hashpartitioning(segment#9, 400), ENSURE_REQUIREMENTS', {}, [partial])])]),
    ]);
    const plan = node('AdaptiveSparkPlan', 'AdaptiveSparkPlan isFinalPlan=true', {}, [
      node('Execute InsertIntoHadoopFsRelationCommand', 'Execute InsertIntoHadoopFsRelationCommand s3://out', { 'number of written files': 20, 'number of dynamic part': 0 }, [
        node('WriteFiles', 'WriteFiles', {}, [node('WholeStageCodegen (3)', 'WholeStageCodegen (3)', {}, [final])]),
      ]),
    ]);
    const derived = shapeFromPlan({
      plan,
      metricValues: values,
      sparkProperties: { 'spark.sql.shuffle.partitions': '400', 'spark.executor.memory': '16g' },
      sparkVersion: '3.5.1',
      executors: 10,
      coresPerExecutor: 4,
    });
    expect(derived.shape.source).toEqual({ kind: 'files', totalBytes: 100 * GiB, fileCount: 800, format: 'parquet', rowCount: 100_000_000 });
    expect(derived.shape.operations.map((operation) => operation.op)).toEqual(['filter', 'join', 'groupBy', 'write']);
    expect(derived.shape.operations[0]!.selectivity).toBeCloseTo(0.8, 10);
    const joinOp = derived.shape.operations[1]!;
    expect(joinOp).toMatchObject({ keys: ['c'], right: { source: { kind: 'files', totalBytes: 2 * GiB, fileCount: 16 } } });
    expect(joinOp.selectivity).toBeCloseTo(80_000_000 / (80_000_000 * 10_000_000), 15);
    expect(derived.shape.operations[2]).toEqual({ op: 'groupBy', keys: ['segment'], distinctGroups: 20 });
    expect(derived.shape.config).toMatchObject({ shufflePartitions: 400, adaptiveEnabled: true, executors: 10, coresPerExecutor: 4, executorMemoryBytes: 16 * GiB });
    expect(derived.planJoins).toEqual(['sort_merge']);
    expect(derived.planShuffles).toBe(3);
    expect(derived.notModelled).toEqual([]);
  });

  it('reads the application\'s configuration with the defaults of its Spark version', () => {
    const assumed: string[] = [];
    expect(configFromProperties({ sparkProperties: {}, sparkVersion: '3.1.2', executors: 2, coresPerExecutor: 4 }, (text) => assumed.push(text)).adaptiveEnabled).toBe(false);
    expect(configFromProperties({ sparkProperties: {}, sparkVersion: '3.2.0', executors: 2, coresPerExecutor: 4 }, () => {}).adaptiveEnabled).toBe(true);
    expect(assumed.join(' ')).toContain('Spark 3.1.2 default false');
    expect(configFromProperties({ sparkProperties: { 'spark.sql.autoBroadcastJoinThreshold': '-1' }, sparkVersion: '3.5.0', executors: 1, coresPerExecutor: 1 }, () => {}).autoBroadcastJoinThresholdBytes).toBe(-1);
    expect(parseByteString('512m')).toBe(512 * MiB);
    expect(parseByteString('10485760')).toBe(10 * MiB);
    expect(parseByteString('lots')).toBeNull();
  });

  it('names plan nodes it has no operation for, and sizes a source without file metrics from its rows', () => {
    const { node, values } = planBuilder();
    const plan = node('CollectLimit', 'CollectLimit 20', {}, [node('Range', 'Range (0, 1000, step=1, splits=4)', { 'number of output rows': 1000 })]);
    const derived = shapeFromPlan({ plan, metricValues: values, sparkProperties: {}, sparkVersion: '3.5.0', executors: 1, coresPerExecutor: 4 });
    expect(derived.shape.source).toEqual({ kind: 'table', totalBytes: 100_000, partitions: 4, rowCount: 1000 });
    expect(derived.notModelled).toEqual(['CollectLimit', 'Range (no file metrics: sized as 1000 rows of 100 B in 4 partitions)']);
  });
});
