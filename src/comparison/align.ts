/**
 * Pairs what ran in two runs of the same code. Ids (stage, job, execution) are not stable between runs: Spark
 * numbers them in submission order and adaptive execution or a skipped stage shifts them. Items are matched by
 * structural keys instead, strictest first; within a key the n-th item of one run pairs with the n-th of the
 * other (repeated actions run in the same order). What is left after the loosest key ran only in one run.
 */
import { parsePlanTree } from '../model/plan-tree.js';

/** Items of two runs paired by key, and those found in one run only. */
export interface Alignment<T> {
  pairs: Array<{ base: T; candidate: T; level: number }>;
  onlyInBase: T[];
  onlyInCandidate: T[];
}

/** Aligns `base` and `candidate` by `keys` (strictest first); `level` says which key matched a pair. */
export function alignByKeys<T>(base: readonly T[], candidate: readonly T[], keys: ReadonlyArray<(item: T) => string>): Alignment<T> {
  let leftBase = [...base];
  let leftCandidate = [...candidate];
  const pairs: Alignment<T>['pairs'] = [];
  keys.forEach((key, level) => {
    const queues = new Map<string, T[]>();
    for (const item of leftCandidate) {
      const k = key(item);
      const queue = queues.get(k);
      if (queue) queue.push(item);
      else queues.set(k, [item]);
    }
    const matched = new Set<T>();
    const stillBase: T[] = [];
    for (const item of leftBase) {
      const partner = queues.get(key(item))?.shift();
      if (partner === undefined) {
        stillBase.push(item);
        continue;
      }
      matched.add(partner);
      pairs.push({ base: item, candidate: partner, level });
    }
    leftBase = stillBase;
    leftCandidate = leftCandidate.filter((item) => !matched.has(item));
  });
  return { pairs, onlyInBase: leftBase, onlyInCandidate: leftCandidate };
}

/** A node of Spark's SparkPlanInfo as logged. */
interface PlanNode {
  nodeName?: unknown;
  children?: unknown;
}

/**
 * The shape of a SQL plan: operator names nested as the tree is, without expressions, ids or metrics, so two
 * runs of one query over other data have the same shape unless the optimizer chose differently.
 */
export function planShape(planJson: string | null): string {
  if (!planJson) return '';
  const plan = parsePlanTree<unknown>(planJson);
  const shape = (node: PlanNode): string => {
    const children = Array.isArray(node.children) ? (node.children as PlanNode[]) : [];
    const name = typeof node.nodeName === 'string' ? node.nodeName : '?';
    return children.length === 0 ? name : `${name}(${children.map(shape).join(',')})`;
  };
  return typeof plan === 'object' && plan !== null ? shape(plan as PlanNode) : '';
}

/**
 * Each stage's depth in its run's stage graph: 0 for a stage without known parents, else one more than its
 * deepest parent. Parents the log never describes count as absent.
 */
export function stageDepths(stages: ReadonlyArray<{ stageId: number; parentIds: readonly number[] }>): Map<number, number> {
  const parents = new Map(stages.map((stage) => [stage.stageId, stage.parentIds]));
  const depths = new Map<number, number>();
  const depthOf = (stageId: number, visiting: Set<number>): number => {
    const known = depths.get(stageId);
    if (known !== undefined) return known;
    if (visiting.has(stageId)) return 0; // a malformed log with a cycle: stop rather than recurse forever
    visiting.add(stageId);
    const depth = Math.max(-1, ...(parents.get(stageId) ?? []).filter((id) => parents.has(id)).map((id) => depthOf(id, visiting))) + 1;
    depths.set(stageId, depth);
    return depth;
  };
  for (const stage of stages) depthOf(stage.stageId, new Set());
  return depths;
}

/**
 * How much of a run's wall clock each stage accounts for: every stretch of time is split evenly among the
 * stages running then, and stretches with no stage running go to `outside`. The parts add up to the window
 * exactly, so no stretch of time is claimed twice. Intervals are clipped to [windowStart, windowEnd].
 */
export function attributeWallClock(
  intervals: ReadonlyArray<{ id: number; start: number | null; end: number | null }>,
  windowStart: number,
  windowEnd: number,
): { byId: Map<number, number>; outsideMs: number } {
  const byId = new Map<number, number>(intervals.map((interval) => [interval.id, 0]));
  const spans = intervals
    .filter((interval) => interval.start !== null && interval.end !== null)
    .map((interval) => ({ id: interval.id, start: Math.max(windowStart, interval.start!), end: Math.min(windowEnd, interval.end!) }))
    .filter((span) => span.end > span.start);
  // Sweep the boundaries in time order, keeping the set of stages running between two boundaries.
  const boundaries = [...new Set([windowStart, windowEnd, ...spans.flatMap((span) => [span.start, span.end])])].sort((a, b) => a - b);
  const starting = new Map<number, number[]>();
  const ending = new Map<number, number[]>();
  spans.forEach((span, index) => {
    starting.set(span.start, [...(starting.get(span.start) ?? []), index]);
    ending.set(span.end, [...(ending.get(span.end) ?? []), index]);
  });
  const running = new Set<number>();
  let outsideMs = 0;
  for (let i = 0; i + 1 < boundaries.length; i += 1) {
    const from = boundaries[i]!;
    for (const index of ending.get(from) ?? []) running.delete(index);
    for (const index of starting.get(from) ?? []) running.add(index);
    const length = boundaries[i + 1]! - from;
    if (running.size === 0) {
      outsideMs += length;
      continue;
    }
    for (const index of running) {
      const id = spans[index]!.id;
      byId.set(id, byId.get(id)! + length / running.size);
    }
  }
  return { byId, outsideMs };
}
