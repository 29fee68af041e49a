/**
 * What one poll of a watched log directory costs while a ~300 MB application is still running: the first scan
 * ingests its `.inprogress` log, a scan after the log grew re-ingests it, a scan with no change only lists
 * the directory. `npm run bench:log-directory`; BENCH_MIN_MB sets the log size (default 300).
 */
import { appendFileSync, copyFileSync, createReadStream, createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { LogDirectoryWatcher } from '../src/ingest/log-directory-watcher.js';
import { logger } from '../src/logger.js';
import { AnalysisDatabase } from '../src/store/database.js';
import { makeBenchLog } from './make-bench-log.js';

const MIN_BYTES = Number(process.env.BENCH_MIN_MB ?? 300) * 1024 * 1024;
const eventsDir = resolve(process.env.SPARK_EVENTS_DIR ?? '../shared/spark-events');

/** Copies the log without its ApplicationEnd: what Spark has written while the application runs. */
async function writeRunning(source: string, target: string): Promise<string> {
  const out = createWriteStream(target);
  let end = '';
  for await (const line of createInterface({ input: createReadStream(source) })) {
    if (line.includes('"SparkListenerApplicationEnd"')) {
      end = line;
      continue;
    }
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return end;
}

async function timed(label: string, work: () => Promise<void>): Promise<void> {
  const started = performance.now();
  await work();
  const rss = process.memoryUsage().rss;
  process.stdout.write(`${label}: ${((performance.now() - started) / 1000).toFixed(1)} s, RSS ${(rss / 2 ** 20).toFixed(0)} MB\n`);
}

async function main(): Promise<void> {
  const log = await makeBenchLog(
    join(eventsDir, 'bench', 'nds_q72_dataproc_2_2.zstd'),
    resolve(`data/bench/nds_q72_x${MIN_BYTES / (1024 * 1024)}MB.json`),
    MIN_BYTES,
  );
  const work = mkdtempSync(join(tmpdir(), 'spark-sword-logdir-bench-'));
  const watched = join(work, 'logs');
  const db = await AnalysisDatabase.open(join(work, 'bench.duckdb'), { memoryLimit: process.env.DUCKDB_MEMORY_LIMIT ?? '512MB' });
  try {
    mkdirSync(watched);
    const running = join(watched, 'nds_q72.inprogress');
    const end = await writeRunning(log, running);
    const feed = new LogDirectoryWatcher(db, { paths: [watched], pollMs: 10_000, cleaner: false, logger: logger.child({}, { level: 'warn' }) });
    await timed('first scan (ingests the running log)', () => feed.scanOnce());
    await timed('scan, log unchanged', () => feed.scanOnce());
    // The application ends: its last event is appended, as Spark appends it.
    appendFileSync(running, `${end}\n`);
    await timed('scan after the log grew (re-ingests it)', () => feed.scanOnce());
    copyFileSync(running, join(watched, 'nds_q72'));
    rmSync(running);
    await timed('scan after it was renamed complete', () => feed.scanOnce());
    process.stdout.write(`${JSON.stringify(feed.status())}\n`);
  } finally {
    db.close();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
