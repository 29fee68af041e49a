import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** Root of the shared real Spark event logs; override with SPARK_EVENTS_DIR. */
export const sparkEventsDir = resolve(process.env.SPARK_EVENTS_DIR ?? '../shared/spark-events');

if (!existsSync(sparkEventsDir)) {
  throw new Error(
    `Shared Spark event logs not found at ${sparkEventsDir}. ` +
      'Put ../shared/spark-events beside the project or set SPARK_EVENTS_DIR.',
  );
}

/** Absolute path of a file or folder under the shared event logs. */
export function eventLogPath(...parts: string[]): string {
  return resolve(sparkEventsDir, ...parts);
}
