import { KiB } from '../model/units.js';
/**
 * SQL metric values as History Server writes them (Spark's SQLMetrics.stringValue, Spark 3.1+): a sum as a
 * grouped integer; sizes, timings and averages with their total, min, median and max over the tasks and the
 * task that holds the max.
 */

/** The task that reported a metric's largest value. */
export interface MaxTask {
  stageId: number;
  stageAttemptId: number;
  taskId: number;
}

const UNITS: Array<[string, number]> = [
  ['EiB', 2 ** 60],
  ['PiB', 2 ** 50],
  ['TiB', 2 ** 40],
  ['GiB', 2 ** 30],
  ['MiB', 2 ** 20],
  ['KiB', KiB],
];

/** Java's "%.1f" (HALF_UP) of a non-negative number. */
function oneDecimal(value: number): string {
  return (Math.round(value * 10 + 1e-9) / 10).toFixed(1);
}

/** Spark's Utils.bytesToString: the largest unit of which the size holds at least two. */
export function bytesToString(size: number): string {
  for (const [unit, bytes] of UNITS) {
    if (size >= 2 * bytes) return `${oneDecimal(size / bytes)} ${unit}`;
  }
  return `${oneDecimal(size)} B`;
}

/** Spark's Utils.msDurationToString. */
export function msDurationToString(ms: number): string {
  const second = 1000;
  const minute = 60 * second;
  const hour = 60 * minute;
  if (ms < second) return `${ms} ms`;
  if (ms < minute) return `${(ms / second).toFixed(1)} s`;
  if (ms < hour) return `${(ms / minute).toFixed(1)} m`;
  return `${(ms / hour).toFixed(2)} h`;
}

const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** Spark's NumberFormat.getNumberInstance(Locale.US): up to three decimals, HALF_EVEN rounding. */
const decimal = new Intl.NumberFormat('en-US', { maximumFractionDigits: 3, roundingMode: 'halfEven' } as Intl.NumberFormatOptions);

/** An average metric is stored ten times its value (SQLMetrics' baseForAvgMetric). */
const AVERAGE_BASE = 10;

function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/**
 * One metric's value as History Server shows it, from the values of its tasks (one per partition, 0 for a
 * partition that reported nothing, plus the driver's own update last) and the task holding the largest.
 */
export function sqlMetricText(metricType: string, values: readonly number[], maxTask: MaxTask | null): string {
  const taskInfo = maxTask ? `(stage ${maxTask.stageId}.${maxTask.stageAttemptId}: task ${maxTask.taskId})` : '(driver)';
  if (metricType === 'sum') return grouped.format(values.reduce((total, v) => total + v, 0));
  if (metricType === 'average') {
    const valid = sortedCopy(values.filter((v) => v > 0));
    const format = (v: number): string => decimal.format(v / AVERAGE_BASE);
    if (valid.length <= 1) return format(valid[0] ?? 0);
    // History Server strips the leading newline Spark puts before the list.
    return `(${format(valid[0]!)}, ${format(valid[valid.length >> 1]!)}, ${format(valid[valid.length - 1]!)} ${taskInfo})`;
  }
  const format =
    metricType === 'size'
      ? bytesToString
      : metricType === 'timing'
        ? msDurationToString
        : metricType === 'nsTiming'
          ? (ns: number): string => msDurationToString(Math.trunc(ns / 1e6))
          : null;
  // A metric type Spark does not know: its value as a plain number rather than an error.
  if (!format) return grouped.format(values.reduce((total, v) => total + v, 0));
  const valid = sortedCopy(values.filter((v) => v >= 0));
  if (valid.length <= 1) return format(valid[0] ?? 0);
  const sum = valid.reduce((total, v) => total + v, 0);
  return (
    `total (min, med, max (stageId: taskId))\n${format(sum)} (${format(valid[0]!)}, ` +
    `${format(valid[valid.length >> 1]!)}, ${format(valid[valid.length - 1]!)} ${taskInfo})`
  );
}
