/**
 * Turns untrusted JSON (a CLI file, a GraphQL input mapped to plain objects) into a ShapeInput, or throws a
 * BadInputError naming every problem with its path ("operations[2].partitions must be a positive integer").
 */

import { z } from 'zod';
import { BadInputError } from '../../errors.js';
import { sparkDefaults, MiB, RESERVED_MEMORY_BYTES } from './shape-config.js';
import { joinHints, joinTypes, operationKinds, type OperationKind, type ShapeInput } from './shape-types.js';

/** Right sides of joins and unions nest at most this deep (a right side of a right side... counts each level). */
export const MAX_NESTING_DEPTH = 4;
/** Operations in the whole input, right sides included. */
export const MAX_OPERATIONS = 200;
/** Partition, file and group counts above this are not a Spark job anyone runs; they would only slow the arithmetic. */
const MAX_COUNT = 10_000_000;
/** Spark refuses an executor heap under 1.5 × its reserved 300 MiB. */
const MIN_EXECUTOR_MEMORY_BYTES = 1.5 * RESERVED_MEMORY_BYTES;

const fileFormats = ['parquet', 'orc', 'csv', 'json', 'delta', 'text', 'gzip-csv'] as const;

/** The fields each operation takes (besides `op`); any other field is rejected by name. */
const fieldsByOperation: Record<OperationKind, readonly string[]> = {
  filter: ['selectivity'],
  select: ['sizeFactor'],
  withColumn: ['sizeFactor'],
  map: ['sizeFactor'],
  groupBy: ['keys', 'distinctGroups', 'hotKeyShare'],
  groupByKey: ['keys', 'distinctGroups', 'hotKeyShare'],
  distinct: ['keys', 'distinctGroups', 'hotKeyShare'],
  join: ['right', 'joinType', 'hint', 'keys', 'hasEquiCondition', 'hotKeyShare', 'saltBuckets', 'keyCardinality', 'selectivity'],
  repartition: ['partitions', 'keys', 'hotKeyShare'],
  coalesce: ['partitions'],
  orderBy: ['keys', 'hotKeyShare'],
  window: ['keys', 'hotKeyShare'],
  union: ['right'],
  cache: ['reuseCount'],
  collect: [],
  write: ['keys', 'partitionValues'],
};

/** The fields each source kind takes. */
const sourceFields: Record<'files' | 'table', readonly string[]> = {
  files: ['kind', 'totalBytes', 'fileCount', 'format', 'rowCount', 'rowGroupBytes'],
  table: ['kind', 'totalBytes', 'partitions', 'rowCount'],
};

/** Operations that end the pipeline with an action. */
const actions: ReadonlySet<string> = new Set(['collect', 'write']);

/** A zod error map: "is required" when absent, else "must be <what>". */
function mustBe(what: string): (issue: { input?: unknown }) => string {
  return (issue) => (issue.input === undefined ? 'is required' : `must be ${what}`);
}

const positiveInteger = (): z.ZodNumber =>
  z
    .number({ error: mustBe('a positive integer') })
    .int({ error: 'must be a positive integer' })
    .min(1, { error: 'must be a positive integer' })
    .max(MAX_COUNT, { error: `must be at most ${MAX_COUNT.toLocaleString('en-US')}` });

const byteSize = (): z.ZodNumber =>
  z.number({ error: mustBe('a number of bytes ≥ 0') }).min(0, { error: 'must be ≥ 0' }).max(Number.MAX_SAFE_INTEGER, { error: 'must be at most 2^53 bytes' });

const positiveByteSize = (): z.ZodNumber =>
  z.number({ error: mustBe('a number of bytes > 0') }).positive({ error: 'must be > 0' }).max(Number.MAX_SAFE_INTEGER, { error: 'must be at most 2^53 bytes' });

const share = (): z.ZodNumber =>
  z.number({ error: mustBe('a fraction in (0, 1]') }).gt(0, { error: 'must be a fraction in (0, 1]' }).max(1, { error: 'must be a fraction in (0, 1]' });

const rowCount = (): z.ZodNumber =>
  z.number({ error: mustBe('a whole number of rows ≥ 1') }).int({ error: 'must be a whole number of rows ≥ 1' }).min(1, { error: 'must be a whole number of rows ≥ 1' }).max(Number.MAX_SAFE_INTEGER, { error: 'must be at most 2^53' });

const sourceSchema = z.looseObject(
  {
  kind: z.enum(['files', 'table'], { error: mustBe('"files" or "table"') }),
  totalBytes: byteSize(),
  fileCount: positiveInteger().optional(),
  format: z.enum(fileFormats, { error: mustBe(`one of ${fileFormats.join(', ')}`) }).optional(),
  partitions: positiveInteger().optional(),
  rowCount: rowCount().optional(),
  rowGroupBytes: positiveByteSize().optional(),
  },
  { error: mustBe('an object') },
);

