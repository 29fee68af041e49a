/**
 * Numbers no field of a Spark event can hold. Spark writes its ids, counts, sizes and times as 64-bit integers (Java
 * longs and ints) and its few doubles far below 2^63, so a number at or past 2^63 (or one JSON writes as 1e400) is not
 * Spark's: task events are read by DuckDB's reader, which names such a line; the other events are parsed leniently,
 * which would store the field as unknown without a word. They are looked for here instead.
 */

/**
 * What a line must hold to be looked at: a number of 19 digits or more, one with an exponent, or a NaN or infinity
 * (which JSON has not, but DuckDB's reader takes inside maps and lists, and JavaScript's JSON.parse then refuses), where
 * JSON puts a value (after a colon, comma or bracket). Strings rarely match; {@link numberPast64Bits} then says.
 */
export const MAY_HOLD_NUMBER_PAST_64_BITS_SQL = `'[:,\\[] *-?(?:[0-9]{19}|[0-9]+(?:\\.[0-9]+)?[eE]|[Nn][Aa][Nn]|[Ii][Nn][Ff])'`;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LARGEST = 2n ** 63n - 1n;
const SMALLEST = -(2n ** 63n);
/** A JSON number: its integer digits, then a fraction or exponent if any. */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** A word outside strings that is no JSON literal (true, false, null): a NaN or infinity as lenient writers put them. */
const NOT_A_JSON_LITERAL = /-?(?!(?:true|false|null)\b)[A-Za-z]+/y;

/**
 * The first number of a JSON `line` (outside its strings) that a 64-bit integer cannot hold, as written, or the first
 * word that is no JSON literal (NaN, Infinity); null when every number fits. An integer is compared exactly; a number
 * with a fraction or exponent by its magnitude.
 */
export function numberPast64Bits(line: string): string | null {
  for (let at = 0; at < line.length; at += 1) {
    const code = line.charCodeAt(at);
    if (code === QUOTE) {
      // Past the string: to its closing quote, stepping over escapes.
      for (at += 1; at < line.length && line.charCodeAt(at) !== QUOTE; at += line.charCodeAt(at) === BACKSLASH ? 2 : 1);
      continue;
    }
    if (isLetter(code) || (code === 0x2d /* - */ && isLetter(line.charCodeAt(at + 1)))) {
      NOT_A_JSON_LITERAL.lastIndex = at;
      const word = NOT_A_JSON_LITERAL.exec(line)?.[0];
      if (word !== undefined) return word;
      // true, false or null: past it.
      for (at += 1; at < line.length && isLetter(line.charCodeAt(at)); at += 1);
      at -= 1;
      continue;
    }
    if (code !== 0x2d /* - */ && (code < 0x30 || code > 0x39)) continue;
    NUMBER.lastIndex = at;
    const token = NUMBER.exec(line)?.[0];
    if (token === undefined) continue;
    at += token.length - 1;
    if (!fitsIn64Bits(token)) return token;
  }
  return null;
}

function isLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function fitsIn64Bits(token: string): boolean {
  if (/^-?[0-9]+$/.test(token)) {
    if (token.length < 19) return true;
    const value = BigInt(token);
    return value >= SMALLEST && value <= LARGEST;
  }
  const value = Number(token);
  return Number.isFinite(value) && Math.abs(value) < 2 ** 63;
}

/** A non-task event holds a number no field can hold; the ingest names the line holding {@link value}. */
export class NumberPast64BitsError extends Error {
  override readonly name = 'NumberPast64BitsError';
  constructor(
    /** The number as the log writes it. */
    readonly value: string,
  ) {
    super(numberNoFieldHolds(value));
  }
}

/** A JSON value written as a number (or as the NaN and Infinity JSON has not), as opposed to a string, list or object. */
const WRITTEN_AS_NUMBER = /^[-+]?(?:[0-9.]|nan|inf)/i;

/**
 * How a refusal names such a number, wherever it was found (DuckDB's reader of task events names them too); a value
 * that is no number at all (`""`, a list) where the event has one is told as such.
 */
export function numberNoFieldHolds(value: string): string {
  const shown = value.slice(0, 40);
  return WRITTEN_AS_NUMBER.test(value)
    ? `the number ${shown}, which no field of its event can hold (a 64-bit integer)`
    : `${shown} where its event has a number (a 64-bit integer)`;
}
