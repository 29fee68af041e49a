import { isJsonObject, loggedText } from './json-values.js';

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
 * A parsed SQL plan tree, or null when it is no object or nests deeper than {@link MAX_PLAN_DEPTH} (see
 * {@link parsePlanTree}). On the way, each node is given the shape Spark logs, in place, since a crafted log may give
 * another and every reader takes this one: names and the simple string are text, children a list of nodes, metrics a
 * list of objects naming an accumulator (one that names none is left out) with text for a name and type. Values are
 * changed only where they are off: plans are read by the thousand, and Spark's need nothing. Walked with a stack, not
 * recursion.
 */
export function walkablePlanTree<T>(tree: unknown): T | null {
  if (!isJsonObject(tree)) return null;
  const pending: Array<{ node: Record<string, unknown>; depth: number }> = [{ node: tree, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { node, depth } = next;
    if (depth > MAX_PLAN_DEPTH) return null;
    for (const key of ['nodeName', 'simpleString'] as const) if (key in node && typeof node[key] !== 'string') node[key] = loggedText(node[key]);
    if (!Array.isArray(node.children)) node.children = [];
    else if (!node.children.every(isJsonObject)) node.children = node.children.filter(isJsonObject);
    for (const child of node.children as Array<Record<string, unknown>>) pending.push({ node: child, depth: depth + 1 });
    if (!('metrics' in node)) continue;
    if (!Array.isArray(node.metrics)) node.metrics = [];
    else if (!node.metrics.every(isUsableMetric)) node.metrics = node.metrics.filter(isUsableMetric);
    for (const metric of node.metrics as Array<Record<string, unknown>>) {
      for (const key of ['name', 'metricType'] as const) if (key in metric && typeof metric[key] !== 'string') metric[key] = loggedText(metric[key]);
    }
  }
  return tree as T;
}

/** A plan metric that names an accumulator: an object whose id is a number (or a number's text, as readers take it). */
function isUsableMetric(metric: unknown): boolean {
  if (!isJsonObject(metric)) return false;
  const id = metric.accumulatorId;
  return typeof id === 'number' ? Number.isFinite(id) : typeof id === 'string' && id.trim() !== '' && Number.isFinite(Number(id));
}
