/**
 * What a small log costs to ingest: `npm run bench:small-logs [-- FOLDER]`.
 *
 * Ingests every log of a shared folder (default `apache-spark`: 18 logs of 5-400 KB) into one fresh DuckDB file,
 * one after the other as a watched log directory or a batch of uploads would, for `BENCH_ROUNDS` rounds (default
 * 3; later rounds replace the stored applications). Prints milliseconds per log for each round and, measured in
 * the same run, the plain-Node floor of reading and `JSON.parse`-ing the same logs. Most of a small log's cost is
 * per ingest (statements, transaction, detectors), not per byte.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ingestPaths } from '../src/ingest/ingest-service.js';
import { openConfiguredDatabase } from '../src/store/database.js';
import { loadConfig } from '../src/config.js';

const eventsDir = resolve(process.env.SPARK_EVENTS_DIR ?? '../shared/spark-events');
const folder = process.argv[2] ?? 'apache-spark';
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

/** Plain Node: read each log and parse every line; milliseconds per log. */
function floorMsPerLog(logs: readonly string[]): number {
  const started = performance.now();
  for (const log of logs) {
    for (const line of readFileSync(log, 'utf8').split('\n')) if (line.trim()) JSON.parse(line);
  }
  return (performance.now() - started) / logs.length;
}

async function main(): Promise<void> {
  const dir = join(eventsDir, folder);
  const logs = readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
  const kilobytes = logs.reduce((sum, log) => sum + statSync(log).size, 0) / 1024;
  process.stdout.write(`${logs.length} logs of ${folder} (${kilobytes.toFixed(0)} KB in all)\n`);
  const work = mkdtempSync(join(tmpdir(), 'spark-sword-small-logs-'));
  try {
    const database = await openConfiguredDatabase(loadConfig(), join(work, 'bench.duckdb'));
    for (let round = 1; round <= rounds; round += 1) {
      const started = performance.now();
      for (const log of logs) {
        const report = await ingestPaths(database, [log]);
        if (report.failures.length > 0) throw new Error(`${log}: ${report.failures[0]!.error.message}`);
      }
      const msPerLog = (performance.now() - started) / logs.length;
      const floor = floorMsPerLog(logs);
      process.stdout.write(
        `round ${round} (${round === 1 ? 'new applications' : 'replacing them'}): ingest ${msPerLog.toFixed(0)} ms a log, ` +
          `floor ${floor.toFixed(2)} ms a log (${(msPerLog / floor).toFixed(0)}x)\n`,
      );
    }
    database.close();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
