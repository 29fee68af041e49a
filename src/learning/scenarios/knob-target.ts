import type { ShapeConfig, ShapeOperation } from '../../simulation/shape/shape-types.js';

/**
 * Where a knob acts, parsed from its `target` string in a scenario file. Operation indexes always refer to the
 * scenario's "before" shape, so knobs that insert or drop operations never shift what other knobs point at.
 */
export type KnobTarget =
  /** `config.shufflePartitions`: a Spark setting of the shape's config. */
  | { kind: 'config'; field: keyof ShapeConfig }
  /** `operations[3].hint`, `operations[1].op`, `operations[2].right.source.totalBytes`: a field of one operation. */
  | { kind: 'operationField'; operation: number; path: string[] }
  /** `operations[4]` with true/false: keep or drop that operation (e.g. a collect, a cache). */
  | { kind: 'keepOperation'; operation: number }
  /** `insert before operations[3]` with true/false: add the knob's `operation` there (e.g. a coalesce). */
  | { kind: 'insertOperation'; before: number }
  /** `answer`: the learner's diagnosis of a log; it changes nothing in the shape, conditions compare it. */
  | { kind: 'answer' };

/** The config fields a knob may target (every field of ShapeConfig). */
export const configFields = [
  'shufflePartitions',
  'adaptiveEnabled',
  'autoBroadcastJoinThresholdBytes',
  'maxPartitionBytes',
  'openCostInBytes',
  'advisoryPartitionSizeBytes',
  'skewJoinEnabled',
  'skewedPartitionFactor',
  'skewedPartitionThresholdBytes',
  'executors',
  'coresPerExecutor',
  'executorMemoryBytes',
  'driverMaxResultSizeBytes',
] as const satisfies ReadonlyArray<keyof ShapeConfig>;

/** The operation fields a knob may target (every field of ShapeOperation). */
export const operationFields = [
  'op',
  'selectivity',
  'sizeFactor',
  'keys',
  'distinctGroups',
  'hotKeyShare',
  'saltBuckets',
  'partitions',
  'right',
  'joinType',
  'hint',
  'hasEquiCondition',
  'reuseCount',
  'partitionValues',
  'keyCardinality',
] as const satisfies ReadonlyArray<keyof ShapeOperation>;

// Compile-time check that the lists above miss no field: adding one to the contract breaks the build here.
type Missing<All, Listed> = Exclude<All, Listed> extends never ? true : Exclude<All, Listed>;
const configComplete: Missing<keyof ShapeConfig, (typeof configFields)[number]> = true;
const operationComplete: Missing<keyof ShapeOperation, (typeof operationFields)[number]> = true;
void configComplete;
void operationComplete;

/** The forms a knob target may take, for error messages. */
export const TARGET_FORMS =
  '"config.<field>", "operations[N].<field>", "operations[N]" (keep or drop), "insert before operations[N]" or "answer"';

/** Parses a knob's `target`; returns a reason instead when it is not one of the known forms or fields. */
export function parseKnobTarget(target: string): KnobTarget | { error: string } {
  if (target === 'answer') return { kind: 'answer' };
  const config = /^config\.(\w+)$/.exec(target);
  if (config) {
    const field = config[1]!;
    return (configFields as readonly string[]).includes(field)
      ? { kind: 'config', field: field as keyof ShapeConfig }
      : { error: `"${field}" is not a config field; known: ${configFields.join(', ')}` };
  }
  const insert = /^insert before operations\[(\d+)\]$/.exec(target);
  if (insert) return { kind: 'insertOperation', before: Number(insert[1]) };
  const keep = /^operations\[(\d+)\]$/.exec(target);
  if (keep) return { kind: 'keepOperation', operation: Number(keep[1]) };
  const field = /^operations\[(\d+)\]\.(\w+(?:\.\w+)*)$/.exec(target);
  if (field) {
    const path = field[2]!.split('.');
    return (operationFields as readonly string[]).includes(path[0]!)
      ? { kind: 'operationField', operation: Number(field[1]), path }
      : { error: `"${path[0]}" is not an operation field; known: ${operationFields.join(', ')}` };
  }
  return { error: `"${target}" is not a knob target; use ${TARGET_FORMS}` };
}
