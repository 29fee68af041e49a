import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { shuffleSkeleton, shufflesOfPlan, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import { openDecodedStream } from '../../src/eventlog/codec.js';
import { sharedLogs } from '../helpers/spark-events.js';

/** Every SQL plan tree (execution starts and adaptive updates) of every shared log that has one. */
async function sharedPlanTrees(): Promise<Array<{ log: string; tree: PlanNode }>> {
  const trees: Array<{ log: string; tree: PlanNode }> = [];
  for (const source of await sharedLogs()) {
    try {
      for (const part of source.parts) {
        const lines = createInterface({ input: openDecodedStream(part.path, part.codec), crlfDelay: Infinity });
        for await (const line of lines) {
          if (!line.includes('"sparkPlanInfo"')) continue;
          try {
            const event = JSON.parse(line) as { sparkPlanInfo?: PlanNode };
            if (event.sparkPlanInfo) trees.push({ log: source.name, tree: event.sparkPlanInfo });
          } catch {
            // Broken lines of the broken logs are not plans.
          }
        }
      }
    } catch {
      // A log the codec refuses (the broken ones) holds no plan to compare.
    } finally {
      await source.cleanup?.();
    }
  }
  return trees;
}

describe('the shuffle skeleton of a plan tree', () => {
  it('has the same shuffles, in the same order and classified the same, on every plan tree of the shared logs', async () => {
    const trees = await sharedPlanTrees();
    expect(trees.length).toBeGreaterThan(100);
    let withShuffles = 0;
    let fullBytes = 0;
    let skeletonBytes = 0;
    for (const { log, tree } of trees) {
      const skeleton = shuffleSkeleton(tree);
      const shuffles = shufflesOfPlan(tree);
      expect(shufflesOfPlan(skeleton), log).toEqual(shuffles);
      if (shuffles.length > 0) withShuffles += 1;
      fullBytes += JSON.stringify(tree).length;
      skeletonBytes += JSON.stringify(skeleton).length;
    }
    expect(withShuffles).toBeGreaterThan(10);
    // What it keeps is under half the trees' text on these logs (46%): metrics of other nodes, and nodes below no shuffle, go.
    expect(skeletonBytes).toBeLessThan(fullBytes * 0.5);
  }, 120_000);

  it('keeps shuffle nodes whole and their ancestors by name, and drops every other node', () => {
    const exchange: PlanNode = {
      nodeName: 'Exchange',
      simpleString: 'Exchange hashpartitioning(k#1, 200), ENSURE_REQUIREMENTS',
      metrics: [{ name: 'shuffle bytes written', accumulatorId: 7 }],
      children: [{ nodeName: 'Scan parquet', simpleString: 'FileScan parquet', metrics: [{ name: 'number of files read', accumulatorId: 3 }] }],
    };
    const tree: PlanNode = {
      nodeName: 'AdaptiveSparkPlan',
      simpleString: 'AdaptiveSparkPlan isFinalPlan=true',
      metrics: [{ name: 'number of output rows', accumulatorId: 1 }],
      children: [{ nodeName: 'SortMergeJoin', simpleString: 'SortMergeJoin [k#1], [k#2], Inner', children: [exchange, { nodeName: 'LocalTableScan' }] }],
    };
    expect(shuffleSkeleton(tree)).toEqual({
      nodeName: 'AdaptiveSparkPlan',
      simpleString: 'AdaptiveSparkPlan isFinalPlan=true',
      children: [{
        nodeName: 'SortMergeJoin',
        simpleString: 'SortMergeJoin [k#1], [k#2], Inner',
        children: [{ nodeName: 'Exchange', simpleString: exchange.simpleString, metrics: exchange.metrics, children: [] }],
      }],
    });
    expect(shufflesOfPlan(shuffleSkeleton(tree))).toEqual([
      { readIds: [], writeIds: [7], attribution: { operation: 'join', source: 'sql-plan', detail: 'SortMergeJoin [k], [k], Inner', partitioning: 'hashpartitioning(k, 200)' } },
    ]);
  });

  it('keeps a tree without shuffles as its root alone', () => {
    expect(shuffleSkeleton({ nodeName: 'LocalTableScan', simpleString: 'LocalTableScan [a#1]', children: [{ nodeName: 'x' }] })).toEqual({
      nodeName: 'LocalTableScan',
      simpleString: 'LocalTableScan [a#1]',
      children: [],
    });
  });
});
