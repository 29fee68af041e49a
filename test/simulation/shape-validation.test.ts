import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { MAX_NESTING_DEPTH, MAX_OPERATIONS, parseShapeInput } from '../../src/simulation/shape/shape-validation.js';

const source = { kind: 'table', totalBytes: 1024, partitions: 2 };
const shape = (operations: unknown[], extra: Record<string, unknown> = {}): unknown => ({ source, operations, ...extra });

function problemOf(raw: unknown): string {
  try {
    parseShapeInput(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(BadInputError);
    return (error as Error).message;
  }
  throw new Error('expected the shape to be rejected');
}

describe('parseShapeInput', () => {
  it('accepts a valid shape and returns it unchanged', () => {
    const raw = shape([{ op: 'filter', selectivity: 0.2 }, { op: 'join', joinType: 'left', right: { source, operations: [{ op: 'select', sizeFactor: 0.3 }] } }, { op: 'write', partitionValues: 10 }], {
      config: { shufflePartitions: 50, autoBroadcastJoinThresholdBytes: -1 },
    });
    expect(parseShapeInput(raw)).toEqual(raw);
  });

  it.each([
    [shape([{ op: 'filter' }, { op: 'filter' }, { op: 'repartition', partitions: 0 }]), 'operations[2].partitions must be a positive integer'],
    [shape([{ op: 'repartition', partitions: 2.5 }]), 'operations[0].partitions must be a positive integer'],
    [shape([{ op: 'filter' }, { op: 'filter' }, { op: 'filter' }, { op: 'filter' }, { op: 'join' }]), 'operations[4] (join) needs a right side'],
    [shape([{ op: 'union' }]), 'operations[0] (union) needs a right side'],
    [{ source: { kind: 'files', totalBytes: -1, fileCount: 3 }, operations: [] }, 'source.totalBytes must be ≥ 0'],
    [shape([{ op: 'explode' }]), 'operations[0].op "explode" is not a known operation (known: filter, select, withColumn, map, groupBy'],
    [shape([{ op: 'filter', partitions: 3 }]), 'operations[0].partitions does not apply to filter (filter takes selectivity)'],
    [shape([{ op: 'filter', bogus: 1 }]), 'operations[0].bogus is not a known field'],
    [shape([{ op: 'filter', selectivity: 1.5 }]), 'operations[0].selectivity must be a fraction in (0, 1]'],
    [shape([{ op: 'coalesce' }]), 'operations[0] (coalesce) needs partitions'],
    [shape([{ op: 'repartition' }]), 'operations[0] (repartition) needs partitions, keys or both'],
    [shape([{ op: 'repartition', partitions: 4, hotKeyShare: 0.5 }]), 'operations[0].hotKeyShare needs keys'],
    [shape([{ op: 'join', saltBuckets: 1, right: { source, operations: [] } }]), 'operations[0].saltBuckets must be a whole number ≥ 2'],
    [shape([{ op: 'join', hint: 'fast', right: { source, operations: [] } }]), 'operations[0].hint must be one of none, broadcast'],
    [shape([{ op: 'join', joinType: 'cross', hasEquiCondition: true, right: { source, operations: [] } }]), 'operations[0].hasEquiCondition cannot be true for a cross join'],
    [shape([{ op: 'collect' }, { op: 'filter' }]), 'operations[0] (collect) is an action and must be the last operation'],
    [shape([{ op: 'union', right: { source, operations: [{ op: 'write' }] } }]), "operations[0].right.operations[0] (write) is an action; a join or union's right side cannot end in one"],
    [shape([{ op: 'union', right: { source, operations: [], config: {} } }]), 'operations[0].right.config is not allowed'],
    [shape([{ op: 'union', right: { source: { kind: 'table', totalBytes: 1 }, operations: [] } }]), 'operations[0].right.source.partitions is required for a table source'],
    [{ source: { kind: 'table', totalBytes: 1, partitions: 1, fileCount: 2 }, operations: [] }, 'source.fileCount does not apply to a table source'],
    [{ source: { kind: 'files', totalBytes: 1 }, operations: [] }, 'source.fileCount is required for a files source'],
    [shape([], { config: { shufflePartitions: 0 } }), 'config.shufflePartitions must be a positive integer'],
    [shape([], { config: { autoBroadcastJoinThresholdBytes: -5 } }), 'config.autoBroadcastJoinThresholdBytes must be -1 (disabled) or a size in bytes ≥ 0'],
    [shape([], { config: { executorMemoryBytes: 100 } }), 'config.executorMemoryBytes must be at least 450 MiB'],
    [shape([], { config: { turbo: true } }), 'config has unknown settings turbo'],
    [shape([], { extra: 1 }), 'the shape has unknown fields extra'],
    [{ operations: [] }, 'source is required'],
    ['not a shape', 'the shape must be an object'],
  ])('rejects %j: %s', (raw, message) => {
    expect(problemOf(raw)).toContain(message);
  });

  it('names every problem at once', () => {
    const message = problemOf({ source: { kind: 'files', totalBytes: -1, fileCount: 0 }, operations: [{ op: 'filter', selectivity: 0 }, { op: 'join' }] });
    expect(message).toContain('source.totalBytes must be ≥ 0');
    expect(message).toContain('source.fileCount must be a positive integer');
    expect(message).toContain('operations[0].selectivity must be a fraction in (0, 1]');
    expect(message).toContain('operations[1] (join) needs a right side');
  });

  it(`limits right-side nesting to ${MAX_NESTING_DEPTH} levels`, () => {
    let nested: unknown = { source, operations: [] };
    for (let level = 0; level < MAX_NESTING_DEPTH + 1; level += 1) nested = { source, operations: [{ op: 'union', right: nested }] };
    expect(problemOf(nested)).toContain(`nests right sides deeper than ${MAX_NESTING_DEPTH} levels`);
  });

  it(`limits a shape to ${MAX_OPERATIONS} operations`, () => {
    expect(problemOf(shape(Array.from({ length: MAX_OPERATIONS + 1 }, () => ({ op: 'filter' }))))).toContain(`at most ${MAX_OPERATIONS} are allowed`);
  });
});