const configSchema = z.strictObject(
  {
    shufflePartitions: positiveInteger().optional(),
    adaptiveEnabled: z.boolean({ error: 'must be true or false' }).optional(),
    autoBroadcastJoinThresholdBytes: z
      .number({ error: 'must be -1 (disabled) or a size in bytes ≥ 0' })
      .min(-1, { error: 'must be -1 (disabled) or a size in bytes ≥ 0' })
      .max(Number.MAX_SAFE_INTEGER, { error: 'must be at most 2^53 bytes' })
      .optional(),
    maxPartitionBytes: positiveByteSize().optional(),
    openCostInBytes: byteSize().optional(),
    advisoryPartitionSizeBytes: positiveByteSize().optional(),
    skewJoinEnabled: z.boolean({ error: 'must be true or false' }).optional(),
    skewedPartitionFactor: z.number({ error: 'must be a number ≥ 1' }).min(1, { error: 'must be a number ≥ 1' }).max(1000, { error: 'must be at most 1000' }).optional(),
    skewedPartitionThresholdBytes: byteSize().optional(),
    executors: positiveInteger().max(100_000, { error: 'must be at most 100,000' }).optional(),
    coresPerExecutor: positiveInteger().max(256, { error: 'must be at most 256' }).optional(),
    executorMemoryBytes: z
      .number({ error: mustBe('a number of bytes') })
      .min(MIN_EXECUTOR_MEMORY_BYTES, { error: `must be at least ${MIN_EXECUTOR_MEMORY_BYTES / MiB} MiB (Spark refuses less than 1.5 × its 300 MiB reserved memory)` })
      .max(Number.MAX_SAFE_INTEGER, { error: 'must be at most 2^53 bytes' })
      .optional(),
    driverMaxResultSizeBytes: byteSize().optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown settings ${issue.keys.join(', ')} (known: ${Object.keys(sparkDefaults).join(', ')})` : 'must be an object') },
);

const operationSchema = z.looseObject({
  op: z.enum(operationKinds, {
    error: (issue) =>
      issue.input === undefined
        ? `is required (one of ${operationKinds.join(', ')})`
        : `${JSON.stringify(issue.input)} is not a known operation (known: ${operationKinds.join(', ')})`,
  }),
  selectivity: share().optional(),
  sizeFactor: z.number({ error: 'must be a number > 0' }).positive({ error: 'must be a number > 0' }).max(1000, { error: 'must be at most 1000' }).optional(),
  keys: z.array(z.string({ error: 'must be a column name' }).min(1, { error: 'must be a column name' }), { error: 'must be a list of column names' }).max(32, { error: 'takes at most 32 columns' }).optional(),
  distinctGroups: rowCount().optional(),
  hotKeyShare: share().optional(),
  saltBuckets: z.number({ error: 'must be a whole number ≥ 2' }).int({ error: 'must be a whole number ≥ 2' }).min(2, { error: 'must be a whole number ≥ 2' }).max(10_000, { error: 'must be at most 10,000' }).optional(),
  partitions: positiveInteger().optional(),
  get right(): z.ZodOptional<typeof shapeSchema> {
    return shapeSchema.optional();
  },
  joinType: z.enum(joinTypes, { error: mustBe(`one of ${joinTypes.join(', ')}`) }).optional(),
  hint: z.enum(joinHints, { error: mustBe(`one of ${joinHints.join(', ')}`) }).optional(),
  hasEquiCondition: z.boolean({ error: 'must be true or false' }).optional(),
  reuseCount: z.number({ error: 'must be a whole number ≥ 0' }).int({ error: 'must be a whole number ≥ 0' }).min(0, { error: 'must be a whole number ≥ 0' }).max(MAX_COUNT, { error: 'is too large' }).optional(),
  partitionValues: positiveInteger().optional(),
  keyCardinality: rowCount().optional(),
}, { error: mustBe('an object') });

const shapeSchema = z.strictObject(
  {
    source: sourceSchema,
    operations: z.array(operationSchema, { error: mustBe('a list of operations') }),
    config: configSchema.optional(),
  },
  { error: (issue) => (issue.code === 'unrecognized_keys' ? `has unknown fields ${issue.keys.join(', ')} (a shape takes source, operations, config)` : 'must be an object') },
);

/** "operations[2].right.source.totalBytes" from zod's path. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${part}]` : text === '' ? String(part) : `${text}.${String(part)}`), '');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Problems zod's per-field rules cannot see: nesting depth and the number of operations (checked before zod
 * recurses), actions that are not last, and configuration on a right side.
 */
