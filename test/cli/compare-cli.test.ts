import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';
import { plantedRegressionPair } from '../helpers/comparison-pair.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

describe('spark-sword compare', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-compare-cli-'));
  const db = join(dir, 'cli.duckdb');
  const cli = capturedCli();
  beforeAll(async () => {
    const { base, candidate } = plantedRegressionPair();
    expect(await cli.run(['ingest', writeEventLog(dir, base), writeEventLog(dir, candidate), '--db', db])).toBe(0);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the change, the ranked parts with evidence and the differing properties', async () => {
    expect(await cli.run(['compare', 'app-etl-monday', 'app-etl-tuesday', '--db', db])).toBe(0);
    expect(cli.stdout).toMatch(/^wall clock: \+\d+\.\d s/m);
    expect(cli.stdout).toMatch(/^ {2}1\. \+\d+\.\d s \(\d+% of the change\) Stage 3 \(join at Etl\.scala:88\), stage 2 in the base/m);
    expect(cli.stdout).toContain('- shuffle read: 3x, 5.9 GB vs 2.0 GB');
    expect(cli.stdout).toContain('spark.sql.shuffle.partitions: 200 → 20');
    expect(cli.stdout).toContain('stages only in the candidate: 0 (cache at Etl.scala:5)');
  });

  it('prints exactly one JSON document with --json', async () => {
    expect(await cli.run(['compare', 'app-etl-monday', 'app-etl-tuesday', '--db', db, '--json'])).toBe(0);
    const parsed = JSON.parse(cli.stdout) as { explanations: Array<{ candidateStageId: number; shareOfChange: number }>; base: { appKey: string } };
    expect(parsed.base.appKey).toBe('app-etl-monday');
    expect(parsed.explanations[0]!.candidateStageId).toBe(3);
  });

  it('exits 2 naming an id that is not stored', async () => {
    expect(await cli.run(['compare', 'app-etl-monday', 'app-nope', '--db', db, '--json'])).toBe(2);
    // With --json even a failure is one JSON document on stdout; the message is on stderr too.
    expect(JSON.parse(cli.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringContaining('No stored application "app-nope"') } });
    expect(cli.stderr).toContain('No stored application "app-nope"');
  });
});
