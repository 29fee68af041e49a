import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildCli } from '../../src/cli/main.js';
import { capturedCli } from '../helpers/cli.js';

const root = join(import.meta.dirname, '../..');
const sample = (file: string): string => join(root, 'examples/logs', file);
const dir = mkdtempSync(join(tmpdir(), 'spark-sword-json-'));
const db = join(dir, 'json.duckdb');

/**
 * One invocation per command, on the bundled examples. A command added to the CLI without a line here fails the
 * first test, so every command's --json output is parsed by this file.
 */
const progressDb = join(dir, 'progress.duckdb');
// Token names must be unique among live tokens: each create makes the next name, each revoke takes the oldest.
let created = 0;
let revoked = 0;

/** Each command's arguments (a function where every run needs its own). */
const invocations: Readonly<Record<string, string[] | (() => string[])>> = {
  ingest: ['ingest', sample('daily-sales-report.json'), '--db', db],
  analyze: ['analyze', sample('nightly-events-etl.json'), '--db', db],
  simulate: ['simulate', sample('preempted-clicks-rollup.json'), '--executors', '1,2,4', '--db', db],
  shape: ['shape', join(root, 'examples/shape-join-aggregate.json')],
  lint: ['lint', join(root, 'examples/code/daily_sales.py'), join(root, 'examples/code/daily_sales.sql')],
  // The applications the ingest and analyze runs above stored.
  compare: ['compare', 'app-20261201-sales-report', 'app-20261201-nightly-etl', '--db', db],
  export: ['export', '--parquet', join(dir, 'parquet'), '--db', db],
  fleet: ['fleet', '--db', db],
  'token create': () => ['token', 'create', '--role', 'viewer', '--name', `ci-${++created}`, '--progress-db', progressDb],
  'token revoke': () => ['token', 'revoke', `ci-${++revoked}`, '--progress-db', progressDb],
  'token list': ['token', 'list', '--progress-db', progressDb],
};

/** Every runnable command by its full name ("token create"): a command with subcommands only groups them. */
function leafCommands(command: Command, prefix = ''): Command[] {
  return command.commands.flatMap((sub) => {
    const named = Object.assign(sub, { fullName: `${prefix}${sub.name()}` });
    return sub.commands.length > 0 ? leafCommands(sub, `${named.fullName} `) : [named];
  });
}

/** A pino record: what must never reach stdout, nor a person's stderr without --verbose. */
const PINO_LINE = /^\{"level":\d+/m;

describe('spark-sword output for machines and people', () => {
  const cli = capturedCli();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('has an invocation here for every command, and every command takes --json', () => {
    const { program } = buildCli();
    for (const command of leafCommands(program) as Array<Command & { fullName: string }>) {
      expect(invocations[command.fullName], `add an invocation of "${command.fullName}" to test/cli/json-output.test.ts`).toBeDefined();
      expect(command.options.map((option) => option.long), `${command.fullName} --json`).toContain('--json');
    }
  });

  for (const [name, invocation] of Object.entries(invocations)) {
    const args = (): string[] => (typeof invocation === 'function' ? invocation() : invocation);
    it(`${name} --json prints exactly one JSON document on stdout and logs only on stderr`, async () => {
      // The process's own stdout must stay untouched too (the logger's default destination).
      const processStdout = vi.spyOn(process.stdout, 'write');
      const code = await cli.run(['--verbose', ...args(), '--json']);
      expect(processStdout).not.toHaveBeenCalled();
      processStdout.mockRestore();
      expect(code, cli.stderr).toBe(0);
      // JSON.parse of the whole stream: one document, nothing before or after it.
      const parsed = JSON.parse(cli.stdout) as Record<string, unknown>;
      expect(typeof parsed).toBe('object');
      expect(parsed).not.toHaveProperty('error');
      expect(cli.stdout).not.toMatch(PINO_LINE);
    });

    it(`${name} prints text without log records unless --verbose`, async () => {
      expect(await cli.run(args())).toBe(0);
      expect(cli.stdout).not.toMatch(PINO_LINE);
      expect(cli.stderr).not.toMatch(PINO_LINE);
      expect(() => JSON.parse(cli.stdout)).toThrow();
    });
  }

  it('shows a warning the ingest logs as one line of text on stderr, not a log record, and keeps stdout JSON', async () => {
    // A plain JSON log named .lz4: discovery warns and decodes it by its content.
    const misnamed = join(dir, 'misnamed.lz4');
    copyFileSync(sample('daily-sales-report.json'), misnamed);
    expect(await cli.run(['ingest', misnamed, '--db', db, '--json'])).toBe(0);
    expect(cli.stderr).toMatch(/^spark-sword: warning: event log content does not match its file name; decoding by content \(path=.*misnamed\.lz4, named=lz4, sniffed=none\)$/m);
    expect(cli.stderr).not.toMatch(PINO_LINE);
    expect(JSON.parse(cli.stdout)).toHaveProperty('applications');
  });

  it('--verbose passes the structured log records to stderr, never to stdout', async () => {
    expect(await cli.run(['--verbose', 'ingest', sample('daily-sales-report.json'), '--db', db, '--json'])).toBe(0);
    expect(cli.stderr).toMatch(/"msg":"ingested event log"/);
    expect(JSON.parse(cli.stdout)).toHaveProperty('applications');
  });

  it('answers a failure with --json as one JSON document naming the problem, and exit 2', async () => {
    expect(await cli.run(['analyze', join(dir, 'no-such-log.json'), '--db', db, '--json'])).toBe(2);
    const parsed = JSON.parse(cli.stdout) as { error: { exitCode: number; message: string } };
    expect(parsed.error.exitCode).toBe(2);
    expect(parsed.error.message).toMatch(/no-such-log\.json/);
    expect(await cli.run(['simulate', sample('daily-sales-report.json'), '--executors', 'many', '--json'])).toBe(2);
    expect((JSON.parse(cli.stdout) as { error: { message: string } }).error.message).toMatch(/--executors/);
  });

  it('--version prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(await cli.run(['--version'])).toBe(0);
    expect(cli.stdout.trim()).toBe(version);
  });

  it('--help documents the exit codes', async () => {
    expect(await cli.run(['--help'])).toBe(0);
    expect(cli.stdout).toMatch(/Exit codes:\n\s+0 .*\n\s+1 .*internal error.*\n\s+2 .*bad input/);
    expect(cli.stdout).toMatch(/3 .*lint --fail-on/);
  });
});
