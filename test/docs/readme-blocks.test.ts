import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSchema, Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../../src/ingest/sample-data.js';
import { buildCli } from '../../src/cli/main.js';
import { capturedCli } from '../helpers/cli.js';
import { docBlocks, shellCommands, where, type DocBlock, type ShellCommand } from '../helpers/doc-blocks.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Docs that cannot rot: every shell and GraphQL block of README.md and every example file runs here, in order,
 * against a fresh server holding the bundled sample data (examples/logs). Failures name the file, the line and
 * the section of the block, and say what to change.
 *
 * Shell commands of one block that take --db share a throw-away database, in the block's order.
 * GraphQL blocks: each operation named, validated against schema.graphql, sent to the server; no errors unless
 * the block is preceded by `<!-- readme-test: expect-error CODE -->`. Variables need defaults in the block.
 * Shell blocks: `npx spark-sword …` runs the CLI (ingesting commands into a throw-away database), `curl …` runs
 * curl against the test server (http://localhost:4000 is rewritten to its address), `npm …` must name an
 * existing script (installing, building and serving are what the rest of the suite tests). Unquoted brackets,
 * braces, globs and `?` are refused: pasted into a shell they are placeholders or patterns, not values.
 */
const root = join(import.meta.dirname, '../..');
const README_DEMO_URL = 'http://localhost:4000';
const RUNNABLE_LANGS = new Set(['sh', 'bash', 'shell', 'console', 'graphql', 'gql']);
const execFileAsync = promisify(execFile);

function documentedBlocks(): DocBlock[] {
  const blocks = docBlocks('README.md', join(root, 'README.md'));
  const examples = join(root, 'examples');
  for (const name of readdirSync(examples).sort()) {
    if (name.endsWith('.md')) blocks.push(...docBlocks(`examples/${name}`, join(examples, name)));
    if (name.endsWith('.graphql')) {
      blocks.push({ file: `examples/${name}`, line: 0, lang: 'graphql', text: readFileSync(join(examples, name), 'utf8'), section: name, directives: [] });
    }
  }
  return blocks.filter((block) => RUNNABLE_LANGS.has(block.lang));
}

const packageScripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const schema = buildSchema(readFileSync(join(root, 'schema.graphql'), 'utf8'));
const envExample = readFileSync(join(root, '.env.example'), 'utf8');

/** What a directive asks of a block: an exit code for shell, an error code for GraphQL. */
function directive(block: DocBlock, name: string): string | undefined {
  return block.directives.map((d) => d.split(/\s+/)).find(([key]) => key === name)?.[1];
}

/** Refuses words a shell would not take literally, or that only stand for a value. */
function checkLiteral(block: DocBlock, command: ShellCommand): void {
  for (const word of command.words) {
    if (word.includes('../shared')) {
      throw new Error(`${where(block, command.line)}: \`${command.source}\` reads ../shared, which a user does not have; use the sample logs in examples/logs`);
    }
  }
  for (const word of command.unquoted) {
    const bad = /[[\]{}*?]|^<.*>$|…|\.\.\./.exec(word);
    if (bad) {
      throw new Error(
        `${where(block, command.line)}: "${word}" in \`${command.source}\` is a placeholder or a shell pattern ` +
          `("${bad[0]}"); write a real value (examples/logs has sample logs), quote a URL with ?, and describe options in prose`,
      );
    }
  }
}

describe('documentation blocks run as written', () => {
  let server: TestServer;
  const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-readme-'));
  const cli = capturedCli();
  let dbCount = 0;

  beforeAll(async () => {
    server = await startTestServer();
    await loadSampleDataIfEmpty(server.temp.database, true);
  });
  afterAll(async () => {
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  /** Commands that take --db: they get a throw-away database per block (the server holds its own file). */
  const takesDb = new Set(buildCli().program.commands.filter((c) => c.options.some((o) => o.long === '--db')).map((c) => c.name()));
  const blockDbs = new Map<DocBlock, string>();

  async function runCli(block: DocBlock, command: ShellCommand): Promise<void> {
    const args = command.words.slice(2);
    // One database per block, so an ingest and the compare after it in the same block see the same runs.
    if (takesDb.has(args[0] ?? '')) {
      if (!blockDbs.has(block)) blockDbs.set(block, join(scratch, `cli-${dbCount++}.duckdb`));
      const db = blockDbs.get(block)!;
      const at = args.indexOf('--db');
      if (at >= 0) args.splice(at, 2, '--db', db);
      else args.push('--db', db);
    }
    const expected = Number(directive(block, 'exit') ?? 0);
    const code = await cli.run(args);
    if (code !== expected) {
      throw new Error(`${where(block, command.line)}: \`${command.source}\` exited ${code}, expected ${expected}\n${cli.stderr}${cli.stdout.slice(0, 2000)}`);
    }
    if (args.includes('--json')) JSON.parse(cli.stdout);
  }

  async function runCurl(block: DocBlock, command: ShellCommand): Promise<void> {
    const args = command.words.slice(1).map((word) => word.split(README_DEMO_URL).join(server.url));
    if (!command.words.some((word) => word.startsWith(README_DEMO_URL))) {
      throw new Error(`${where(block, command.line)}: \`${command.source}\` does not call ${README_DEMO_URL}, where the README's server listens`);
    }
    try {
      const { stdout } = await execFileAsync('curl', ['--silent', '--show-error', '--fail-with-body', ...args], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
      if (stdout.trimStart().startsWith('{') && stdout.includes('"errors"')) {
        const body = JSON.parse(stdout) as { errors?: Array<{ message: string }> };
        if (body.errors?.length) throw new Error(`${where(block, command.line)}: \`${command.source}\` answered errors: ${JSON.stringify(body.errors)}`);
      }
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`${where(block, command.line)}: \`${command.source}\` failed: ${failure.stderr ?? ''}${failure.stdout ?? failure.message}`);
    }
  }

  function checkNpm(block: DocBlock, command: ShellCommand): void {
    const [, verb, script, ...rest] = command.words;
    const known = (name: string): void => {
      if (!packageScripts[name]) throw new Error(`${where(block, command.line)}: \`${command.source}\`: package.json has no "${name}" script`);
    };
    if (verb === 'install' || verb === 'ci') return;
    if (verb === 'test') return known('test');
    if (verb === 'start') {
      known('start');
      const flags = command.words.slice(command.words.indexOf('--') + 1);
      if (command.words.includes('--') && flags.some((flag) => flag !== '--demo')) {
        throw new Error(`${where(block, command.line)}: \`${command.source}\`: the server takes only --demo`);
      }
      return;
    }
    if (verb === 'run' && script) {
      known(script);
      if (rest.length > 0 && rest[0] !== '--') throw new Error(`${where(block, command.line)}: \`${command.source}\`: pass script arguments after --`);
      return;
    }
    throw new Error(`${where(block, command.line)}: \`${command.source}\`: the README test knows npm install, ci, start, test and run`);
  }

  async function runShell(block: DocBlock): Promise<void> {
    const commands = shellCommands(block);
    if (commands.length === 0) throw new Error(`${where(block)}: an empty shell block`);
    for (let command of commands) {
      checkLiteral(block, command);
      // `NAME=value npm start`: each variable must be one the server reads, as .env.example documents them.
      const assignments = command.words.filter((word, i) => /^[A-Z_][A-Z0-9_]*=/.test(word) && command.words.slice(0, i).every((w) => /^[A-Z_][A-Z0-9_]*=/.test(w)));
      for (const assignment of assignments) {
        const name = assignment.slice(0, assignment.indexOf('='));
        if (!new RegExp(`^${name}=`, 'm').test(envExample)) throw new Error(`${where(block, command.line)}: \`${command.source}\` sets ${name}, which .env.example does not document`);
      }
      if (assignments.length > 0) command = { ...command, words: command.words.slice(assignments.length) };
      const [program, sub] = command.words;
      if (program === 'npx' && sub === 'spark-sword') await runCli(block, command);
      else if (program === 'curl') await runCurl(block, command);
      else if (program === 'npm') checkNpm(block, command);
      else throw new Error(`${where(block, command.line)}: \`${command.source}\`: the README test runs npx spark-sword, curl and npm commands only`);
    }
  }

  async function runGraphql(block: DocBlock): Promise<void> {
    let document;
    try {
      document = parse(block.text);
    } catch (error) {
      throw new Error(`${where(block)}: does not parse: ${(error as Error).message}`);
    }
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    if (operations.length === 0) throw new Error(`${where(block)}: holds no operation`);
    for (const operation of operations) {
      const line = block.line + (operation.loc?.startToken.line ?? 0);
      if (!operation.name) throw new Error(`${where(block, line)}: an anonymous ${operation.operation}; name every operation (e.g. \`${operation.operation} Scenarios {\`) so each can be run on its own`);
      const undefaulted = operation.variableDefinitions?.filter((v) => !v.defaultValue) ?? [];
      if (undefaulted.length > 0) {
        throw new Error(`${where(block, line)}: ${operation.name.value} needs $${undefaulted.map((v) => v.variable.name.value).join(', $')}; give variables default values in the block`);
      }
    }
    const invalid = validate(schema, document);
    if (invalid.length > 0) throw new Error(`${where(block)}: invalid against schema.graphql:\n  ${invalid.map((e) => `${e.message} (block line ${e.locations?.[0]?.line ?? '?'})`).join('\n  ')}`);
    const expectedError = directive(block, 'expect-error');
    for (const operation of operations) {
      const line = block.line + (operation.loc?.startToken.line ?? 0);
      const response = await fetch(server.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: block.text, operationName: operation.name!.value }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
      if (expectedError) {
        const codes = (body.errors ?? []).map((e) => e.extensions?.code);
        if (codes.length === 0 || codes.some((code) => code !== expectedError)) {
          throw new Error(`${where(block, line)}: ${operation.name!.value} was documented to answer ${expectedError}, answered ${JSON.stringify(body.errors ?? body.data)}`);
        }
      } else if (body.errors?.length) {
        throw new Error(`${where(block, line)}: ${operation.name!.value} answered errors: ${body.errors.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ')}`);
      }
    }
  }

  it('finds the README and its blocks', () => {
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(documentedBlocks().length).toBeGreaterThan(5);
  });

  for (const block of documentedBlocks()) {
    it(`${where(block)}`, async () => {
      if (block.lang === 'graphql' || block.lang === 'gql') await runGraphql(block);
      else await runShell(block);
    });
  }
});
