/**
 * Run in a child process (through jiti) by tests that kill an ingest: `ingest-child.ts DB LOG`. Ingests one
 * log into the database file with debug logs (one JSON line per stage) on stdout, standing still after the stage
 * named by PAUSE_AT_STAGE, if any.
 */
import { writeSync } from 'node:fs';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { routeLogsTo } from '../../src/logger.js';
import { AnalysisDatabase } from '../../src/store/database.js';

/**
 * How long the child stands still after logging the stage it is to be killed at: on a busy machine the ingest went on
 * to its commit before the parent's signal landed.
 */
const PAUSE_AT_STAGE_MS = 10_000;
const pauseAt = process.env.PAUSE_AT_STAGE;
const pause = new Int32Array(new SharedArrayBuffer(4));
routeLogsTo({
  write: (line: string) => {
    writeSync(1, line);
    if (pauseAt !== undefined && line.includes(`"stage":"${pauseAt}"`)) Atomics.wait(pause, 0, 0, PAUSE_AT_STAGE_MS);
  },
});

const [dbPath, logPath] = process.argv.slice(2);
const database = await AnalysisDatabase.open(dbPath!, { memoryLimit: '256MB', threads: 1 });
process.stdout.write('{"msg":"opened"}\n');
await ingestPaths(database, [logPath!]);
database.close();
