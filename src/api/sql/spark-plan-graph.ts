import type { SparkPlanInfo } from '../../store/sql-plan-store.js';

/** A SQL metric of a graph node: Spark's SQLPlanMetric. */
export interface PlanGraphMetric {
  name: string;
  accumulatorId: number;
  metricType: string;
}

/** A node of the plan graph (Spark's SparkPlanGraphNode); a WholeStageCodegen node is a cluster of others. */
export interface PlanGraphNode {
  id: number;
  name: string;
  desc: string;
  metrics: PlanGraphMetric[];
  /** For a WholeStageCodegen node: the nodes fused into it; null for an operator. */
  clusterNodes: PlanGraphNode[] | null;
  /** The WholeStageCodegen node this operator runs inside; null when none. */
  clusterId: number | null;
}

/** Data flows from `fromId` (a child operator) into `toId` (its parent). */
export interface PlanGraphEdge {
  fromId: number;
  toId: number;
}

/** Spark's SparkPlanGraph of one plan. */
export interface PlanGraph {
  /** Top-level nodes in id order of creation (clusters hold their own nodes). */
  nodes: PlanGraphNode[];
  edges: PlanGraphEdge[];
  /** Every node, clusters after the nodes they hold (SparkPlanGraph.allNodes). */
  allNodes: PlanGraphNode[];
}

/**
 * Builds the graph Spark's UI and History Server build from a SparkPlanInfo tree (SparkPlanGraph.apply), so
 * node ids equal Spark's: ids are given depth-first in plan order; InputAdapter gets no node; a
 * WholeStageCodegen node is a cluster of the operators under it up to its InputAdapters; query stages are
 * transparent; a ReusedExchange (or a query stage over an exchange already drawn) links to that exchange
 * instead of drawing it again; a reused subquery links to the first one.
 */
export function sparkPlanGraph(root: SparkPlanInfo): PlanGraph {
  let nextId = 0;
  const nodes: PlanGraphNode[] = [];
  const edges: PlanGraphEdge[] = [];
  // SparkPlanInfo's equality is structural over name, description and children (not metrics).
  const exchanges = new Map<string, PlanGraphNode>();
  const keys = new Map<SparkPlanInfo, string>();
  const interned = new Map<string, number>();
  const keyOf = (info: SparkPlanInfo): string => {
    const known = keys.get(info);
    if (known !== undefined) return known;
    const structural = `${info.nodeName}\u0000${info.simpleString ?? ''}\u0000${(info.children ?? []).map(keyOf).join(',')}`;
    let id = interned.get(structural);
    if (id === undefined) interned.set(structural, (id = interned.size));
    const key = String(id);
    keys.set(info, key);
    return key;
  };
  const metricsOf = (info: SparkPlanInfo): PlanGraphMetric[] =>
    (info.metrics ?? []).map((m) => ({ name: m.name, accumulatorId: Number(m.accumulatorId), metricType: m.metricType }));
  const link = (node: PlanGraphNode, parent: PlanGraphNode | null): void => {
    // Spark's edge to a null parent would fail; a reused node at the root has nothing to point at.
    if (parent) edges.push({ fromId: node.id, toId: parent.id });
  };

  const build = (info: SparkPlanInfo, parent: PlanGraphNode | null, cluster: PlanGraphNode | null): void => {
    const name = info.nodeName;
    const children = info.children ?? [];
    const head = children[0];
    if (name.startsWith('WholeStageCodegen')) {
      const node: PlanGraphNode = {
        id: nextId++, name, desc: info.simpleString ?? '', metrics: metricsOf(info), clusterNodes: [], clusterId: null,
      };
      nodes.push(node);
      if (head) build(head, parent, node);
    } else if (name === 'InputAdapter') {
      if (head) build(head, parent, null);
    } else if (name === 'BroadcastQueryStage' || name === 'ShuffleQueryStage') {
      const reused = head && exchanges.get(keyOf(head));
      if (reused) link(reused, parent);
      else if (head) build(head, parent, null);
    } else if (name === 'Subquery' && cluster !== null) {
      build(info, parent, null);
    } else if (name === 'Subquery' && exchanges.has(keyOf(info))) {
      link(exchanges.get(keyOf(info))!, parent);
    } else if (name === 'ReusedSubquery') {
      if (head) build(head, parent, cluster);
    } else if (name === 'ReusedExchange' && head && exchanges.has(keyOf(head))) {
      link(exchanges.get(keyOf(head))!, parent);
    } else {
      const node: PlanGraphNode = {
        id: nextId++, name, desc: info.simpleString ?? '', metrics: metricsOf(info), clusterNodes: null,
        clusterId: cluster?.id ?? null,
      };
      if (cluster) cluster.clusterNodes!.push(node);
      else nodes.push(node);
      if (name.includes('Exchange') || name === 'Subquery') exchanges.set(keyOf(info), node);
      link(node, parent);
      for (const child of children) build(child, node, cluster);
    }
  };
  build(root, null, null);
  const allNodes = nodes.flatMap((node) => (node.clusterNodes ? [...node.clusterNodes, node] : [node]));
  return { nodes, edges, allNodes };
}
