import type { EvidenceValue, Insight, Severity } from './insight.js';

/**
 * A stretch of the application's run an insight says it accounts for: from `from` to `to` (epoch ms), `share`
 * (0-1) of that stretch. A stage whose tasks spent 20% of their time in GC claims its window at share 0.2.
 */
export interface WallClaim {
  from: number;
  to: number;
  share: number;
  /**
   * An explanation's claim (e.g. where a shuffle's fetch wait went): it takes only what the problems' claims on
   * the same moment leave, so context never shrinks the time a problem accounts for.
   */
  yields?: boolean;
}

/** An insight with the stretches of wall-clock time it claims (none: it keeps the impact it stated). */
export type ClaimingInsight = Insight & { claims?: readonly WallClaim[] };

/**
 * Turns claims into wall-clock impact, counting each moment of the run at most once: where several insights
 * claim the same moment and their shares add up past 1, each keeps its share scaled down to fit (the
 * interval is split between them in proportion to what each claimed; yielding claims share only what the others
 * left). impactMs becomes the wall-clock time
 * the insight accounts for and impact that over the application's run time; the evidence says so and names
 * the insights it shared time with.
 */
export function apportionClaims(insights: readonly ClaimingInsight[], appDurationMs: number | null): Insight[] {
  const claimants = insights.filter((insight) => insight.claims && insight.claims.length > 0);
  const points = claimEnds(claimants.flatMap((insight) => insight.claims!));
  const claimed = new Map<string, number>();
  const sharedWith = new Map<string, Set<string>>();
  // A sweep over the segments between claim ends: each segment looks only at the claimants with a claim over it
  // (looking at every claim for every segment took 4 s for 5,000 insights with three claims each).
  const at = new Map(points.map((point, i) => [point, i]));
  const starting: number[][] = points.map(() => []);
  const ending: number[][] = points.map(() => []);
  claimants.forEach((insight, index) => {
    for (const claim of insight.claims!) {
      if (!(Number.isFinite(claim.from) && Number.isFinite(claim.to) && claim.to > claim.from)) continue; // covers no segment
      starting[at.get(claim.from)!]!.push(index);
      ending[at.get(claim.to)!]!.push(index);
    }
  });
  /** How many of each claimant's claims cover the current segment. */
  const covering = new Map<number, number>();
  for (let i = 0; i + 1 < points.length; i += 1) {
    const from = points[i]!;
    const to = points[i + 1]!;
    for (const index of ending[i]!) {
      const left = covering.get(index)! - 1;
      if (left === 0) covering.delete(index);
      else covering.set(index, left);
    }
    for (const index of starting[i]!) covering.set(index, (covering.get(index) ?? 0) + 1);
    // In the claimants' own order, so shares add up exactly as they would over all of them.
    const active = [...covering.keys()].sort((a, b) => a - b).map((index) => claimants[index]!);
    const here = splitSegment(active, from, to);
    for (const h of here) {
      claimed.set(h.id, (claimed.get(h.id) ?? 0) + (to - from) * h.share * h.scale);
      if (h.scale < 1) {
        const others = sharedWith.get(h.id) ?? new Set<string>();
        for (const other of here) if (other.id !== h.id) others.add(other.id);
        sharedWith.set(h.id, others);
      }
    }
  }
  return insights.map(({ claims, ...insight }) => {
    if (!claims || claims.length === 0) return { ...insight, impact: clamp01(insight.impact), impactMs: Math.max(0, insight.impactMs) };
    const impactMs = Math.round(claimed.get(insight.id) ?? 0);
    const shared = [...(sharedWith.get(insight.id) ?? [])].sort();
    const evidence: { [key: string]: EvidenceValue } = {
      ...insight.evidence,
      wallClockClaimMs: impactMs,
      ...(shared.length > 0 ? { wallClockSharedWith: shared } : {}),
    };
    return {
      ...insight,
      evidence,
      impactMs,
      impact: appDurationMs && appDurationMs > 0 ? clamp01(impactMs / appDurationMs) : clamp01(insight.impact),
    };
  });
}

/**
 * How one segment [from, to] of the run is split between the claimants with a claim over it: problems' shares
 * scaled down to fit in 1 when they add up past it, explanations' (yielding) shares scaled into what is left.
 */
export function splitSegment(claimants: readonly ClaimingInsight[], from: number, to: number): Array<{ id: string; share: number; scale: number }> {
  const primary = segmentShares(claimants, from, to, false);
  const yielding = segmentShares(claimants, from, to, true);
  const primaryTotal = primary.reduce((sum, h) => sum + h.share, 0);
  const primaryScale = primaryTotal > 1 ? 1 / primaryTotal : 1;
  const left = Math.max(0, 1 - primaryTotal * primaryScale);
  const yieldingTotal = yielding.reduce((sum, h) => sum + h.share, 0);
  const yieldingScale = yieldingTotal > left ? left / yieldingTotal : 1;
  return [...primary.map((h) => ({ ...h, scale: primaryScale })), ...yielding.map((h) => ({ ...h, scale: yieldingScale }))];
}

/** Each claimant's share of one segment [from, to] from its claims of one kind (yielding or not), at most 1. */
function segmentShares(claimants: readonly ClaimingInsight[], from: number, to: number, yields: boolean): Array<{ id: string; share: number }> {
  const shares: Array<{ id: string; share: number }> = [];
  for (const insight of claimants) {
    const share = insight.claims!
      .filter((c) => Boolean(c.yields) === yields && covers(c, from, to))
      .reduce((sum, c) => sum + clamp01(c.share), 0);
    if (share > 0) shares.push({ id: insight.id, share: Math.min(1, share) });
  }
  return shares;
}

/**
 * Wall-clock one insight's claims cover on their own, each moment once (overlapping claims' shares add up to at
 * most 1): what its impact is before {@link apportionClaims} splits moments it shares with other insights.
 */
export function claimedWallMs(claims: readonly WallClaim[]): number {
  const points = claimEnds(claims);
  let ms = 0;
  for (let i = 0; i + 1 < points.length; i += 1) {
    const share = claims.filter((c) => covers(c, points[i]!, points[i + 1]!)).reduce((sum, c) => sum + clamp01(c.share), 0);
    ms += (points[i + 1]! - points[i]!) * Math.min(1, share);
  }
  return ms;
}

/**
 * Whether a claim covers the stretch [from, to]. A claim with an end that is not a finite number covers nothing: no
 * stretch of a run is endless, and NaN would compare false anyway.
 */
function covers(claim: WallClaim, from: number, to: number): boolean {
  return Number.isFinite(claim.from) && Number.isFinite(claim.to) && claim.from <= from && claim.to >= to;
}

/**
 * The claims' ends, each once, in order. An end that is not a finite number is left out: sort takes NaN as equal
 * to everything and leaves the other ends out of order, and such a claim covers nothing anyway.
 */
function claimEnds(claims: readonly WallClaim[]): number[] {
  return [...new Set(claims.flatMap((c) => [c.from, c.to]))].filter((point) => Number.isFinite(point)).sort((a, b) => a - b);
}

const clamp01 = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);

const SEVERITY_RANK: Record<Severity, number> = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFO: 4 };

/**
 * Ranking: by severity (failures of the application are raised to CRITICAL by their detector, explanations kept
 * at INFO), then failures before other findings of the same severity, then by wall-clock time accounted for.
 */
export function compareInsights(a: Insight, b: Insight): number {
  return (
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    Number(b.type === 'failures') - Number(a.type === 'failures') ||
    b.impact - a.impact ||
    a.id.localeCompare(b.id)
  );
}
