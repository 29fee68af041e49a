import type { EvidenceValue, Insight, Severity } from './insight.js';

/**
 * A stretch of the application's run an insight says it accounts for: from `from` to `to` (epoch ms), `share`
 * (0-1) of that stretch. A stage whose tasks spent 20% of their time in GC claims its window at share 0.2.
 */
export interface WallClaim {
  from: number;
  to: number;
  share: number;
}

/** An insight with the stretches of wall-clock time it claims (none: it keeps the impact it stated). */
export type ClaimingInsight = Insight & { claims?: readonly WallClaim[] };

/**
 * Turns claims into wall-clock impact, counting each moment of the run at most once: where several insights
 * claim the same moment and their shares add up past 1, each keeps its share scaled down to fit (the
 * interval is split between them in proportion to what each claimed). impactMs becomes the wall-clock time
 * the insight accounts for and impact that over the application's run time; the evidence says so and names
 * the insights it shared time with.
 */
export function apportionClaims(insights: readonly ClaimingInsight[], appDurationMs: number | null): Insight[] {
  const claimants = insights.filter((insight) => insight.claims && insight.claims.length > 0);
  const points = [...new Set(claimants.flatMap((insight) => insight.claims!.flatMap((c) => [c.from, c.to])))].sort((a, b) => a - b);
  const claimed = new Map<string, number>();
  const sharedWith = new Map<string, Set<string>>();
  for (let i = 0; i + 1 < points.length; i += 1) {
    const from = points[i]!;
    const to = points[i + 1]!;
    const here: Array<{ id: string; share: number }> = [];
    for (const insight of claimants) {
      const share = insight.claims!.filter((c) => c.from <= from && c.to >= to).reduce((sum, c) => sum + clamp01(c.share), 0);
      if (share > 0) here.push({ id: insight.id, share: Math.min(1, share) });
    }
    const total = here.reduce((sum, h) => sum + h.share, 0);
    const scale = total > 1 ? 1 / total : 1;
    for (const h of here) {
      claimed.set(h.id, (claimed.get(h.id) ?? 0) + (to - from) * h.share * scale);
      if (total > 1) {
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
 * Wall-clock one insight's claims cover on their own, each moment once (overlapping claims' shares add up to at
 * most 1): what its impact is before {@link apportionClaims} splits moments it shares with other insights.
 */
export function claimedWallMs(claims: readonly WallClaim[]): number {
  const points = [...new Set(claims.flatMap((c) => [c.from, c.to]))].sort((a, b) => a - b);
  let ms = 0;
  for (let i = 0; i + 1 < points.length; i += 1) {
    const share = claims.filter((c) => c.from <= points[i]! && c.to >= points[i + 1]!).reduce((sum, c) => sum + clamp01(c.share), 0);
    ms += (points[i + 1]! - points[i]!) * Math.min(1, share);
  }
  return ms;
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
