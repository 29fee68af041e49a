import { describe, expect, it } from 'vitest';
import { promisesIn } from '../../src/analysis/insight.js';
import { simulateShape } from '../../src/simulation/shape/shape-simulator.js';
import type { ShapeInput, ShapeOperation } from '../../src/simulation/shape/shape-types.js';
import { derivedNumbers, GiB, MiB, plan, table } from '../helpers/shape-playground.js';

describe('shape playground: memory, driver and files', () => {
  it('estimates spill beyond (executor memory − 300 MiB) × 0.6 / cores per task (UnifiedMemoryManager)', () => {
    const result = plan({ source: table(4 * GiB, 8), operations: [{ op: 'orderBy', keys: ['ts'] }], config: { shufflePartitions: 8, adaptiveEnabled: false } });
    const perTask = (GiB - 300 * MiB) * 0.6;
    const sortStage = result.stages[1]!;
    expect(sortStage.maxPartitionBytes.value).toBe(512 * MiB);
    expect(sortStage.spillBytesPerTask.value).toBeCloseTo(512 * MiB - perTask, 0);
    expect(sortStage.spillBytesPerTask.derivation).toContain('(executor memory 1.0 GB − 300 MB reserved) × spark.memory.fraction 0.6 / 1 concurrent tasks');
    expect(result.insights.map((insight) => insight.id)).toContain('spill:stage-1');
    const roomy = plan({ source: table(4 * GiB, 8), operations: [{ op: 'orderBy' }], config: { shufflePartitions: 64, adaptiveEnabled: false } });
    expect(roomy.stages[1]!.spillBytesPerTask.value).toBe(0);
  });

  it('does not spill in a stage that only streams rows', () => {
    const result = plan({ source: table(64 * GiB, 8), operations: [{ op: 'filter' }] });
    expect(result.stages[0]!.spillBytesPerTask.value).toBe(0);
    expect(result.stages[0]!.spillBytesPerTask.derivation).toContain('streams rows');
  });

  it('compares collect() against spark.driver.maxResultSize', () => {
    const result = plan({ source: table(2 * GiB, 16), operations: [{ op: 'collect' }] });
    expect(result.driverResultBytes!.value).toBe(2 * GiB);
    const collect = result.insights.find((insight) => insight.type === 'driver-collect');
    expect(collect).toMatchObject({ severity: 'CRITICAL', confidence: 'HIGH' });
    expect(collect!.title).toContain('over spark.driver.maxResultSize');
    const small = plan({ source: table(GiB, 16), operations: [{ op: 'groupBy', distinctGroups: 10 }, { op: 'collect' }] });
    expect(small.driverResultBytes!.value).toBeLessThan(MiB);
    expect(small.insights.filter((insight) => insight.type === 'driver-collect')).toEqual([]);
  });

  it('counts the files a partitioned write creates: tasks × partition values (the small-files lesson)', () => {
    const result = plan({ source: table(10 * GiB, 200, 100_000_000), operations: [{ op: 'write', keys: ['date'], partitionValues: 365 }] });
    expect(result.filesWritten!.value).toBe(200 * 365);
    const smallFiles = result.insights.find((insight) => insight.id === 'small-files:write');
    expect(smallFiles?.suggestion).toContain('Repartition by the partitionBy columns');
    const plain = plan({ source: table(10 * GiB, 200, 100_000_000), operations: [{ op: 'write' }] });
    expect(plain.filesWritten!.value).toBe(200);
    expect(plain.insights.filter((insight) => insight.type === 'small-files')).toEqual([]);
  });

  it('writes about one file per partition value when rows were first hash-partitioned by the partitionBy columns', () => {
    const source = table(10 * GiB, 200, 100_000_000);
    const write: ShapeOperation = { op: 'write', keys: ['date'], partitionValues: 365 };
    const clustered = plan({ source, operations: [{ op: 'repartition', keys: ['date'] }, write] });
    expect(clustered.filesWritten!.value).toBe(365);
    expect(clustered.filesWritten!.derivation).toContain('hash-partitioned by [date]');
    expect(clustered.insights.filter((insight) => insight.type === 'small-files')).toEqual([]);
    // A coalesce after the repartition merges whole partitions, so each date still sits in one task.
    const merged = plan({ source, operations: [{ op: 'repartition', keys: ['date'] }, { op: 'coalesce', partitions: 10 }, write] });
    expect(merged.filesWritten!.value).toBe(365);
    // Hashing by more columns than the write partitions by spreads each date over many tasks again.
    const wider = plan({ source, operations: [{ op: 'repartition', keys: ['date', 'user'] }, write] });
    expect(wider.filesWritten!.value).toBe(wider.stages.at(-1)!.tasks.value * 365);
  });

  it('flags a cache that no later action reads', () => {
    const result = plan({ source: table(GiB, 8), operations: [{ op: 'cache', reuseCount: 0 }, { op: 'write' }] });
    expect(result.insights.map((insight) => insight.type)).toContain('unused-cache');
    const reused = plan({ source: table(GiB, 8), operations: [{ op: 'cache', reuseCount: 3 }, { op: 'write' }] });
    expect(reused.insights.filter((insight) => insight.type === 'unused-cache')).toEqual([]);
  });
});

