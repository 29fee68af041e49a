import { MiB } from '../model/units.js';
/**
 * Spark settings the insights name: the version each first appeared in (the "Since Version" of Spark's
 * configuration docs) and the defaults the detectors measure against, in one place so a suggestion never names a
 * setting the application's Spark does not have.
 */

/** The Spark version (major, minor) each setting (or setting family, ending in ".") first appeared in. */
const SETTING_SINCE: ReadonlyArray<readonly [string, number, number]> = [
  ['spark.sql.adaptive.advisoryPartitionSizeInBytes', 3, 0],
  ['spark.sql.adaptive.coalescePartitions.minPartitionSize', 3, 2],
  ['spark.sql.adaptive.coalescePartitions.parallelismFirst', 3, 2],
  ['spark.sql.adaptive.coalescePartitions.', 3, 0],
  ['spark.sql.adaptive.skewJoin.', 3, 0],
  ['spark.sql.adaptive.autoBroadcastJoinThreshold', 3, 2],
  ['spark.sql.adaptive.enabled', 1, 6],
  ['spark.excludeOnFailure.', 3, 1],
  ['spark.decommission.enabled', 3, 1],
  ['spark.storage.decommission.', 3, 1],
  ['spark.dynamicAllocation.shuffleTracking.', 3, 0],
  ['spark.executor.memoryOverhead', 2, 3],
  ['spark.sql.files.maxRecordsPerFile', 2, 2],
  ['spark.sql.files.', 2, 0],
  ['spark.memory.fraction', 1, 6],
  ['spark.shuffle.sort.io.plugin.class', 3, 0],
  ['spark.plugins', 3, 0],
  ['spark.sql.sources.parallelPartitionDiscovery.parallelism', 2, 1],
  ['spark.speculation.minTaskRuntime', 3, 2],
];

/** The version a setting first appeared in, or null when Spark has had it since before 1.6 or it is not listed. */
function settingSince(name: string): [number, number] | null {
  const entry = SETTING_SINCE.find(([key]) => (key.endsWith('.') ? name.startsWith(key) : name === key));
  return entry ? [entry[1], entry[2]] : null;
}

/** The settings named in `text` that a Spark of `version` ("2.4.8") does not have yet. */
export function settingsNewerThan(text: string, version: string | null): string[] {
  const match = /^(\d+)\.(\d+)/.exec(version ?? '');
  if (!match) return [];
  const [major, minor] = [Number(match[1]), Number(match[2])];
  const names = new Set(text.match(/spark\.[a-zA-Z]+(?:\.[a-zA-Z]+)+/g) ?? []);
  return [...names].filter((name) => {
    const since = settingSince(name);
    return since !== null && (since[0] > major || (since[0] === major && since[1] > minor));
  });
}


/** Spark defaults the detectors measure against (cited in their evidence). */
export const SPARK_DEFAULTS = {
  'spark.sql.shuffle.partitions': 200,
  'spark.sql.files.maxPartitionBytes': 128 * MiB,
  'spark.sql.adaptive.advisoryPartitionSizeInBytes': 64 * MiB,
  'spark.memory.fraction': 0.6,
  'spark.task.maxFailures': 4,
  'spark.locality.wait': '3s',
} as const;
