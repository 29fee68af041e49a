/**
 * Serving benchmark: `npm run bench:serve`.
 *
 * Builds two databases: one holding a small application alone, and one holding the same application among
 * BENCH_APPS (default 1,000) applications (copies of it under new keys), the 13.5k-task bench application and
 * one application of BENCH_LARGE_COPIES (default 75) times the bench application's tasks (>= 1M tasks). Each is
 * served by `npm start`'s server in a child process; this process is the client. Prints p50/p95 of the
 * dashboard query, a tasks page, and History Server's stages, jobs, executors and taskList for the small
 * application alone and among the others (and their ratio), the dashboard on the large application, the
 * throughput of 50 concurrent clients on the bench application's dashboard, and (not an acceptance, for
 * honesty about the server's in-memory answers) their throughput when every request asks for another of the
 * 1,000 applications. Ends with the acceptance lines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { cloneApplication, multiplyApplication } from './clone-application.js';
import { ingestPaths } from '../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../src/store/database.js';

const eventsDir = resolve(process.env.SPARK_EVENTS_DIR ?? '../shared/spark-events');
const smallLog = join(eventsDir, 'apache-spark', 'local-1430917381534');
const benchLog = join(eventsDir, 'bench', 'nds_q72_dataproc_2_2.zstd');
const APPS = Number(process.env.BENCH_APPS ?? 1000);
const LARGE_COPIES = Number(process.env.BENCH_LARGE_COPIES ?? 75);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 40);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const LOAD_SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 10);
const LARGE_KEY = 'bench-large-application';
const memoryLimit = process.env.DUCKDB_MEMORY_LIMIT ?? '512MB';

const dashboard = (id: string): string =>
  `query Dashboard { application(id: "${id}") { id name stats { totalJobs totalStages totalTasks failedTasks }
    stages { stageId attemptId status taskSummary { quantiles executorRunTime } }
    insights(first: 5) { id title severity } } }`;
const tasksPage = (id: string, stageId: number): string =>
  `query TasksPage { application(id: "${id}") { stage(stageId: ${stageId}) {
    tasks(first: 50, sortBy: DECREASING_RUNTIME) { totalCount nodes { taskId index duration status executorId } } } } }`;

/** One request of the benchmark: a GraphQL query (POST) or a REST path (GET). */
interface Probe {
  name: string;
  graphql?: string;
  rest?: string;
}

function probesFor(appKey: string, stageId: number, stageAttempt: number): Probe[] {
  const rest = `/api/v1/applications/${appKey}`;
  return [
    { name: 'dashboard', graphql: dashboard(appKey) },
    { name: 'tasks page', graphql: tasksPage(appKey, stageId) },
    { name: 'REST stages', rest: `${rest}/stages` },
    { name: 'REST jobs', rest: `${rest}/jobs` },
    { name: 'REST executors', rest: `${rest}/executors` },
    { name: 'REST taskList', rest: `${rest}/stages/${stageId}/${stageAttempt}/taskList?length=50&sortBy=-runtime` },
  ];
}

async function send(url: string, probe: Probe): Promise<void> {
  const response = probe.graphql
    ? await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: probe.graphql }),
      })
    : await fetch(`${url}${probe.rest!}`);
  const body = await response.text();
  if (response.status !== 200 || body.includes('"errors"')) {
    throw new Error(`${probe.name}: ${response.status} ${body.slice(0, 300)}`);
  }
}

const percentile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

interface Latency {
  p50: number;
  p95: number;
}

/**
 * Latency of `probe` on each server, the servers asked in turn (request i to every server before request
 * i + 1), so that noise from the rest of the machine falls on all of them alike.
 */
async function latencies(urls: readonly string[], probe: Probe): Promise<Latency[]> {
  for (const url of urls) for (let i = 0; i < 3; i += 1) await send(url, probe);
  const times = urls.map((): number[] => []);
  for (let i = 0; i < ITERATIONS; i += 1) {
    for (const [j, url] of urls.entries()) {
      const started = performance.now();
      await send(url, probe);
      times[j]!.push(performance.now() - started);
    }
  }
  return times.map((list) => {
    list.sort((a, b) => a - b);
    return { p50: percentile(list, 0.5), p95: percentile(list, 0.95) };
  });
}

