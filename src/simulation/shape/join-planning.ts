/**
 * How Spark's JoinSelection would execute a join, from the hint, the join type and the planner's static size
 * estimates (sizeInBytes without CBO), before any adaptive re-planning.
 */

import { bytes } from './derived.js';
import type { ResolvedShapeConfig } from './shape-config.js';
import type { JoinDecision, JoinType, ShapeOperation } from './shape-types.js';

/** What the planner knows of one join side. */
export interface JoinSide {
  /** Spark's static estimate (sizeInBytes): filters do not shrink it without CBO statistics. */
  planBytes: number;
}

/** The planner's choice before AQE. */
export interface JoinChoice {
  strategy: JoinDecision['strategy'];
  broadcastSide: 'left' | 'right' | null;
  reason: string;
}

/** Join types whose left side may be the build (broadcast) side: the right side's rows all stream past it. */
export function canBuildLeft(joinType: JoinType): boolean {
  return joinType === 'inner' || joinType === 'cross' || joinType === 'right';
}

/** Join types whose right side may be the build side (Spark's canBuildBroadcastRight). */
export function canBuildRight(joinType: JoinType): boolean {
  return joinType === 'inner' || joinType === 'cross' || joinType === 'left' || joinType === 'left_semi' || joinType === 'left_anti';
}

function thresholdText(threshold: number): string {
  return threshold < 0 ? 'autoBroadcastJoinThreshold -1 (disabled)' : `autoBroadcastJoinThreshold ${bytes(threshold)}`;
}

/** Why a side may not be broadcast, in words. */
function notBuildable(side: 'left' | 'right', joinType: JoinType): string {
  return `a ${joinType} join cannot broadcast its ${side} side (it must return that side's unmatched rows, so that side has to stream)`;
}

/**
 * The smaller of the sides that may be built and whose size is at most the threshold, if any: the planner asks it
 * of the static estimates, AQE of the sizes the shuffle stages measured.
 */
export function broadcastCandidate(leftBytes: number, rightBytes: number, joinType: JoinType, threshold: number): 'left' | 'right' | null {
  if (threshold < 0) return null;
  const candidates: Array<['left' | 'right', number]> = [];
  if (canBuildRight(joinType) && rightBytes <= threshold) candidates.push(['right', rightBytes]);
  if (canBuildLeft(joinType) && leftBytes <= threshold) candidates.push(['left', leftBytes]);
  candidates.sort((a, b) => a[1] - b[1]);
  return candidates[0]?.[0] ?? null;
}

/** Spark's JoinSelection order: hints first, then broadcast by size, then sort-merge (preferSortMergeJoin), with fallbacks for joins without an equality condition. */
export function chooseJoin(operation: ShapeOperation, left: JoinSide, right: JoinSide, config: ResolvedShapeConfig): JoinChoice {
  const joinType = operation.joinType ?? 'inner';
  const hint = operation.hint ?? 'none';
  const equi = operation.hasEquiCondition !== false && joinType !== 'cross';
  const threshold = config.autoBroadcastJoinThresholdBytes;
  const sizes = `planner's size estimates: left ${bytes(left.planBytes)}, right ${bytes(right.planBytes)}`;
  const notes: string[] = [];

  if (hint === 'broadcast') {
    if (canBuildRight(joinType)) {
      return {
        strategy: equi ? 'broadcast_hash' : 'broadcast_nested_loop',
        broadcastSide: 'right',
        reason: `the broadcast hint on the right side overrides ${thresholdText(threshold)} (right side estimated at ${bytes(right.planBytes)})`,
      };
    }
    notes.push(`Spark ignores the broadcast hint: ${notBuildable('right', joinType)}`);
  }
  const inner = joinType === 'inner' || joinType === 'cross';
  if (hint === 'shuffle_replicate_nl') {
    if (inner) return { strategy: 'cartesian', broadcastSide: null, reason: 'the shuffle_replicate_nl hint asks for a cartesian product (every left partition paired with every right partition)' };
    notes.push(`Spark ignores the shuffle_replicate_nl hint: it applies to inner joins only`);
  }
  const prefix = notes.length > 0 ? `${notes.join('; ')}; ` : '';

  if (equi && hint === 'merge') {
    return { strategy: 'sort_merge', broadcastSide: null, reason: `${prefix}the merge hint asks for a sort-merge join: both sides are shuffled by the join keys and sorted` };
  }
  if (equi && hint === 'shuffle_hash') {
    return {
      strategy: 'shuffle_hash',
      broadcastSide: null,
      reason: `${prefix}the shuffle_hash hint asks for a shuffled hash join: both sides are shuffled by the join keys, then each task builds a hash table of its ${canBuildRight(joinType) ? 'right' : 'left'} partition`,
    };
  }
  const candidate = broadcastCandidate(left.planBytes, right.planBytes, joinType, threshold);
  if (candidate !== null) {
    const size = candidate === 'left' ? left.planBytes : right.planBytes;
    return {
      strategy: equi ? 'broadcast_hash' : 'broadcast_nested_loop',
      broadcastSide: candidate,
      reason: `${prefix}the ${candidate} side's estimated ${bytes(size)} ≤ ${thresholdText(threshold)}, so Spark broadcasts it (${sizes})`,
    };
  }
  const whyNot =
    threshold < 0
      ? `${thresholdText(threshold)} turns off broadcasting by size`
      : `no side that may be broadcast is ≤ ${thresholdText(threshold)} (${sizes}` +
        `${!canBuildRight(joinType) ? `; ${notBuildable('right', joinType)}` : ''}${!canBuildLeft(joinType) ? `; ${notBuildable('left', joinType)}` : ''})`;
  if (equi) {
    return {
      strategy: 'sort_merge',
      broadcastSide: null,
      reason: `${prefix}${whyNot}, so Spark plans a sort-merge join (spark.sql.join.preferSortMergeJoin=true): both sides are shuffled by the join keys into shufflePartitions partitions and sorted`,
    };
  }
  if (inner) {
    return {
      strategy: 'cartesian',
      broadcastSide: null,
      reason: `${prefix}the join has no equality condition and ${whyNot}, so Spark plans a cartesian product: every left partition is paired with every right partition`,
    };
  }
  // Outer joins without an equality condition have no other operator: Spark broadcasts a side whatever its size.
  const forced: 'left' | 'right' = canBuildRight(joinType) ? 'right' : canBuildLeft(joinType) ? 'left' : right.planBytes <= left.planBytes ? 'right' : 'left';
  return {
    strategy: 'broadcast_nested_loop',
    broadcastSide: forced,
    reason: `${prefix}a ${joinType} join without an equality condition can only run as a broadcast nested loop join, so Spark broadcasts the ${forced} side even though ${whyNot}`,
  };
}
