import { describe, expect, it } from 'vitest';
import { apportionClaims, claimedWallMs, compareInsights, splitSegment, type ClaimingInsight } from '../../src/analysis/claims.js';
import { severityOf } from '../../src/analysis/run-detectors.js';
import type { Insight } from '../../src/analysis/insight.js';

const base = (id: string, extra: Partial<ClaimingInsight> = {}): ClaimingInsight => ({
  id,
  type: id.split(':')[0]!,
  title: id,
  description: '',
  evidence: {},
  confidence: 'HIGH',
  severity: 'INFO',
  suggestion: '',
  tradeoffs: '',
  sparkDocsRef: '',
  jobId: null,
  stageId: null,
  stageAttemptId: null,
  sqlExecutionId: null,
  impact: 0,
  impactMs: 0,
  ...extra,
});

/**
 * apportionClaims done plainly: every claimant offered every segment (the sweep offers each segment only the
 * claimants with a claim over it), each segment split by the same rule.
 */
function apportionedPlainly(insights: readonly ClaimingInsight[]): Map<string, { ms: number; shared: string[] }> {
  const claimants = insights.filter((insight) => (insight.claims ?? []).length > 0);
  const points = [...new Set(claimants.flatMap((insight) => insight.claims!.flatMap((c) => [c.from, c.to])))].sort((a, b) => a - b);
  const result = new Map(claimants.map((insight) => [insight.id, { ms: 0, shared: new Set<string>() }]));
  for (let i = 0; i + 1 < points.length; i += 1) {
    const here = splitSegment(claimants, points[i]!, points[i + 1]!);
    for (const h of here) {
      result.get(h.id)!.ms += (points[i + 1]! - points[i]!) * h.share * h.scale;
      if (h.scale < 1) for (const other of here) if (other.id !== h.id) result.get(h.id)!.shared.add(other.id);
    }
  }
  return new Map([...result].map(([id, { ms, shared }]) => [id, { ms: Math.round(ms), shared: [...shared].sort() }]));
}