/** Throughput of CLIENTS concurrent clients, each sending `probeAt(n)` as its n-th request of the run. */
async function throughput(url: string, probeAt: (n: number) => Probe): Promise<{ perSecond: number; p50: number; p99: number; count: number }> {
  // Warmed up: the first request of an application reads what the server then keeps, and the first request
  // on each of the clients' new connections can wait seconds while the server is busy (measured: on a loaded
  // machine those first requests finished one by one, 60-100 ms apart, up to 3 s). Steady state is measured.
  for (let i = 0; i < 3; i += 1) await send(url, probeAt(i));
  await Promise.all(Array.from({ length: CLIENTS }, (_, i) => send(url, probeAt(3 + i))));
  const times: number[] = [];
  const until = performance.now() + LOAD_SECONDS * 1000;
  const started = performance.now();
  let sent = 3 + CLIENTS;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const begin = performance.now();
        await send(url, probeAt(sent++));
        times.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { perSecond: times.length / elapsed, p50: percentile(times, 0.5), p99: percentile(times, 0.99), count: times.length };
}

/** `npm start`'s server on `databasePath`, in a child process; resolves with its URL once it serves. */
async function serve(databasePath: string, dir: string): Promise<{ url: string; child: ChildProcess }> {
  const main = fileURLToPath(new URL('../src/server/main.js', import.meta.url));
  const child = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      DUCKDB_PATH: databasePath,
      PROGRESS_DB_PATH: join(dir, `progress-${Date.now()}.duckdb`),
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DUCKDB_MEMORY_LIMIT: memoryLimit,
      // All the clients are this one process: a per-client limit of expensive queries would measure the limiter.
      RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE: '0',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    const entry = JSON.parse(line) as { msg?: string; url?: string };
    // The line goes on to name the AUTH_MODE: match its start.
    if (entry.msg?.startsWith('Spark Sword is serving GraphQL') && entry.url) {
      lines.on('line', () => undefined); // keep draining the child's log
      return { url: entry.url.replace(/\/graphql$/, ''), child };
    }
  }
  throw new Error('the server exited before serving');
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The key of the i-th copy of the small application. */
const copyKey = (small: string, i: number): string => `${small}-copy-${String(i).padStart(4, '0')}`;

