import { describe, expect, it } from 'vitest';
import { MAX_PLAN_DEPTH, parsePlanTree } from '../../src/model/plan-tree.js';

/** A plan of `depth` nodes, each the only child of the one above, as Spark logs a SparkPlanInfo. */
function chain(depth: number): string {
  const node = (name: string): string => `{"nodeName":"${name}","simpleString":"${name}","children":[`;
  return `${Array.from({ length: depth - 1 }, () => node('Project')).join('')}{"nodeName":"Scan","simpleString":"Scan","children":[]}${']}'.repeat(depth - 1)}`;
}

describe('parsing a SQL plan tree', () => {
  it('parses a plan as deep as the limit', () => {
    const tree = parsePlanTree<{ nodeName: string }>(chain(MAX_PLAN_DEPTH));
    expect(tree?.nodeName).toBe('Project');
  });

  it('answers null for a plan one level deeper, without recursing (a crafted plan 10^6 levels deep)', () => {
    expect(parsePlanTree(chain(MAX_PLAN_DEPTH + 1))).toBeNull();
    expect(parsePlanTree(chain(1_000_000))).toBeNull();
  });

  it('counts depth through every child, not only the first', () => {
    const wide = `{"nodeName":"Union","children":[{"nodeName":"Scan","children":[]},${chain(MAX_PLAN_DEPTH)}]}`;
    expect(parsePlanTree(wide)).toBeNull();
  });

  it('gives a crafted plan the shape Spark logs: text names, lists of nodes, metrics with an accumulator id', () => {
    const tree = parsePlanTree<Record<string, unknown>>(
      '{"nodeName":5,"simpleString":["x"],"children":[7,{"nodeName":"Scan","children":{}}],' +
        '"metrics":[{"name":-1,"accumulatorId":3,"metricType":"sum"},{"name":"lost","accumulatorId":{}},{"name":"none"},9]}',
    );
    expect(tree).toEqual({
      nodeName: '5',
      simpleString: '["x"]',
      children: [{ nodeName: 'Scan', children: [] }],
      metrics: [{ name: '-1', accumulatorId: 3, metricType: 'sum' }],
    });
    expect(parsePlanTree('[1,2]')).toBeNull();
    expect(parsePlanTree('7')).toBeNull();
  });

  it('answers null for text that is not JSON', () => {
    expect(parsePlanTree('{"nodeName":')).toBeNull();
  });
});
