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

/** A parsed SQL plan tree as it is, or null when it nests deeper than {@link MAX_PLAN_DEPTH} (see {@link parsePlanTree}). */
export function walkablePlanTree<T>(tree: unknown): T | null {
  return depthWithin(tree, MAX_PLAN_DEPTH) ? (tree as T) : null;
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