describe('wall-clock claims', () => {
  it('apportions as the plain rule does, for many random insights with overlapping, empty and odd claims', () => {
    let seed = 42;
    const random = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 20; round += 1) {
      const insights = Array.from({ length: 60 }, (_, i) =>
        base(`t:${i}`, {
          claims: Array.from({ length: Math.floor(random() * 4) }, () => {
            const from = Math.floor(random() * 50) * 100;
            return { from, to: from + Math.floor(random() * 8) * 100, share: random() * 1.4 - 0.1, yields: random() < 0.3 };
          }),
        }),
      );
      const expected = apportionedPlainly(insights);
      for (const insight of apportionClaims(insights, 10_000)) {
        if (!expected.has(insight.id)) continue;
        const { ms, shared } = expected.get(insight.id)!;
        expect(insight.impactMs, `round ${round} ${insight.id}`).toBe(ms);
        expect(insight.evidence.wallClockSharedWith ?? [], `round ${round} ${insight.id}`).toEqual(shared);
      }
    }
  });

  it('lets a claim with an end that is not a number cover nothing, and leaves the other claims whole', () => {
    const [a, b] = apportionClaims([
      base('gc-pressure:x', { claims: [{ from: 0, to: 300, share: 1 }, { from: 50, to: 100, share: 0.5 }] }),
      base('spill:y', { claims: [{ from: Number.NaN, to: 200, share: 0.5 }, { from: 400, to: Number.NaN, share: 0.5 }] }),
    ], 1_000);
    expect(a!.impactMs).toBe(300);
    expect(b!.impactMs).toBe(0);
    expect(claimedWallMs([{ from: 0, to: 300, share: 1 }, { from: Number.NaN, to: 200, share: 1 }, { from: 50, to: 100, share: 1 }])).toBe(300);
  });

  it('lets a claim with an end at infinity cover nothing: no stretch of a run is endless', () => {
    const [a, b] = apportionClaims([
      base('gc-pressure:x', { claims: [{ from: 0, to: 300, share: 1 }] }),
      base('spill:y', { claims: [{ from: -Infinity, to: Infinity, share: 0.5 }, { from: 100, to: Infinity, share: 0.5 }, { from: 500, to: 600, share: 1 }] }),
    ], 1_000);
    expect(a!.impactMs).toBe(300);
    expect(b!.impactMs).toBe(100);
    expect([a!.impact, b!.impact]).toEqual([0.3, 0.1]);
    expect(claimedWallMs([{ from: 0, to: 300, share: 1 }, { from: 0, to: Infinity, share: 1 }])).toBe(300);
  });

  it('splits one window claimed in full by two insights instead of counting it twice', () => {
    const [a, b] = apportionClaims([
      base('partition-count:x', { claims: [{ from: 0, to: 10_000, share: 1 }] }),
      base('spill:x', { claims: [{ from: 0, to: 10_000, share: 1 }] }),
    ], 20_000);
    expect([a!.impactMs, b!.impactMs]).toEqual([5_000, 5_000]);
    expect(a!.impact + b!.impact).toBeCloseTo(0.5, 9);
    expect(a!.evidence).toMatchObject({ wallClockClaimMs: 5_000, wallClockSharedWith: ['spill:x'] });
  });

  it('keeps shares that fit in a window, and counts an insight\'s own overlapping claims once', () => {
    const [gc, skew, launch] = apportionClaims([
      base('gc-pressure:x', { claims: [{ from: 0, to: 10_000, share: 0.2 }] }),
      base('duration-skew:x', { claims: [{ from: 5_000, to: 10_000, share: 0.5 }] }),
      base('launch-delay:app', { claims: [0, 1, 2, 3, 4].map(() => ({ from: 10_000, to: 22_000, share: 0.95 })) }),
    ], 40_000);
    expect(gc!.impactMs).toBe(2_000);
    expect(skew!.impactMs).toBe(2_500);
    // Five concurrent stages waiting in the same 12 s: 12 s at most, not 5 × 11.4 s.
    expect(launch!.impactMs).toBe(12_000);
    expect(launch!.impact).toBeCloseTo(0.3, 9);
  });

  it('gives an explanation\'s yielding claim only what the problems left of a moment, never shrinking theirs', () => {
    const [skew, shuffle, alone] = apportionClaims([
      base('duration-skew:x', { claims: [{ from: 6_000, to: 10_000, share: 1 }] }),
      base('shuffle-boundary:x', { claims: [{ from: 0, to: 10_000, share: 0.3, yields: true }] }),
      base('shuffle-boundary:y', { claims: [{ from: 20_000, to: 30_000, share: 0.3, yields: true }] }),
    ], 40_000);
    // The skew keeps its whole 4 s tail; the shuffle keeps 30% of the 6 s before it and nothing of the tail.
    expect(skew!.impactMs).toBe(4_000);
    expect(skew!.evidence['wallClockSharedWith']).toBeUndefined();
    expect(shuffle!.impactMs).toBe(1_800);
    expect(shuffle!.evidence).toMatchObject({ wallClockSharedWith: ['duration-skew:x'] });
    // Unopposed, a yielding claim keeps its share.
    expect(alone!.impactMs).toBe(3_000);
  });

  it('measures one insight\'s own claims each moment once, shares adding up to at most 1', () => {
    // A stage tail at share 1 inside a window claimed at 0.25: 4 s × 0.25 + 2 s × 1 (not 1.25).
    expect(claimedWallMs([{ from: 0, to: 6_000, share: 0.25 }, { from: 4_000, to: 6_000, share: 1 }])).toBe(3_000);
    expect(claimedWallMs([{ from: 0, to: 1_000, share: 0.5 }, { from: 2_000, to: 3_000, share: 0.5 }])).toBe(1_000);
    expect(claimedWallMs([])).toBe(0);
  });

  it('leaves insights without claims as they are, clamped to [0, 1]', () => {
    const [x] = apportionClaims([base('config-hygiene:x', { impact: 1.7, impactMs: -3 })], 1_000);
    expect(x).toMatchObject({ impact: 1, impactMs: 0 });
    expect('claims' in x!).toBe(false);
  });
});

describe('ranking', () => {
  it('puts failures of the application first, problems by impact next, explanations last', () => {
    const failed = { ...base('failures:job-1'), severity: severityOf({ role: 'failure' }, 0.01) } as Insight;
    const lost = { ...base('failures:executors-lost'), severity: severityOf({ severityFloor: 'LOW' }, 0.001), impact: 0.001 } as Insight;
    const big = { ...base('spill:stage-1.0'), severity: severityOf({}, 0.4), impact: 0.4 } as Insight;
    const small = { ...base('gc-pressure:stage-2.0'), severity: severityOf({}, 0.02), impact: 0.02 } as Insight;
    const explanation = { ...base('shuffle-boundary:stage-3.0'), severity: severityOf({ role: 'explanation' }, 0.5), impact: 0.5 } as Insight;
    const ranked = [explanation, small, lost, big, failed].sort(compareInsights).map((i) => i.id);
    expect(ranked).toEqual(['failures:job-1', 'spill:stage-1.0', 'failures:executors-lost', 'gc-pressure:stage-2.0', 'shuffle-boundary:stage-3.0']);
    expect(lost.severity).toBe('LOW');
    expect(explanation.severity).toBe('INFO');
  });
});