async function buildDatabases(dir: string): Promise<{ alone: string; crowded: string; small: string; bench: string }> {
  const alonePath = join(dir, 'alone.duckdb');
  const crowdedPath = join(dir, 'crowded.duckdb');
  const alone = await AnalysisDatabase.open(alonePath, { memoryLimit });
  const [small] = (await ingestPaths(alone, [smallLog])).applications.map((app) => app.appKey);
  alone.close();

  const crowded = await AnalysisDatabase.open(crowdedPath, { memoryLimit });
  let started = performance.now();
  const report = await ingestPaths(crowded, [smallLog, benchLog]);
  if (report.failures.length > 0) throw new Error(JSON.stringify(report.failures));
  const bench = report.applications.find((app) => app.appKey !== small)!.appKey;
  process.stdout.write(`ingested ${small} and ${bench} in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  started = performance.now();
  await crowded.withConnection(async (connection) => {
    // Copies under keys that share the small application's prefix, as Spark's ids share theirs.
    const keys = Array.from({ length: APPS - 1 }, (_, i) => copyKey(small!, i));
    for (let i = 0; i < keys.length; i += 250) await cloneApplication(connection, small!, keys.slice(i, i + 250));
    process.stdout.write(`copied ${small} ${keys.length} times in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    started = performance.now();
    await multiplyApplication(connection, bench, LARGE_KEY, LARGE_COPIES);
    await connection.run('CHECKPOINT');
  });
  const [counts] = await crowded.query(
    `SELECT (SELECT count(*) FROM applications)::INTEGER AS apps, (SELECT count(*) FROM tasks)::INTEGER AS tasks,
       (SELECT count(*) FROM tasks WHERE appKey = $large)::INTEGER AS large`,
    { large: LARGE_KEY },
  );
  process.stdout.write(
    `built ${LARGE_KEY} (${counts!.large} tasks) in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `database: ${counts!.apps} applications, ${counts!.tasks} tasks\n`,
  );
  crowded.close();
  return { alone: alonePath, crowded: crowdedPath, small: small!, bench };
}

async function largestStage(databasePath: string, appKey: string): Promise<{ stageId: number; attemptId: number }> {
  const database = await AnalysisDatabase.open(databasePath, { memoryLimit });
  try {
    const [row] = await database.query(
      `SELECT stageId::INTEGER AS stageId, attemptId::INTEGER AS attemptId FROM v_stages WHERE appKey = $appKey
       ORDER BY numCompleteTasks DESC, stageId LIMIT 1`,
      { appKey },
    );
    return row as { stageId: number; attemptId: number };
  } finally {
    database.close();
  }
}

/** Server processes this run started. */
const children: ChildProcess[] = [];

const ms = (value: number): string => `${value.toFixed(1)} ms`.padStart(9);

async function main(): Promise<void> {
  // BENCH_DIR keeps the databases (and reuses them on the next run) for profiling; default a temp dir.
  const kept = process.env.BENCH_DIR;
  if (kept) mkdirSync(resolve(kept), { recursive: true });
  const dir = kept ? resolve(kept) : mkdtempSync(join(tmpdir(), 'spark-sword-bench-serve-'));
  try {
    const built = kept && existsSync(join(dir, 'built.json'))
      ? (JSON.parse(readFileSync(join(dir, 'built.json'), 'utf8')) as Awaited<ReturnType<typeof buildDatabases>>)
      : await buildDatabases(dir);
    if (kept) writeFileSync(join(dir, 'built.json'), JSON.stringify(built));
    const stage = await largestStage(built.alone, built.small);
    const smallProbes = probesFor(built.small, stage.stageId, stage.attemptId);

    const aloneServer = await serve(built.alone, dir);
    children.push(aloneServer.child);
    const crowdedServer = await serve(built.crowded, dir);
    children.push(crowdedServer.child);
    const aloneLatency: Latency[] = [];
    const crowdedLatency: Latency[] = [];
    for (const probe of smallProbes) {
      const [a, c] = await latencies([aloneServer.url, crowdedServer.url], probe);
      aloneLatency.push(a!);
      crowdedLatency.push(c!);
    }
    await stop(aloneServer.child);
    const [large] = await latencies([crowdedServer.url], { name: 'dashboard', graphql: dashboard(LARGE_KEY) });
    const dashboardProbe = { name: 'dashboard', graphql: dashboard(built.bench) };
    const load = await throughput(crowdedServer.url, () => dashboardProbe);
    // The server keeps each application version's answers in memory; here every request asks for another of
    // the 1,000 applications in turn, so those answers are mostly not there and are read from DuckDB.
    const copies = [built.small, ...Array.from({ length: APPS - 1 }, (_, i) => copyKey(built.small, i))];
    const rotating = await throughput(crowdedServer.url, (n) => ({ name: 'dashboard', graphql: dashboard(copies[n % copies.length]!) }));
    await stop(crowdedServer.child);

    process.stdout.write(`\n${built.small}: alone vs among ${APPS} applications (p50 / p95, ${ITERATIONS} requests each)\n`);
    const ratios: number[] = [];
    smallProbes.forEach((probe, i) => {
      const a = aloneLatency[i]!;
      const c = crowdedLatency[i]!;
      const ratio = c.p50 / a.p50;
      ratios.push(ratio);
      process.stdout.write(
        `${probe.name.padEnd(15)} alone ${ms(a.p50)} / ${ms(a.p95)}   crowded ${ms(c.p50)} / ${ms(c.p95)}   ratio ${ratio.toFixed(2)}\n`,
      );
    });
    process.stdout.write(`dashboard of ${LARGE_KEY}: p50 ${ms(large!.p50)}, p95 ${ms(large!.p95)}\n`);
    process.stdout.write(
      `${CLIENTS} concurrent clients on the dashboard of ${built.bench}: ${load.perSecond.toFixed(0)} requests/s ` +
        `(${load.count} in ${LOAD_SECONDS} s), p50 ${ms(load.p50)}, p99 ${ms(load.p99)}\n`,
    );
    process.stdout.write(
      `${CLIENTS} concurrent clients on the dashboards of all ${copies.length} applications in turn (answers kept in ` +
        `memory mostly missed): ${rotating.perSecond.toFixed(0)} requests/s (${rotating.count} in ${LOAD_SECONDS} s), ` +
        `p50 ${ms(rotating.p50)}, p99 ${ms(rotating.p99)}\n`,
    );
    const worst = Math.max(...ratios);
    const verdict = (ok: boolean): string => (ok ? 'PASS' : 'FAIL');
    process.stdout.write(`\nacceptance:\n`);
    process.stdout.write(`  ${verdict(worst <= 1.2)} small-application ratio <= 1.2 on every query (worst ${worst.toFixed(2)})\n`);
    process.stdout.write(`  ${verdict(large!.p50 <= 30)} dashboard p50 <= 30 ms on the large application (${large!.p50.toFixed(1)} ms)\n`);
    process.stdout.write(
      `  ${verdict(load.perSecond >= 200 && load.p99 <= 1000)} ${CLIENTS} clients >= 200 requests/s with p99 <= 1 s ` +
        `(${load.perSecond.toFixed(0)}/s, p99 ${load.p99.toFixed(0)} ms)\n`,
    );
  } finally {
    // A failed run must not leave a server holding the database's lock.
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    if (!kept) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
