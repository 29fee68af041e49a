import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { BadInputError } from '../errors.js';
import type { ProgressDatabase } from '../learning/progress/progress-database.js';
import { isRole, type Role } from './roles.js';

/** Every token starts so, which makes a leaked one easy to recognise in logs and secret scanners. */
const TOKEN_PREFIX = 'sst_';
/** 32 random bytes: guessing is hopeless, so a fast hash (SHA-256) is enough to store it. */
const SECRET_BYTES = 32;
const TOKEN_PATTERN = /^sst_[A-Za-z0-9_-]{43}$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** An API token as stored: never its secret. */
export interface ApiToken {
  id: string;
  name: string;
  role: Role;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A freshly created token: the only moment its secret exists outside the client. */
export interface CreatedApiToken extends ApiToken {
  secret: string;
}

function hashOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function toToken(row: Record<string, unknown>): ApiToken {
  const role = row.role;
  if (!isRole(role)) throw new Error(`api_tokens row ${String(row.token_id)} has an unknown role ${String(role)}`);
  return {
    id: row.token_id as string,
    name: row.name as string,
    role,
    createdAt: row.created_at as Date,
    revokedAt: (row.revoked_at as Date | null) ?? null,
  };
}

/**
 * API tokens for AUTH_MODE=token, kept in the progress database (which survives rebuilding the analysis
 * data). Only the SHA-256 of each secret is stored; a token is looked up by that hash.
 */
export class ApiTokenStore {
  constructor(private readonly database: ProgressDatabase) {}

  /** Creates a token; names are unique among tokens not revoked. Throws BadInputError for a bad name or role. */
  async create(name: string, role: string, now: Date = new Date()): Promise<CreatedApiToken> {
    if (!NAME_PATTERN.test(name)) {
      throw new BadInputError(
        `Token name "${name}" is not valid: 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`,
      );
    }
    if (!isRole(role)) throw new BadInputError(`Role "${role}" is not one of viewer, uploader, admin`);
    const secret = TOKEN_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
    const id = randomUUID();
    await this.database.transaction(async (run) => {
      const taken = await run('SELECT 1 FROM api_tokens WHERE name = $name AND revoked_at IS NULL', { name });
      if (taken.length > 0) throw new BadInputError(`A token named "${name}" already exists; revoke it first or pick another name`);
      await run(
        'INSERT INTO api_tokens VALUES ($id, $name, $role, $hash, epoch_ms($at::BIGINT), NULL)',
        { id, name, role, hash: hashOf(secret), at: now.getTime() },
      );
    });
    return { id, name, role, createdAt: now, revokedAt: null, secret };
  }

  /** The live token whose secret this is, or null (unknown, revoked or malformed). */
  async verify(secret: string): Promise<ApiToken | null> {
    if (!TOKEN_PATTERN.test(secret)) return null;
    const hash = hashOf(secret);
    const rows = await this.database.query(
      'SELECT token_id, name, role, secret_hash, created_at, revoked_at FROM api_tokens WHERE secret_hash = $hash AND revoked_at IS NULL',
      { hash },
    );
    const row = rows[0];
    // The lookup is by hash already; the constant-time compare guards against a collation surprise.
    if (!row || !timingSafeEqual(Buffer.from(row.secret_hash as string), Buffer.from(hash))) return null;
    return toToken(row);
  }

  /** Revokes the live token with this name or id; throws BadInputError when there is none. */
  async revoke(nameOrId: string, now: Date = new Date()): Promise<ApiToken> {
    const rows = await this.database.query(
      `UPDATE api_tokens SET revoked_at = epoch_ms($at::BIGINT)
       WHERE (name = $key OR token_id = $key) AND revoked_at IS NULL
       RETURNING token_id, name, role, created_at, revoked_at`,
      { key: nameOrId, at: now.getTime() },
    );
    if (rows.length === 0) throw new BadInputError(`No live token is named "${nameOrId}"`);
    return toToken(rows[0]!);
  }

  /** Every token, live and revoked, oldest first. */
  async list(): Promise<ApiToken[]> {
    const rows = await this.database.query(
      'SELECT token_id, name, role, created_at, revoked_at FROM api_tokens ORDER BY created_at, name',
    );
    return rows.map(toToken);
  }
}
