import type { Command } from 'commander';
import { ApiTokenStore, type ApiToken } from '../auth/api-tokens.js';
import { loadConfig } from '../config.js';
import { BadInputError } from '../errors.js';
import { ProgressDatabase } from '../learning/progress/progress-database.js';

/** Where token commands write. */
export interface TokenOutput {
  stdout: { write: (text: string) => unknown };
}

/** Opens the progress database for token commands; a server holding it is named as the reason it cannot open. */
async function withTokens<T>(path: string | undefined, work: (tokens: ApiTokenStore) => Promise<T>): Promise<T> {
  const file = path ?? loadConfig().PROGRESS_DB_PATH;
  let database: ProgressDatabase;
  try {
    database = await ProgressDatabase.open(file);
  } catch (error) {
    if (/lock/i.test((error as Error).message)) {
      throw new BadInputError(
        `${file} is held by a running server (DuckDB allows one process per file): stop the server first, or ` +
          'have an admin use the createApiToken / revokeApiToken mutations.',
      );
    }
    throw error;
  }
  try {
    return await work(new ApiTokenStore(database));
  } finally {
    database.close();
  }
}

function tokenJson(token: ApiToken): Record<string, unknown> {
  return {
    id: token.id,
    name: token.name,
    role: token.role,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Adds `token create`, `token revoke` and `token list` to the CLI: API tokens for AUTH_MODE=token. */
export function addTokenCommands(program: Command, out: TokenOutput, done: (exitCode: number) => void): void {
  const token = program.command('token').description('create, revoke and list API tokens (AUTH_MODE=token), kept hashed in the progress database');
  token
    .command('create')
    .description('create an API token; its secret is printed once and never stored')
    .requiredOption('--role <role>', 'viewer (read), uploader (read, upload, delete its own) or admin (everything)')
    .requiredOption('--name <name>', 'who or what uses it, e.g. ci-nightly or alice; unique among live tokens')
    .option('--progress-db <path>', 'progress DuckDB file (default: PROGRESS_DB_PATH or data/progress.duckdb)')
    .option('--json', 'print the token as JSON')
    .action(async (options: { role: string; name: string; progressDb?: string; json?: boolean }) => {
      const created = await withTokens(options.progressDb, (tokens) => tokens.create(options.name, options.role));
      if (options.json) {
        out.stdout.write(`${JSON.stringify({ ...tokenJson(created), token: created.secret }, null, 2)}\n`);
      } else {
        out.stdout.write(
          `created ${created.role} token "${created.name}" (id ${created.id}). Its secret, shown only now:\n` +
            `${created.secret}\nSend it as: Authorization: Bearer ${created.secret}\n`,
        );
      }
      done(0);
    });
  token
    .command('revoke')
    .description('revoke a live API token by name or id; requests carrying it are refused from then on')
    .argument('<name-or-id>', 'the token name given at creation, or its id')
    .option('--progress-db <path>', 'progress DuckDB file (default: PROGRESS_DB_PATH or data/progress.duckdb)')
    .option('--json', 'print the revoked token as JSON')
    .action(async (nameOrId: string, options: { progressDb?: string; json?: boolean }) => {
      const revoked = await withTokens(options.progressDb, (tokens) => tokens.revoke(nameOrId));
      out.stdout.write(options.json ? `${JSON.stringify(tokenJson(revoked), null, 2)}\n` : `revoked ${revoked.role} token "${revoked.name}"\n`);
      done(0);
    });
  token
    .command('list')
    .description('list API tokens, live and revoked (never their secrets)')
    .option('--progress-db <path>', 'progress DuckDB file (default: PROGRESS_DB_PATH or data/progress.duckdb)')
    .option('--json', 'print the tokens as JSON')
    .action(async (options: { progressDb?: string; json?: boolean }) => {
      const all = await withTokens(options.progressDb, (tokens) => tokens.list());
      if (options.json) {
        out.stdout.write(`${JSON.stringify({ tokens: all.map(tokenJson) }, null, 2)}\n`);
      } else {
        for (const item of all) {
          out.stdout.write(`${item.name}\t${item.role}\t${item.revokedAt ? `revoked ${item.revokedAt.toISOString()}` : 'live'}\n`);
        }
      }
      done(0);
    });
}
