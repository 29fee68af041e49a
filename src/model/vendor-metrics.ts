/**
 * Metrics a vendor engine keeps in its own SQL accumulators while Spark's standard task metrics read 0. Databricks
 * Photon reports a task's peak execution memory in accumulators named "... peak memory usage" (one per operator;
 * the task's peak is the largest) and its shuffle write time in the parts named "... (part of shuffle file
 * write)" (summed; nanoseconds, like Spark's own shuffle write time). Matched by name so every operator and
 * runtime version that follows the naming is read, not one log's list of ids.
 */
export const VENDOR_TASK_METRICS = {
  peakExecutionMemory: { engine: 'photon', namePart: 'peak memory usage', combine: 'max' },
  shuffleWriteTime: { engine: 'photon', namePart: 'part of shuffle file write', combine: 'sum' },
} as const;

/** The name fragments of every vendor metric the store keeps from task ends. */
const vendorMetricNameParts: readonly string[] = Object.values(VENDOR_TASK_METRICS).map((metric) => metric.namePart);

/** SQL: whether the accumulable name expression `name` is one of the vendor metrics kept. */
export function isVendorMetricNameSql(name: string): string {
  return `(${vendorMetricNameParts.map((part) => `contains(${name}, '${part}')`).join(' OR ')})`;
}

/** The name fragments as the alternatives of a regular expression (escaped). */
const vendorMetricNameAlternatives = vendorMetricNameParts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');

/** Whether a text holds a vendor metric's name (JavaScript's counterpart of {@link isVendorMetricNameSql}). */
export const VENDOR_METRIC_NAME = new RegExp(vendorMetricNameAlternatives);

/**
 * A regular expression for one accumulable object of a vendor metric as Spark writes it in a task end
 * (`{"ID":7,"Name":"... peak memory usage","Update":...,"Metadata":"sql"}`, no nested braces): lets the ingest
 * pick these few out of a line of hundreds without parsing the rest.
 */
export const vendorAccumulableRegex = `\\{"ID":[0-9]+,"Name":"[^"]*(?:${vendorMetricNameAlternatives})[^"]*"[^{}]*\\}`;
