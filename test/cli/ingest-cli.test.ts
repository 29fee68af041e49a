import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli as buildCliWith, type CliOutput } from '../../src/cli/main.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

describe('spark-sword ingest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-cli-'));
  const db = join(dir, 'cli.duckdb');
  let stdout = '';
  let stderr = '';
  const output: CliOutput = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const buildCli = () => buildCliWith(output);
  beforeEach(() => {
    stdout = '';
    stderr = '';
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests a directory, shows progress, prints what was stored and exits 0', async () => {
    const code = await buildCli().run(['ingest', eventLogPath('formats', 'multiple_attempts'), '--db', db]);
    expect(code).toBe(0);
    expect(stderr).toContain('[1/4] ingesting');
    expect(stdout.match(/^stored \S+\/[1-4] /gm)).toHaveLength(4);
    const database = await AnalysisDatabase.open(db);
    try {
      const rows = await database.query('SELECT count(*)::INTEGER AS n FROM applications');
      expect(rows[0]!.n).toBe(4);
    } finally {
      database.close();
    }
  });

  it('prints JSON with --json, warnings included', async () => {
    const code = await buildCli().run(['ingest', eventLogPath('broken', 'malformed_json_eventlog.zstd'), '--db', db, '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { applications: Array<{ warnings: Array<{ line: number }> }> };
    expect(result.applications[0]!.warnings.map((w) => w.line)).toContain(4);
  });

  it('exits 2 with a message naming the problem for bad input', async () => {
    expect(await buildCli().run(['ingest', join(dir, 'no-such-log'), '--db', db])).toBe(2);
    expect(stderr).toMatch(/no-such-log/);
    expect(await buildCli().run(['ingest', eventLogPath('broken', 'file_event_log_empty_test'), '--db', db])).toBe(2);
    expect(stdout + stderr).toMatch(/empty/);
    expect(await buildCli().run(['ingest'])).toBe(2);
  });

  it('exits 1 on an internal error, such as a database file it cannot open', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const unopenable = join(notADirectory, 'x.duckdb');
    expect(await buildCli().run(['ingest', eventLogPath('apache-spark', 'local-1422981780767'), '--db', unopenable])).toBe(1);
    expect(stderr).toMatch(/internal error/);
  });
});

describe('spark-sword analyze', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-analyze-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let stdout = '';
  const output: CliOutput = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: () => true } };

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
    const code = await buildCliWith(output).run(['analyze', log, '--db', join(dir, 'a.duckdb')]);
    expect(code).toBe(0);
    expect(stdout).toContain('app-analyze "nightly-etl" (completed)');
    expect(stdout).toMatch(/\n \d+\. Stage 1 is skewed/);
    expect(stdout).toMatch(/Measured: {3}In stage 1/);
    expect(stdout).toMatch(/Try: {8}Salt the hot keys/);
    expect(stdout).toMatch(/Trade-off: {2}\S/);
    expect(stdout).toMatch(/Spark docs: https:\/\/spark\.apache\.org\/docs\//);
  });

  it('prints JSON with --json', async () => {
    stdout = '';
    const log = join(dir, 'app-analyze');
    expect(await buildCliWith(output).run(['analyze', log, '--db', join(dir, 'a.duckdb'), '--json'])).toBe(0);
    const parsed = JSON.parse(stdout) as { applications: Array<{ appKey: string; insights: Array<{ type: string }> }> };
    expect(parsed.applications[0]!.insights.map((i) => i.type)).toContain('data-skew');
  });
});
