import { describe, expect, it } from 'vitest';
import { planNodes, type PlanNode } from '../../src/analysis/sql-plans.js';

function node(nodeName: string, children: PlanNode[] = []): PlanNode {
  return { nodeName, simpleString: nodeName, children, metrics: [] };
}

describe('planNodes', () => {
  it('lists a node before its children and each child subtree in order, as the plan reads top-down', () => {
    const plan = node('WholeStageCodegen', [
      node('SortMergeJoin', [node('Sort', [node('Exchange', [node('Scan a')])]), node('Sort', [node('Exchange', [node('Scan b')])])]),
      node('Project'),
    ]);
    expect(planNodes(plan).map((n) => n.nodeName)).toEqual([
      'WholeStageCodegen', 'SortMergeJoin', 'Sort', 'Exchange', 'Scan a', 'Sort', 'Exchange', 'Scan b', 'Project',
    ]);
  });

  it('walks a chain as deep as the deepest plan read, each node once', () => {
    let chain = node('Scan');
    for (let i = 0; i < 999; i += 1) chain = node(`Filter ${i}`, [chain]);
    const nodes = planNodes(chain);
    expect(nodes).toHaveLength(1_000);
    expect(new Set(nodes).size).toBe(1_000);
    expect(nodes.at(-1)!.nodeName).toBe('Scan');
  });
});
