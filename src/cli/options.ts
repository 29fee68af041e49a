import { BadInputError } from '../errors.js';

/** Parser of an option taking an ISO-8601 date or date-time (`--from`, `--since`); anything else is bad input naming `flag`. */
export function parseTime(flag: string): (value: string) => Date {
  return (value) => {
    const time = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
    if (Number.isNaN(time)) {
      throw new BadInputError(`${flag} takes an ISO-8601 date or time such as 2026-12-01 or 2026-12-01T06:00:00Z, got "${value}"`);
    }
    return new Date(time);
  };
}

/** Parser of an option taking a whole number from `min` to `max`; anything else is bad input naming `flag`. */
export function parseWhole(flag: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new BadInputError(`${flag} takes a whole number from ${min} to ${max}, got "${value}"`);
    }
    return Number(value);
  };
}
