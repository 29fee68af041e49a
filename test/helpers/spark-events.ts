import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { discoverLogs, materializeForDuckDB, type DuckDbInput, type LogSource } from '../../src/eventlog/discover.js';

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

/** The logs of every folder of the shared logs, looking into a folder's folders where it holds no log itself. */
export async function sharedLogs(dir: string = sparkEventsDir): Promise<LogSource[]> {
  const sources: LogSource[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    try {
      sources.push(...(await discoverLogs([path], { onSkipped: () => undefined })));
    } catch {
      sources.push(...(await sharedLogs(path)));
    }
  }
  return sources;
}

/**
 * Every shared log DuckDB can read, one at a time, decoded into `scratch` (a directory of its own per log, also the
 * staging's scratch directory); logs the codecs refuse (the broken ones) are passed over.
 */
export async function* sharedLogParts(scratch: string): AsyncGenerator<{ source: LogSource; parts: DuckDbInput[]; tempDir: string }> {
  for (const [index, source] of (await sharedLogs()).entries()) {
    const tempDir = join(scratch, `log-${index}`);
    try {
      let parts: DuckDbInput[];
      try {
        parts = await materializeForDuckDB(source, tempDir);
      } catch {
        continue; // A log the codec refuses (the broken ones) never reaches the split.
      }
      mkdirSync(tempDir, { recursive: true }); // The ingest's temp directory, where copies are written.
      yield { source, parts, tempDir };
    } finally {
      await source.cleanup?.();
    }
  }
}

