import { simulateShape } from '../../src/simulation/shape/shape-simulator.js';
import type { DerivedNumber, ShapeInput, ShapeResult, ShapeSource } from '../../src/simulation/shape/shape-types.js';

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const GiB = 1024 * MiB;

/** A table source of `totalBytes` in `partitions` equal partitions. */
export function table(totalBytes: number, partitions: number, rowCount?: number): ShapeSource {
  return rowCount === undefined ? { kind: 'table', totalBytes, partitions } : { kind: 'table', totalBytes, partitions, rowCount };
}

/** Simulates and returns the result (a shorthand for tests). */
export function plan(input: ShapeInput): ShapeResult {
  return simulateShape(input);
}

/** Every DerivedNumber in a result, with its path, to check that each says how it was derived. */
export function derivedNumbers(value: unknown, path = 'result'): Array<{ path: string; number: DerivedNumber }> {
  if (Array.isArray(value)) return value.flatMap((item, index) => derivedNumbers(item, `${path}[${index}]`));
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.value === 'number' && typeof record.derivation === 'string') return [{ path, number: record as unknown as DerivedNumber }];
  return Object.entries(record).flatMap(([key, item]) => derivedNumbers(item, `${path}.${key}`));
}
