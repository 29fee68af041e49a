import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;

function run(n: number): SyntheticApp {
  return {
    appId: `app-daily-${n}`,
    name: 'daily-report',
    startTime: 1_700_000_000_000 + n * 86_400_000,
    sparkProperties: { 'spark.team.pipeline': 'reports' },
    jobs: [{ jobId: 0, stages: [{ stageId: 0, name: 'sort at Report.scala:12', tasks: Array.from({ length: 40 }, () => ({ durationMs: 5_000, memoryBytesSpilled: 400 * MB, diskBytesSpilled: 100 * MB })) }] }],
  };
}

describe('spark-sword fleet', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-fleet-cli-'));
  const db = join(dir, 'cli.duckdb');
  const cli = capturedCli();
  beforeAll(async () => {
    expect(await cli.run(['ingest', ...[1, 2, 3].map((n) => writeEventLog(dir, run(n))), '--db', db])).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints totals, the prices used, and what recurs across runs', async () => {
    expect(await cli.run(['fleet', '--db', db])).toBe(0);
    expect(cli.stdout).toMatch(/^3 applications, /);
    expect(cli.stdout).toContain('prices: no price set');
    expect(cli.stdout).toContain('daily-report: 3 runs');
    expect(cli.stdout).toContain("spill in stage 'sort at Report.scala:12' in 3 of the last 3 runs");
  });

  it('filters, and prints one JSON document with --json', async () => {
    expect(await cli.run(['fleet', '--db', db, '--from', '2023-11-16', '--json'])).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { totals: { applications: number } };
    expect(parsed.totals.applications).toBe(2);
  });

  it('groups runs by the property FLEET_GROUP_BY names', async () => {
    process.env.FLEET_GROUP_BY = 'spark.team.pipeline';
    try {
      expect(await cli.run(['fleet', '--db', db])).toBe(0);
    } finally {
      delete process.env.FLEET_GROUP_BY;
    }
    expect(cli.stdout).toContain('spark.team.pipeline=reports: 3 runs');
  });

  it('refuses a bad option with exit 2', async () => {
    expect(await cli.run(['fleet', '--db', db, '--top', '0'])).toBe(2);
    expect(cli.stderr).toContain('--top takes a whole number from 1 to 1000');
  });
});
