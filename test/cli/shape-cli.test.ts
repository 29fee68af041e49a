import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';
import type { ShapeResult } from '../../src/simulation/shape/shape-types.js';

describe('spark-sword shape', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-shape-cli-'));
  const write = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const cli = capturedCli();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the plan of the README example: stages, derivations, joins, AQE, insights and assumptions', async () => {
    const code = await cli.run(['shape', 'examples/shape-join-aggregate.json']);
    expect(cli.stderr).toBe('');
    expect(code).toBe(0);
    expect(cli.stdout).toMatch(/^Plan: 3 stages/);
    expect(cli.stdout).toContain('Stage 2 [main] starts at groupBy (op 2)');
    expect(cli.stdout).toMatch(/tasks\s+80 {3}← maxSplitBytes = min\(maxPartitionBytes 128 MB/);
    expect(cli.stdout).toContain('op 1: broadcast_hash (broadcast right), shuffles left: no, right: no');
    expect(cli.stdout).toContain('Adaptive query execution (at runtime)');
    expect(cli.stdout).toContain('Files written:');
    expect(cli.stdout).toContain('Assumptions');
    expect(cli.stdout).toContain('Spark 3.5 defaults used');
  });

  it('prints JSON with --json', async () => {
    const code = await cli.run(['shape', 'examples/shape-join-aggregate.json', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(cli.stdout) as ShapeResult;
    expect(result.stages.map((stage) => stage.boundary.op)).toEqual(['scan', 'scan', 'groupBy']);
    expect(result.joins[0]!.strategy).toBe('broadcast_hash');
  });

  it.each([
    ['a missing file', () => join(dir, 'missing.json'), /missing\.json: no such file/],
    ['bad JSON', () => write('bad.json', '{ "source": '), /bad\.json is not valid JSON/],
    ['an invalid shape', () => write('invalid.json', JSON.stringify({ source: { kind: 'table', totalBytes: 1, partitions: 1 }, operations: [{ op: 'join' }] })), /operations\[0\] \(join\) needs a right side/],
  ])('rejects %s with exit code 2', async (_case, path, message) => {
    const code = await cli.run(['shape', path()]);
    expect(code).toBe(2);
    expect(cli.stderr).toMatch(message);
    expect(cli.stdout).toBe('');
  });
});
