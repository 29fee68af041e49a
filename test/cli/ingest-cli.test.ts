import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli as buildCliWith, type CliOutput } from '../../src/cli/main.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

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
