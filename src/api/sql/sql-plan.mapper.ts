import type { SparkPlanInfo, SqlPlanRecord } from '../../store/sql-plan-store.js';
import type { SqlPlan, SqlPlanEdge, SqlPlanNode } from './sql-plan.type.js';

/** Flattens Spark's plan tree (root first, depth-first) into nodes with metric values and child → parent edges. */
export function toSqlPlan(record: SqlPlanRecord): SqlPlan | null {
  if (!record.plan) return null;
  const nodes: SqlPlanNode[] = [];
  const edges: SqlPlanEdge[] = [];
  const visit = (info: SparkPlanInfo, parent: number | null): void => {
    const id = nodes.length;
    nodes.push({
      id,
      name: info.nodeName,
      description: info.simpleString ?? null,
      metrics: (info.metrics ?? []).map((metric) => ({
        name: metric.name,
        metricType: metric.metricType,
        value: record.metricValues.get(metric.accumulatorId) ?? null,
      })),
    });
    if (parent !== null) edges.push({ from: id, to: parent });
    for (const child of info.children ?? []) visit(child, id);
  };
  visit(record.plan, null);
  return { nodes, edges, versions: record.planVersions };
}
