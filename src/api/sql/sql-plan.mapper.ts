import type { SqlPlanRecord } from '../../store/sql-plan-store.js';
import { sparkPlanGraph } from './spark-plan-graph.js';
import type { SqlPlan } from './sql-plan.type.js';

/**
 * Spark's plan graph of the execution (SparkPlanGraph: the node ids Spark's UI and History Server show), nodes
 * in id order with their metric values, and child → parent edges.
 */
export function toSqlPlan(record: SqlPlanRecord): SqlPlan | null {
  if (!record.plan) return null;
  const graph = sparkPlanGraph(record.plan);
  const nodes = [...graph.allNodes]
    .sort((a, b) => a.id - b.id)
    .map((node) => ({
      id: node.id,
      name: node.name,
      description: node.desc || null,
      clusterId: node.clusterId,
      metrics: node.metrics.map((metric) => ({
        name: metric.name,
        metricType: metric.metricType,
        value: record.metricValues.get(metric.accumulatorId) ?? null,
      })),
    }));
  return { nodes, edges: graph.edges.map((edge) => ({ from: edge.fromId, to: edge.toId })), versions: record.planVersions };
}