/** Shapes that raise every kind of insight the playground knows. */
const showcase: ShapeInput[] = [
  { source: { kind: 'files', totalBytes: 1000 * MiB, fileCount: 1000 }, operations: [{ op: 'groupBy' }], config: { adaptiveEnabled: false, executors: 4, coresPerExecutor: 2 } },
  { source: table(100 * GiB, 800), operations: [{ op: 'join', hotKeyShare: 0.2, right: { source: table(50 * MiB, 2), operations: [] } }], config: { skewJoinEnabled: false } },
  { source: table(100 * GiB, 800), operations: [{ op: 'groupByKey', hotKeyShare: 0.5 }, { op: 'cache', reuseCount: 0 }, { op: 'collect' }] },
  { source: table(10 * GiB, 200, 100_000_000), operations: [{ op: 'coalesce', partitions: 1 }, { op: 'write', partitionValues: 365 }] },
  { source: table(GiB, 8), operations: [{ op: 'join', hasEquiCondition: false, right: { source: table(GiB, 8), operations: [] } }, { op: 'window' }], config: { autoBroadcastJoinThresholdBytes: -1 } },
  { source: table(GiB, 8), operations: [{ op: 'join', hint: 'broadcast', right: { source: table(9 * GiB, 8), operations: [] } }] },
  { source: table(4 * GiB, 2), operations: [{ op: 'orderBy' }], config: { shufflePartitions: 2, adaptiveEnabled: false } },
];

describe('shape playground: answers', () => {
  const results = showcase.map((input) => simulateShape(input));
  const insights = results.flatMap((result) => result.insights);

  it('raises every playground insight type in the showcase', () => {
    expect(new Set(insights.map((insight) => insight.type))).toEqual(
      new Set(['small-files', 'partition-count', 'data-skew', 'broadcast-join', 'unused-cache', 'driver-collect', 'cartesian-join', 'spill']),
    );
  });

  it('never promises a speed-up in any insight', () => {
    for (const insight of insights) expect(promisesIn(insight), insight.id).toEqual([]);
  });

  it('gives every insight evidence, a suggestion, a trade-off and a Spark docs link', () => {
    for (const insight of insights) {
      expect(insight.suggestion.length, insight.id).toBeGreaterThan(20);
      expect(insight.tradeoffs.length, insight.id).toBeGreaterThan(20);
      expect(insight.sparkDocsRef, insight.id).toMatch(/^https:\/\/spark\.apache\.org\/docs\//);
      expect(Object.keys(insight.evidence).length, insight.id).toBeGreaterThan(1);
      expect(insight.impact).toBeGreaterThanOrEqual(0);
      expect(insight.impact).toBeLessThanOrEqual(1);
    }
  });

  it('says how every number was derived, and lists its assumptions with the defaults used', () => {
    for (const result of results) {
      for (const { path, number } of derivedNumbers(result)) {
        expect(Number.isFinite(number.value), path).toBe(true);
        expect(number.derivation.length, path).toBeGreaterThan(5);
      }
      expect(result.assumptions.some((text) => text.startsWith('Spark 3.5 defaults used'))).toBe(true);
      expect(result.assumptions.some((text) => text.includes('never promises'))).toBe(true);
    }
  });

  it('states the default selectivity it assumed', () => {
    const result = plan({ source: table(GiB, 8), operations: [{ op: 'filter' }] });
    expect(result.assumptions).toContain('operations[0] (filter): selectivity 0.5 assumed (no selectivity given).');
  });

  it('is deterministic and does not change its input', () => {
    const input = structuredClone(showcase[1]!);
    expect(simulateShape(input)).toEqual(simulateShape(input));
    expect(input).toEqual(showcase[1]);
  });
});
