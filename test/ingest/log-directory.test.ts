import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphqlData, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * LOG_DIRECTORY: a server fed from a History Server log directory while it serves. Logs are copied in as Spark
 * writes them (a finished one, a plain `.inprogress` file that grows and is renamed complete, a rolling
 * directory that gains parts) and each must appear, grow and complete within two poll intervals. The test
 * waits by asking again (never by a timed assertion).
 */

const POLL_SECONDS = 0.2;
const FINISHED = 'app-20161115172038-0000';
const GROWING = 'local-1422981759269';
const ROLLING = 'local-1642039451826';

interface AttemptInfo {
  completed: boolean;
}

let dir: string;
let server: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-logdir-'));
  server = await startTestServer({ LOG_DIRECTORY: dir, LOG_DIRECTORY_POLL_SECONDS: String(POLL_SECONDS) });
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rest<T>(path: string): Promise<{ status: number; body: T | null }> {
  const response = await fetch(`${server.url}/api/v1${path}`);
  const text = await response.text();
  return { status: response.status, body: response.status === 200 ? (JSON.parse(text) as T) : null };
}

/** Asks until `probe` answers something `done` accepts; the test's own timeout bounds the wait. */
async function eventually<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** An application's completion and job count, or null while it is not listed. */
async function app(appId: string): Promise<{ completed: boolean; jobs: number } | null> {
  const info = await rest<{ attempts: AttemptInfo[] }>(`/applications/${appId}`);
  if (!info.body) return null;
  const jobs = await rest<unknown[]>(`/applications/${appId}/jobs`);
  return { completed: info.body.attempts[0]!.completed, jobs: jobs.body?.length ?? 0 };
}

/** The log's lines, cut after the n-th JobEnd (n = 0: before the first job starts). */
function linesUpToJobEnd(lines: readonly string[], n: number): number {
  if (n === 0) return lines.findIndex((line) => line.includes('"SparkListenerJobStart"'));
  let seen = 0;
  return lines.findIndex((line) => line.includes('"SparkListenerJobEnd"') && ++seen === n) + 1;
}

const graphql = <T>(query: string): Promise<T> => graphqlData<T>(server.graphqlUrl, query);

describe('a watched log directory', () => {
  it('ingests a finished log copied in', async () => {
    copyFileSync(eventLogPath('apache-spark', FINISHED), join(dir, FINISHED));
    const seen = await eventually(() => app(FINISHED), (a) => a !== null);
    expect(seen).toEqual({ completed: true, jobs: 1 });
  });

  it('shows a running .inprogress log as incomplete, follows it as it grows, and completes it when renamed', async () => {
    const lines = readFileSync(eventLogPath('apache-spark', GROWING), 'utf8').split('\n').filter((line) => line !== '');
    const inProgress = join(dir, `${GROWING}.inprogress`);
    writeFileSync(inProgress, `${lines.slice(0, linesUpToJobEnd(lines, 1)).join('\n')}\n`);
    const first = await eventually(() => app(GROWING), (a) => a !== null);
    expect(first).toEqual({ completed: false, jobs: 1 });

    appendFileSync(inProgress, `${lines.slice(linesUpToJobEnd(lines, 1), linesUpToJobEnd(lines, 3)).join('\n')}\n`);
    const grown = await eventually(() => app(GROWING), (a) => a !== null && a.jobs > 1);
    expect(grown).toEqual({ completed: false, jobs: 3 });

    // Spark writes the rest, with the ApplicationEnd, and drops the .inprogress suffix.
    appendFileSync(inProgress, `${lines.slice(linesUpToJobEnd(lines, 3)).join('\n')}\n`);
    renameSync(inProgress, join(dir, GROWING));
    const done = await eventually(() => app(GROWING), (a) => a !== null && a.completed);
    expect(done).toEqual({ completed: true, jobs: 4 });
  });

  it('reads a rolling eventlog_v2 directory part by part and completes it with its appstatus marker', async () => {
    const lines = readFileSync(eventLogPath('apache-spark', ROLLING), 'utf8').split('\n').filter((line) => line !== '');
    const rolling = join(dir, `eventlog_v2_${ROLLING}`);
    mkdirSync(rolling);
    const cuts = [0, linesUpToJobEnd(lines, 2), linesUpToJobEnd(lines, 4), lines.length];
    const part = (n: number): void =>
      writeFileSync(join(rolling, `events_${n}_${ROLLING}`), `${lines.slice(cuts[n - 1], cuts[n]).join('\n')}\n`);
    writeFileSync(join(rolling, `appstatus_${ROLLING}.inprogress`), '');
    part(1);
    expect(await eventually(() => app(ROLLING), (a) => a !== null)).toEqual({ completed: false, jobs: 2 });
    part(2);
    expect(await eventually(() => app(ROLLING), (a) => a !== null && a.jobs > 2)).toEqual({ completed: false, jobs: 4 });
    part(3);
    renameSync(join(rolling, `appstatus_${ROLLING}.inprogress`), join(rolling, `appstatus_${ROLLING}`));
    expect(await eventually(() => app(ROLLING), (a) => a !== null && a.completed)).toEqual({ completed: true, jobs: 6 });
  });

  it('reports a log it cannot ingest (ingestFailures, logDirectory, /health) and keeps the rest', async () => {
    writeFileSync(join(dir, 'notes.txt'), 'not an event log\n');
    const failures = await eventually(
      () => graphql<{ ingestFailures: Array<{ path: string; message: string }> }>('query Failures { ingestFailures { path message } }'),
      (data) => data.ingestFailures.length > 0,
    );
    expect(failures.ingestFailures).toEqual([{ path: join(dir, 'notes.txt'), message: expect.stringContaining('not a Spark event log') }]);

    const status = await graphql<{ logDirectory: Array<{ path: string; lastScan: string | null; applications: number; failures: number }> }>(
      'query Feed { logDirectory { path lastScan applications failures } }',
    );
    expect(status.logDirectory).toEqual([{ path: dir, lastScan: expect.any(String), applications: 3, failures: 1 }]);
    const health = (await (await fetch(`${server.url}/health`)).json()) as { logDirectory: unknown };
    expect(health.logDirectory).toEqual([{ path: dir, lastScan: expect.any(String), applications: 3, failures: 1 }]);
    // Nothing was removed: the cleaner is off.
    expect((await rest<unknown[]>('/applications')).body).toHaveLength(3);
  });

  it('retries a failed log only once it changes', async () => {
    const feed = () =>
      graphql<{ logDirectory: Array<{ lastScan: string }>; ingestFailures: Array<{ failedAt: string }> }>(
        'query Feed { logDirectory { lastScan } ingestFailures { failedAt } }',
      );
    const before = await feed();
    // Two more scans pass without the log changing: the failure is the same one, not a new attempt.
    const later = await eventually(feed, (data) => data.logDirectory[0]!.lastScan > before.logDirectory[0]!.lastScan);
    await eventually(feed, (data) => data.logDirectory[0]!.lastScan > later.logDirectory[0]!.lastScan);
    expect((await feed()).ingestFailures).toEqual(before.ingestFailures);
    appendFileSync(join(dir, 'notes.txt'), 'still not one\n');
    const retried = await eventually(feed, (data) => data.ingestFailures[0]!.failedAt !== before.ingestFailures[0]!.failedAt);
    expect(retried.ingestFailures).toHaveLength(1);
  });
});
