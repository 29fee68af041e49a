/**
 * Fleet benchmark: `npm run bench:fleet` (BENCH_FLEET_APPS=1000 by default; BENCH_FLEET_LOGS picks the source logs).
 *
 * Ingests a few real shared logs once, then copies their rows under new application keys (cloneApplication:
 * every table the ingest writes, names and times kept so runs form series) until the database holds
 * BENCH_FLEET_APPS applications (the copies carry each application's resource facts, which the ingest computed).
 * Then it times a first fleet query, a second one, a filtered one, and one application's cost.
 * Prints figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig } from '../src/config.js';
import { applicationCosts, fleetReport } from '../src/fleet/fleet-service.js';
import { ingestPaths } from '../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../src/store/database.js';
import { cloneApplication } from './clone-application.js';

const TARGET = Number(process.env.BENCH_FLEET_APPS ?? 1000);

async function time<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  process.stdout.write(`${label.padEnd(52)} ${((performance.now() - started) / 1000).toFixed(3)} s\n`);
  return result;
}

async function main(): Promise<void> {
  const config = loadConfig();
  const events = resolve(config.SPARK_EVENTS_DIR);
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-fleet-bench-'));
  const database = await AnalysisDatabase.open(join(dir, 'fleet.duckdb'), { memoryLimit: config.DUCKDB_MEMORY_LIMIT });
  try {
    // BENCH_FLEET_LOGS (comma-separated, under SPARK_EVENTS_DIR) picks other sources, e.g. bench/nds_q72_dataproc_2_2.zstd.
    const sources = (process.env.BENCH_FLEET_LOGS ?? 'spark4/local-1776286786993.zstd,spark4/local-1776286804625.zstd,' +
      'apache-spark/application_1553914137147_0018,apache-spark/app-20161116163331-0000')
      .split(',').map((path) => join(events, path.trim()));
    const report = await time(`ingest ${sources.length} real logs`, () => ingestPaths(database, sources));
    const originals = report.applications.map((app) => app.appKey);
    const copies = TARGET - originals.length;
    await time(`copy their rows to ${TARGET} applications`, () =>
      database.withConnection(async (connection) => {
        // Copies taken from the originals in turn: the j-th copy of original o gets the key "<o>#<j>".
        for (const [n, original] of originals.entries()) {
          const count = Math.max(0, Math.ceil((copies - n) / originals.length));
          await cloneApplication(connection, original, Array.from({ length: count }, (_, i) => `${original}#${i + 1}`));
        }
      }),
    );
    const count = await database.query('SELECT count(*)::INTEGER AS n, (SELECT count(*) FROM tasks)::BIGINT AS tasks FROM applications');
    process.stdout.write(`stored: ${count[0]!.n} applications, ${count[0]!.tasks} tasks\n`);
    const prices = { COST_PER_CORE_HOUR: 0.05, COST_PER_GB_HOUR: 0.01 };
    const first = await time('fleet, first query', () => fleetReport(database, prices));
    await time('fleet, second query', () => fleetReport(database, prices));
    await time('fleet, filtered by name and Spark version', () => fleetReport(database, prices, { name: 'shs', sparkVersion: '4' }));
    await time('one application\'s cost', () => applicationCosts(database, prices, { appKeys: [originals[0]!] }));
    process.stdout.write(
      `answer: ${first.totals.applications} applications, ${first.groups.length} series, ` +
        `${first.totals.allocatedCoreHours.toFixed(1)} core-hours allocated, waste ${(first.totals.wasteShare * 100).toFixed(1)}%, ` +
        `${first.groups.reduce((sum, group) => sum + group.recurringInsights.length, 0)} recurring insights\n`,
    );
  } finally {
    database.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
