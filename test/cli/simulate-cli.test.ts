import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

describe('spark-sword simulate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-simulate-cli-'));
  const db = join(dir, 'cli.duckdb');
  const log = writeEventLog(dir, {
    appId: 'app-cli-what-if',
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: 8 }, () => ({ durationMs: 1000 })) }] }],
  });
  const cli = capturedCli();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ingests the log and prints the what-if table with its bounds and assumptions', async () => {
    const code = await cli.run(['simulate', log, '--executors', '2,4', '--cores', '1', '--db', db]);
    expect(code).toBe(0);
    expect(cli.stdout).toContain('app-cli-what-if');
    expect(cli.stdout).toMatch(/^\s+2\s+4\.2 s\s+94\.7%$/m);
    expect(cli.stdout).toMatch(/^\s+4\s+2\.2 s\s+89\.8%$/m);
    expect(cli.stdout).toContain('critical path (unlimited executors): 1.2 s');
    // The log's one executor, counted in the singular.
    expect(cli.stdout).toMatch(/^ {2}actual: \S+ s with 1 executor on average \(at most 1\); estimated there: \S+ s \(model error [\d.]+% at 1 executor\)$/m);
    expect(cli.stdout).toContain('assumptions:');
    expect(cli.stdout).toContain('Driver time is fixed');
  });

  it('prints JSON with --json', async () => {
    const code = await cli.run(['simulate', log, '--executors', '2,4', '--cores', '1', '--db', db, '--json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { applications: Array<{ appKey: string; simulation: { points: Array<{ estimatedWallTimeMs: number }> } }> };
    expect(parsed.applications[0]!.appKey).toBe('app-cli-what-if');
    expect(parsed.applications[0]!.simulation.points.map((point) => point.estimatedWallTimeMs)).toEqual([4226, 2226]);
  });

  it.each([
    [['--executors', '0,4'], /--executors takes/],
    [['--executors', 'four'], /--executors takes/],
    [['--cores', '300'], /--cores takes/],
  ])('rejects %j with exit code 2', async (args, message) => {
    const code = await cli.run(['simulate', log, '--db', db, ...args]);
    expect(code).toBe(2);
    expect(cli.stderr).toMatch(message);
  });
});
