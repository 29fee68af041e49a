import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function toBigInt(value: unknown): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return BigInt(value);
  throw new GraphQLError(`Long cannot represent ${JSON.stringify(String(value))}: expected a whole number`);
}

function inRange(value: bigint): bigint {
  if (value < LONG_MIN || value > LONG_MAX) throw new GraphQLError(`Long cannot represent ${value}: outside 64-bit range`);
  return value;
}

/**
 * A signed 64-bit integer, for byte and time counters that can pass 2^53 in big applications.
 * Serialized as a JSON string of decimal digits so no client loses precision; accepts a string or an integer.
 */
export const LongScalar = new GraphQLScalarType({
  name: 'Long',
  description:
    'A signed 64-bit integer (byte counts, durations and times in milliseconds, record counts). Serialized as a ' +
    'JSON string of decimal digits, e.g. "9007199254740993", because JSON numbers lose precision past 2^53 in ' +
    'JavaScript; parse it with BigInt (or Number when you know it is small). Accepted as input as a string or an integer.',
  serialize: (value) => inRange(toBigInt(value)).toString(),
  parseValue: (value) => inRange(toBigInt(value)),
  parseLiteral: (ast) => {
    if (ast.kind === Kind.INT || ast.kind === Kind.STRING) return inRange(toBigInt(ast.value));
    throw new GraphQLError('Long must be an integer or a string of digits');
  },
});
