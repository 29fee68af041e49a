/** Building blocks for numbers that carry their derivation in words. */

import { formatBytes } from '../../analysis/format.js';
import type { DerivedNumber } from './shape-types.js';

/** A number with the sentence that explains it. */
export function derived(value: number, derivation: string): DerivedNumber {
  // Products of fractions leave float noise (7999999.999999999); three decimals keep every meaningful digit.
  return { value: Math.round(value * 1000) / 1000, derivation };
}

/** "1 file", "80 files". */
export function plural(count: number, noun: string): string {
  return `${formatCount(count)} ${noun}${count === 1 ? '' : 's'}`;
}

/** A count as people read it: "1,000", "2.5", "0.004". */
export function formatCount(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en-US');
  return String(Number(value.toPrecision(3)));
}

/** Bytes for derivations; exact byte counts below 1 KB read better than "0 KB". */
export function bytes(value: number): string {
  return formatBytes(value);
}

/** A 0-1 fraction as written in derivations: "× 0.5". */
export function fraction(value: number): string {
  return String(Number(value.toPrecision(3)));
}
