import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { capturedCli } from '../helpers/cli.js';
import { eventLogPath } from '../helpers/spark-events.js';
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

  describe('--from a log --sql an execution', () => {
    const log = eventLogPath('spark4', 'local-1776286786993.zstd');

    it('derives the shape of a logged join, shows what the run did, and changes a knob with --set', async () => {
      expect(await cli.run(['shape', '--from', log, '--sql', '7', '--json'])).toBe(0);
      const asRun = JSON.parse(cli.stdout) as { asRun: { joins: { actual: string[] } }; result: ShapeResult; shape: { config: Record<string, unknown> } };
      expect(asRun.asRun.joins.actual).toEqual(['sort_merge']);
      expect(asRun.result.joins.map((join) => join.strategy)).toEqual(['sort_merge']);
      expect(asRun.shape.config.shufflePartitions).toBeGreaterThan(0);
      expect(await cli.run(['shape', '--from', log, '--sql', '7', '--set', 'spark.sql.autoBroadcastJoinThreshold=1g', '--json'])).toBe(0);
      const whatIf = JSON.parse(cli.stdout) as { result: ShapeResult; settings: Record<string, unknown> };
      expect(whatIf.settings).toEqual({ autoBroadcastJoinThresholdBytes: 1024 ** 3 });
      expect(whatIf.result.joins.map((join) => join.strategy)).toEqual(['broadcast_hash']);
      expect(await cli.run(['shape', '--from', log, '--sql', '7', '--set', 'shufflePartitions=8'])).toBe(0);
      expect(cli.stdout).toMatch(/^SQL execution 7 of local-1776286786993 with shufflePartitions=8\nAs it ran: \d+ stages/);
      expect(cli.stdout).toContain('Plan: ');
    });

    it.each([
      [['--from', 'x.zstd'], /--from needs --sql/],
      [['--from', 'LOG', '--sql', '7', '--set', 'shuffles=4'], /unknown setting "shuffles"/],
      [['--from', 'LOG', '--sql', '7', '--set', 'adaptiveEnabled=maybe'], /"maybe" is not a valid value for adaptiveEnabled/],
      [['--from', 'LOG', '--sql', '999'], /has no SQL execution 999 \(it has 0, 1/],
      [['--from', 'LOG', '--sql', '1.5'], /--sql takes a whole number from 0 to 9007199254740991, got "1.5"/],
      [['--from', 'LOG', '--sql', '1e308'], /--sql takes a whole number .* got "1e308"/],
      [['--from', 'LOG', '--sql', '99999999999999999999'], /--sql takes a whole number .* got "99999999999999999999"/],
    ])('rejects %j as bad input (exit 2) with a message that says what is wrong', async (args, message) => {
      const code = await cli.run(['shape', ...args.map((arg) => (arg === 'LOG' ? log : arg))]);
      expect(code).toBe(2);
      expect(cli.stderr).toMatch(message);
      expect(cli.stdout).toBe('');
    });
  });
});