function structuralProblems(raw: unknown): { limits: string[]; placement: string[] } {
  const limits: string[] = [];
  const placement: string[] = [];
  const checkSource = (source: unknown, path: string): void => {
    if (!isRecord(source) || (source.kind !== 'files' && source.kind !== 'table')) return;
    const allowed = sourceFields[source.kind];
    for (const key of Object.keys(source)) {
      if (!allowed.includes(key)) placement.push(`${path}.${key} does not apply to a ${source.kind} source (it takes ${allowed.join(', ')})`);
    }
    if (source.kind === 'files' && source.fileCount === undefined) placement.push(`${path}.fileCount is required for a files source`);
    if (source.kind === 'table' && source.partitions === undefined) placement.push(`${path}.partitions is required for a table source`);
  };
  const checkOperation = (operation: Record<string, unknown>, here: string): void => {
    const op = operation.op;
    if (typeof op !== 'string' || !(operationKinds as readonly string[]).includes(op)) return;
    const allowed = fieldsByOperation[op as OperationKind];
    const takes = `${op} takes ${allowed.length > 0 ? allowed.join(', ') : 'no fields'}`;
    for (const key of Object.keys(operation)) {
      if (key === 'op' || allowed.includes(key)) continue;
      const known = Object.values(fieldsByOperation).some((fields) => fields.includes(key));
      placement.push(`${here}.${key} ${known ? `does not apply to ${op}` : 'is not a known field'} (${takes})`);
    }
    if ((op === 'join' || op === 'union') && operation.right === undefined) placement.push(`${here} (${op}) needs a right side`);
    if (op === 'coalesce' && operation.partitions === undefined) placement.push(`${here} (coalesce) needs partitions`);
    if (op === 'repartition' && operation.partitions === undefined && operation.keys === undefined) {
      placement.push(`${here} (repartition) needs partitions, keys or both`);
    }
    if (op === 'repartition' && operation.hotKeyShare !== undefined && operation.keys === undefined) {
      placement.push(`${here}.hotKeyShare needs keys: repartition(n) without keys deals rows out round-robin, evenly`);
    }
    if (op === 'join' && operation.keyCardinality !== undefined && (operation.hasEquiCondition === false || operation.joinType === 'cross')) {
      placement.push(`${here}.keyCardinality needs an equality condition (a join without one pairs every row with every row)`);
    }
    if (op === 'join' && operation.joinType === 'cross' && operation.hasEquiCondition === true) {
      placement.push(`${here}.hasEquiCondition cannot be true for a cross join`);
    }
  };
  let operationCount = 0;
  const walk = (shape: unknown, path: string, depth: number): void => {
    if (!isRecord(shape) || !Array.isArray(shape.operations)) return;
    const operations: unknown[] = shape.operations;
    checkSource(shape.source, path === '' ? 'source' : `${path}.source`);
    if (depth > 0 && shape.config !== undefined) placement.push(`${path}.config is not allowed: a right side uses the top-level config`);
    operationCount += operations.length;
    operations.forEach((operation: unknown, index: number) => {
      if (!isRecord(operation)) return;
      const here = `${path === '' ? '' : `${path}.`}operations[${index}]`;
      checkOperation(operation, here);
      const op = operation.op;
      if (typeof op === 'string' && actions.has(op)) {
        if (depth > 0) placement.push(`${here} (${op}) is an action; a join or union's right side cannot end in one`);
        else if (index !== operations.length - 1) placement.push(`${here} (${op}) is an action and must be the last operation`);
      }
      if (operation.right === undefined) return;
      if (depth + 1 > MAX_NESTING_DEPTH) {
        limits.push(`${here}.right nests right sides deeper than ${MAX_NESTING_DEPTH} levels`);
        return;
      }
      walk(operation.right, `${here}.right`, depth + 1);
    });
  };
  walk(raw, '', 0);
  if (operationCount > MAX_OPERATIONS) limits.push(`the shape has ${operationCount} operations; at most ${MAX_OPERATIONS} are allowed (right sides included)`);
  return { limits, placement };
}

/** Validates a raw shape; throws BadInputError listing every problem with its path. */
export function parseShapeInput(raw: unknown): ShapeInput {
  const { limits, placement } = structuralProblems(raw);
  // Past the limits zod would recurse into arbitrarily deep input: stop here.
  if (limits.length > 0) throw new BadInputError(`The shape is not valid: ${limits.join('; ')}`);
  const parsed = shapeSchema.safeParse(raw);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => {
        const path = formatPath(issue.path);
        return path === '' ? `the shape ${issue.message}` : `${path} ${issue.message}`;
      });
  problems.push(...placement);
  // Ordered by path (numerically: operations[2] before operations[10]) so each operation's problems read together.
  const ordered = [...new Set(problems)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (ordered.length > 0 || !parsed.success) throw new BadInputError(`The shape is not valid: ${ordered.join('; ')}`);
  return parsed.data as ShapeInput;
}
