/**
 * The deepest SQL plan tree Spark Sword reads. Everything that walks a plan (the graph Spark's UI draws, the
 * detectors, run comparison, the shape playground) recurses node by node, and a crafted plan a few thousand levels
 * deep overflowed the stack. Real plans are a few dozen to a few hundred levels deep.
 */
export const MAX_PLAN_DEPTH = 1_000;

/**
 * A SQL plan tree (SparkPlanInfo as Spark logs it) parsed from its JSON text, or null when the text is not JSON or
 * the tree nests deeper than {@link MAX_PLAN_DEPTH}: such a plan is treated as one the log does not have.
 */
export function parsePlanTree<T>(text: string): T | null {
  let tree: unknown;
  try {
    tree = JSON.parse(text);
  } catch {
    return null;
  }
  return walkablePlanTree<T>(tree);
}

/**
 * A parsed SQL plan tree, or null when it nests deeper than {@link MAX_PLAN_DEPTH} (see {@link parsePlanTree}) or is
 * no object. Its nodes are given the shape every reader takes them in (see {@link givePlanShape}).
 */
export function walkablePlanTree<T>(tree: unknown): T | null {
  if (!isObject(tree) || !depthWithin(tree, MAX_PLAN_DEPTH)) return null;
  givePlanShape(tree);
  return tree as T;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value a plan gives as text, as text: a crafted log may give a number or a list instead. */
const asText = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * Gives every node of `root`, in place, the shape Spark logs (a crafted log may not): names and the simple string are
 * text, children are a list of nodes, and metrics a list of objects with an accumulator id that is a number (a metric
 * without one names nothing and is left out) and text for a name and type. Walked with a stack, like the depth.
 */
function givePlanShape(root: Record<string, unknown>): void {
  for (let node = root as Record<string, unknown> | undefined, pending: Array<Record<string, unknown>> = []; node; node = pending.pop()) {
    // Changed only where a value is off: plans are parsed by the thousand, and Spark's need nothing.
    for (const key of ['nodeName', 'simpleString'] as const) if (key in node && typeof node[key] !== 'string') node[key] = asText(node[key]);
    if (!Array.isArray(node.children)) node.children = [];
    else if (!node.children.every(isObject)) node.children = node.children.filter(isObject);
    for (const child of node.children as Array<Record<string, unknown>>) pending.push(child);
    if (!('metrics' in node)) continue;
    if (!Array.isArray(node.metrics)) node.metrics = [];
    else if (!node.metrics.every(isUsableMetric)) node.metrics = node.metrics.filter(isUsableMetric);
    for (const metric of node.metrics as Array<Record<string, unknown>>) {
      for (const key of ['name', 'metricType'] as const) if (key in metric && typeof metric[key] !== 'string') metric[key] = asText(metric[key]);
    }
  }
}

/** A plan metric that names an accumulator: an object whose id is a number (or a number's text, as readers take it). */
function isUsableMetric(metric: unknown): boolean {
  if (!isObject(metric)) return false;
  const id = metric.accumulatorId;
  return typeof id === 'number' ? Number.isFinite(id) : typeof id === 'string' && id.trim() !== '' && Number.isFinite(Number(id));
}

/** Whether no chain of `children` in `tree` is longer than `limit` nodes; walked with a stack, not recursion. */
function depthWithin(tree: unknown, limit: number): boolean {
  const pending: Array<{ node: unknown; depth: number }> = [{ node: tree, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (next.depth > limit) return false;
    const children = (next.node as { children?: unknown } | null)?.children;
    if (!Array.isArray(children)) continue;
    for (const child of children) pending.push({ node: child, depth: next.depth + 1 });
  }
  return true;
}
