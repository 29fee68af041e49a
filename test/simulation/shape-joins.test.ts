import { describe, expect, it } from 'vitest';
import type { ShapeOperation, ShapeSource } from '../../src/simulation/shape/shape-types.js';
import { GiB, MiB, plan, table } from '../helpers/shape-playground.js';

const facts: ShapeSource = { kind: 'files', totalBytes: 10 * GiB, fileCount: 80 };
const joinWith = (right: ShapeSource, extra: Partial<ShapeOperation> = {}): ShapeOperation => ({ op: 'join', keys: ['id'], right: { source: right, operations: [] }, ...extra });

describe('shape playground: joins', () => {
  it('broadcasts a side under autoBroadcastJoinThreshold: no shuffle on the big side', () => {
    const result = plan({ source: facts, operations: [joinWith(table(5 * MiB, 1)), { op: 'write' }] });
    expect(result.joins).toEqual([expect.objectContaining({ operationIndex: 0, strategy: 'broadcast_hash', broadcastSide: 'right', shufflesLeft: false, shufflesRight: false })]);
    expect(result.stages).toHaveLength(2);
    expect(result.totalShuffleBytes.value).toBe(0);
    const [broadcastSide, big] = result.stages;
    expect(broadcastSide!.shape).toBe('right of op 0');
    expect(broadcastSide!.notes!.join(' ')).toContain('BroadcastExchange');
    expect(big!.tasks.value).toBe(80);
    expect(big!.operationIndexes).toEqual([0, 1]);
    expect(big!.parentStageIds).toEqual([0]);
  });

  it('plans a sort-merge join over the threshold: both sides shuffled into shufflePartitions', () => {
    const result = plan({ source: facts, operations: [joinWith(table(50 * MiB, 2))] });
    expect(result.joins[0]).toMatchObject({ strategy: 'sort_merge', broadcastSide: null, shufflesLeft: true, shufflesRight: true });
    expect(result.stages.map((stage) => stage.shuffleWriteBytes.value)).toEqual([10 * GiB, 50 * MiB, 0]);
    expect(result.stages[2]!.boundary).toMatchObject({ op: 'join', operationIndex: 0 });
    expect(result.stages[2]!.parentStageIds).toEqual([0, 1]);
    expect(result.stages[2]!.tasks.value).toBe(200);
    expect(result.insights.map((insight) => insight.id)).toContain('broadcast-join:operations-0');
  });

  it('never broadcasts by size with a threshold of -1', () => {
    const result = plan({ source: facts, operations: [joinWith(table(5 * MiB, 1))], config: { autoBroadcastJoinThresholdBytes: -1 } });
    expect(result.joins[0]!.strategy).toBe('sort_merge');
    expect(result.joins[0]!.reason).toContain('-1 (disabled)');
    expect(result.aqe.filter((action) => action.kind === 'switch-to-broadcast')).toEqual([]);
  });

  it('lets a broadcast hint override the threshold', () => {
    const result = plan({ source: facts, operations: [joinWith(table(500 * MiB, 4), { hint: 'broadcast' })] });
    expect(result.joins[0]).toMatchObject({ strategy: 'broadcast_hash', broadcastSide: 'right', shufflesLeft: false });
    expect(result.joins[0]!.reason).toContain('hint');
  });

  it('lets a merge hint force a sort-merge join of a small side', () => {
    const result = plan({ source: facts, operations: [joinWith(table(5 * MiB, 1), { hint: 'merge' })] });
    expect(result.joins[0]!.strategy).toBe('sort_merge');
  });

  it('cannot broadcast the preserved side: a left join with a small left side shuffles both', () => {
    const result = plan({ source: table(5 * MiB, 1), operations: [joinWith(facts, { joinType: 'left' })] });
    expect(result.joins[0]!.strategy).toBe('sort_merge');
    expect(result.joins[0]!.reason).toContain('cannot broadcast its left side');
  });

  it('broadcasts a small left side of an inner join; the right side streams', () => {
    const result = plan({ source: table(5 * MiB, 1), operations: [joinWith(facts)] });
    expect(result.joins[0]).toMatchObject({ strategy: 'broadcast_hash', broadcastSide: 'left' });
    const streamed = result.stages.at(-1)!;
    expect(streamed.tasks.value).toBe(80);
    expect(streamed.shape).toBe('main');
  });

  it('ignores a broadcast hint on the right side of a right join', () => {
    const result = plan({ source: facts, operations: [joinWith(table(5 * MiB, 1), { joinType: 'right', hint: 'broadcast' })] });
    expect(result.joins[0]!.strategy).toBe('sort_merge');
    expect(result.joins[0]!.reason).toContain('Spark ignores the broadcast hint');
  });

  it('switches a sort-merge join to broadcast at runtime when AQE sees a small filtered side', () => {
    const filtered = { source: { kind: 'files' as const, totalBytes: GiB, fileCount: 8 }, operations: [{ op: 'filter' as const, selectivity: 0.001 }] };
    const result = plan({ source: facts, operations: [{ op: 'join', keys: ['id'], right: filtered }] });
    // The planner keeps the unfiltered 1 GiB (no statistics), so the static plan is a sort-merge join...
    expect(result.joins[0]!.strategy).toBe('sort_merge');
    expect(result.joins[0]!.reason).toContain('AQE would switch');
    // ...and AQE sees about 1 MiB after the shuffle.
    const switched = result.aqe.find((action) => action.kind === 'switch-to-broadcast');
    expect(switched?.before.value).toBe(GiB);
    expect(switched?.after.value).toBeCloseTo(GiB * 0.001, 0);
    expect(switched?.reason).toContain('estimate');
    const off = plan({ source: facts, operations: [{ op: 'join', keys: ['id'], right: filtered }], config: { adaptiveEnabled: false } });
    expect(off.aqe).toEqual([]);
  });

  it('runs a join without an equality condition as a cartesian product when nothing may be broadcast', () => {
    const result = plan({
      source: table(100 * 1000, 2, 1000),
      operations: [{ op: 'join', hasEquiCondition: false, right: { source: table(50 * 1000, 3, 500), operations: [] } }],
      config: { autoBroadcastJoinThresholdBytes: -1 },
    });
    expect(result.joins[0]).toMatchObject({ strategy: 'cartesian', shufflesLeft: false, shufflesRight: false });
    expect(result.stages.at(-1)!.tasks.value).toBe(6);
    const cartesian = result.insights.find((insight) => insight.type === 'cartesian-join');
    expect(cartesian?.evidence.outputRows).toBe(500_000);
    // 500,000 rows × (100 B + 100 B)
    expect(cartesian?.evidence.outputBytes).toBe(100_000_000);
  });

  it('broadcasts the small side of a join without an equality condition (broadcast nested loop)', () => {
    const result = plan({ source: table(GiB, 8), operations: [{ op: 'join', hasEquiCondition: false, right: { source: table(MiB, 1), operations: [] } }] });
    expect(result.joins[0]).toMatchObject({ strategy: 'broadcast_nested_loop', broadcastSide: 'right' });
    expect(result.insights.map((insight) => insight.type)).toContain('cartesian-join');
  });

  it('says which shape each join belongs to, so a join inside a right side is not mistaken for the main one', () => {
    const nested: ShapeOperation = {
      op: 'join',
      right: { source: table(20 * GiB, 200), operations: [{ op: 'join', right: { source: table(MiB, 1), operations: [] } }] },
    };
    const result = plan({ source: table(40 * GiB, 400), operations: [nested] });
    expect(result.joins.map((join) => [join.shape, join.operationIndex, join.strategy])).toEqual([
      ['right of op 0', 0, 'broadcast_hash'],
      ['main', 0, 'sort_merge'],
    ]);
  });

  it('warns about a broadcast over 8 GiB, which Spark refuses', () => {
    const result = plan({ source: facts, operations: [joinWith(table(9 * GiB, 72), { hint: 'broadcast' })] });
    const large = result.insights.find((insight) => insight.id === 'broadcast-join:large-broadcast-operations-0');
    expect(large?.severity).toBe('CRITICAL');
    expect(large?.description).toContain('larger than 8GB');
  });
});
