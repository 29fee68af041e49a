import { describe, expect, it } from 'vitest';
import { sparkPlanGraph } from '../../src/api/sql/spark-plan-graph.js';
import type { SparkPlanInfo } from '../../src/store/sql-plan-store.js';

const m = (accumulatorId: number) => [{ name: 'number of output rows', accumulatorId, metricType: 'sum' }];
const node = (nodeName: string, children: SparkPlanInfo[] = [], simpleString = nodeName, metrics = m(0)): SparkPlanInfo => ({
  nodeName, simpleString, children, metrics,
});

describe("the plan graph follows Spark's SparkPlanGraph", () => {
  it('numbers nodes depth-first, skips InputAdapter and clusters WholeStageCodegen up to its inputs', () => {
    const exchange = node('Exchange', [node('WholeStageCodegen (1)', [node('HashAggregate', [node('Scan parquet')])])], 'Exchange hashpartitioning');
    const plan = node('WholeStageCodegen (2)', [node('HashAggregate', [node('InputAdapter', [exchange])])]);
    const graph = sparkPlanGraph(plan);
    const byId = new Map(graph.allNodes.map((n) => [n.id, n]));
    expect([...byId.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(byId.get(0)!.name).toBe('WholeStageCodegen (2)');
    expect(byId.get(1)!.name).toBe('HashAggregate');
    expect(byId.get(1)!.clusterId).toBe(0);
    // InputAdapter has no node: the exchange is id 2, outside any cluster.
    expect(byId.get(2)!.name).toBe('Exchange');
    expect(byId.get(2)!.clusterId).toBeNull();
    expect(byId.get(3)!.name).toBe('WholeStageCodegen (1)');
    expect(byId.get(5)!.clusterId).toBe(3);
    expect(graph.edges).toEqual([
      { fromId: 2, toId: 1 },
      { fromId: 4, toId: 2 },
      { fromId: 5, toId: 4 },
    ]);
    // allNodes: a cluster after the nodes it holds.
    expect(graph.allNodes.map((n) => n.id)).toEqual([1, 0, 2, 4, 5, 3]);
  });

  it('links a ReusedExchange and a query stage over an exchange already drawn to that exchange', () => {
    const exchange = () => node('Exchange', [node('Scan parquet', [], 'Scan parquet t')], 'Exchange hashpartitioning(a)', m(7));
    const plan = node('SortMergeJoin', [
      node('ShuffleQueryStage', [exchange()]),
      node('ReusedExchange', [exchange()]),
      node('ShuffleQueryStage', [exchange()]),
    ]);
    const graph = sparkPlanGraph(plan);
    expect(graph.allNodes.map((n) => n.name)).toEqual(['SortMergeJoin', 'Exchange', 'Scan parquet']);
    expect(graph.edges).toEqual([
      { fromId: 1, toId: 0 },
      { fromId: 2, toId: 1 },
      { fromId: 1, toId: 0 },
      { fromId: 1, toId: 0 },
    ]);
  });

  it('draws a reused subquery once and never inside a codegen cluster', () => {
    const subquery = () => node('Subquery', [node('Scan parquet')], 'Subquery subquery#1');
    const plan = node('WholeStageCodegen (1)', [node('Filter', [subquery(), node('ReusedSubquery', [subquery()])])]);
    const graph = sparkPlanGraph(plan);
    const sub = graph.allNodes.find((n) => n.name === 'Subquery')!;
    expect(graph.allNodes.filter((n) => n.name === 'Subquery')).toHaveLength(1);
    expect(sub.clusterId).toBeNull();
    const filter = graph.allNodes.find((n) => n.name === 'Filter')!;
    expect(graph.edges.filter((e) => e.fromId === sub.id && e.toId === filter.id)).toHaveLength(2);
  });
});
