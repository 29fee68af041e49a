import { validateOrReject, type ValidatorOptions } from 'class-validator';
import { ArgumentValidationError, type ValidatorFn } from 'type-graphql';

/** Argument values remembered as valid; the oldest go first beyond this. */
const MAX_REMEMBERED = 2_000;
/** Longest argument value (as JSON) remembered, so what a client sends cannot fill the memory. */
const MAX_REMEMBERED_LENGTH = 1_024;

/**
 * Whether `value` is data that JSON text describes completely (numbers, strings, booleans, null, arrays,
 * and objects of those): two such values with the same JSON pass or fail the same validators. A Date, an
 * upload's stream or a bigint is not.
 */
function isPlainData(value: unknown): boolean {
  if (value === null || value === undefined) return true;
  const type = typeof value;
  if (type === 'string' || type === 'boolean') return true;
  if (type === 'number') return Number.isFinite(value);
  if (type !== 'object') return false;
  if (Array.isArray(value)) return value.every(isPlainData);
  const prototype = Object.getPrototypeOf(value) as object | null;
  // Plain objects and the argument classes type-graphql builds (whose prototype chain ends in Object).
  if (prototype !== null && prototype !== Object.prototype && Object.getPrototypeOf(prototype) !== Object.prototype) return false;
  return Object.values(value as Record<string, unknown>).every(isPlainData);
}

/**
 * type-graphql's argument validation (class-validator on each argument object, with `options`), with the
 * verdict remembered for values seen before: a query asks every stage of an application for its task
 * summary with the same arguments, and a dashboard asks the same query again and again, so validating each
 * distinct value once saves most of the work. Only successes are remembered, and only for plain data of up to
 * a kilobyte of JSON, keyed by the argument's class and that JSON; an invalid value is checked (and refused)
 * every time.
 */
export function rememberingValidator(options: ValidatorOptions): ValidatorFn {
  const settings: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false, ...options };
  const valid = new Set<string>();
  const classIds = new WeakMap<object, number>();
  let nextClassId = 0;
  const classId = (type: object): number => {
    let id = classIds.get(type);
    if (id === undefined) {
      id = nextClassId++;
      classIds.set(type, id);
    }
    return id;
  };
  const validateOne = async (value: object): Promise<void> => {
    const json = isPlainData(value) ? JSON.stringify(value) : undefined;
    const key = json !== undefined && json.length <= MAX_REMEMBERED_LENGTH ? `${classId(value.constructor)}:${json}` : null;
    if (key !== null && valid.has(key)) return;
    await validateOrReject(value, settings);
    if (key === null) return;
    valid.add(key);
    if (valid.size > MAX_REMEMBERED) valid.delete(valid.keys().next().value!);
  };
  return async (argValue: unknown) => {
    // As type-graphql itself validates: argument objects (and lists of them), not scalars.
    const values = (Array.isArray(argValue) ? argValue : [argValue]).filter(
      (value): value is object => value !== null && typeof value === 'object',
    );
    try {
      for (const value of values) await validateOne(value);
    } catch (error) {
      throw new ArgumentValidationError(error as ConstructorParameters<typeof ArgumentValidationError>[0]);
    }
  };
}
