import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisDatabase } from '../../src/store/database.js';
import { capturedCli } from '../helpers/cli.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

describe('spark-sword ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-cli-'));
  const db = join(dir, 'cli.duckdb');
  const cli = capturedCli();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests a directory, shows progress, prints what was stored and exits 0', async () => {
    const code = await cli.run(['ingest', eventLogPath('formats', 'multiple_attempts'), '--db', db]);
    expect(code).toBe(0);
    expect(cli.stderr).toMatch(/^\[1\/4\] \S+: ingesting$/m);
    expect(cli.stderr).toMatch(/^\[4\/4\] \S+: done, [\d.]+ KB of [\d.]+ KB read, [\d,]+ events, [\d.]+ s$/m);
    expect(cli.stdout.match(/^stored \S+\/[1-4] /gm)).toHaveLength(4);
    const database = await AnalysisDatabase.open(db);
    try {
      const rows = await database.query('SELECT count(*)::INTEGER AS n FROM applications');
      expect(rows[0]!.n).toBe(4);
    } finally {
      database.close();
    }
  });

  it('prints JSON with --json, warnings included', async () => {
    const code = await cli.run(['ingest', eventLogPath('broken', 'malformed_json_eventlog.zstd'), '--db', db, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(cli.stdout) as { applications: Array<{ warnings: Array<{ line: number }> }> };
    expect(result.applications[0]!.warnings.map((w) => w.line)).toContain(4);
  });

  it('exits 2 with a message naming the problem for bad input', async () => {
    expect(await cli.run(['ingest', join(dir, 'no-such-log'), '--db', db])).toBe(2);
    expect(cli.stderr).toMatch(/no-such-log/);
    expect(await cli.run(['ingest', eventLogPath('broken', 'file_event_log_empty_test'), '--db', db])).toBe(2);
    expect(cli.stdout + cli.stderr).toMatch(/empty/);
    expect(await cli.run(['ingest'])).toBe(2);
  });

  it('exits 1 on an internal error, such as a database file it cannot open', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const unopenable = join(notADirectory, 'x.duckdb');
    expect(await cli.run(['ingest', eventLogPath('apache-spark', 'local-1422981780767'), '--db', unopenable])).toBe(1);
    expect(cli.stderr).toMatch(/internal error/);
  });
});

describe('spark-sword analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-analyze-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = capturedCli();

  it('ingests a log and prints its insights with what was measured, what to try, the trade-off and the docs', async () => {
    const MB = 1024 * 1024;
    const log = writeEventLog(dir, {
      appId: 'app-analyze',
      name: 'nightly-etl',
      sparkVersion: '3.1.2',
      jobs: [{ jobId: 0, stages: [{ stageId: 1, name: 'groupBy at etl.scala:42', tasks: [
        ...Array.from({ length: 59 }, () => ({ durationMs: 2_000, shuffleReadBytes: 50 * MB })),
        { durationMs: 60_000, shuffleReadBytes: 900 * MB },
      ] }] }],
    });
    const code = await cli.run(['analyze', log, '--db', join(dir, 'a.duckdb')]);
    expect(code).toBe(0);
    expect(cli.stdout).toContain('app-analyze "nightly-etl" (completed)');
    expect(cli.stdout).toMatch(/\n \d+\. Stage 1 is skewed/);
    expect(cli.stdout).toMatch(/Measured: {3}In stage 1/);
    expect(cli.stdout).toMatch(/Try: {8}Salt the hot keys/);
    expect(cli.stdout).toMatch(/Trade-off: {2}\S/);
    expect(cli.stdout).toMatch(/Spark docs: https:\/\/spark\.apache\.org\/docs\//);
    // The shuffle read explained, whose fetches waited no time: no measurable share, said in words.
    expect(cli.stdout).toMatch(/\n \d+\. Stage 1 reads 3\.8 GB of shuffle output[^\n]*\n {4}INFO severity, \w+ confidence, accounts for no measurable part of the run\n/);
    expect(cli.stdout).not.toMatch(/0\.0% of the run/);
  });

  it('prints JSON with --json', async () => {
    const log = join(dir, 'app-analyze');
    expect(await cli.run(['analyze', log, '--db', join(dir, 'a.duckdb'), '--json'])).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { applications: Array<{ appKey: string; insights: Array<{ type: string }> }> };
    expect(parsed.applications[0]!.insights.map((i) => i.type)).toContain('data-skew');
  });
});
