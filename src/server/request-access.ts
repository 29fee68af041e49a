import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import { ClientError, type ErrorCode } from '../api/common/errors.js';
import type { ApiTokenStore } from '../auth/api-tokens.js';
import type { LearnerSession } from '../auth/learner-session.js';
import { InvalidCredentialsError, resolvePrincipal } from '../auth/principal.js';
import { hasRole, type Principal, type Role } from '../auth/roles.js';
import { ConfigError, type Config } from '../config.js';
import type { RateLimiter } from './rate-limit.js';

/** A request refused before it reaches GraphQL or REST: status, code, message, and headers to send. */
export class GateError extends Error {
  override readonly name = 'GateError';

  constructor(
    readonly status: number,
    readonly code: keyof typeof ErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  /** The same refusal raised inside a GraphQL operation (a plugin or resolver), with its status and headers. */
  toClientError(): ClientError {
    return new ClientError(this.message, this.code, { status: this.status, headers: this.headers });
  }
}

const LOOPBACK_HOSTS = new Set(['localhost', '::1', '[::1]', 'ip6-localhost']);

/** Whether HOST only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.trim().toLowerCase();
  return LOOPBACK_HOSTS.has(lower) || /^127(\.\d{1,3}){3}$/.test(lower) || lower === '::ffff:127.0.0.1';
}

/**
 * Refuses AUTH_MODE=open on an interface other computers reach (anyone there would be admin), unless
 * ALLOW_OPEN_ON_NETWORK=true, which is logged as a warning at every start.
 */
export function checkOpenModeExposure(config: Pick<Config, 'AUTH_MODE' | 'HOST' | 'ALLOW_OPEN_ON_NETWORK'>, log: Logger): void {
  if (config.AUTH_MODE !== 'open' || isLoopbackHost(config.HOST)) return;
  if (!config.ALLOW_OPEN_ON_NETWORK) {
    throw new ConfigError(
      `AUTH_MODE=open lets anyone who reaches the server read, upload and delete, so it only listens on loopback; ` +
        `HOST=${config.HOST} is not. Set AUTH_MODE=token (or google), or HOST=127.0.0.1, or ALLOW_OPEN_ON_NETWORK=true ` +
        'if a proxy in front already restricts who gets through.',
    );
  }
  log.warn(
    { host: config.HOST },
    'AUTH_MODE=open on a network interface (ALLOW_OPEN_ON_NETWORK=true): anyone who reaches this port is admin',
  );
}

/** The principal of a request; a wrong or revoked token is a 401, never "no token". */
export async function authenticate(
  request: IncomingMessage,
  learner: LearnerSession,
  config: Config,
  tokens: ApiTokenStore,
): Promise<Principal> {
  try {
    return await resolvePrincipal({ config, tokens, learner, authorization: request.headers.authorization });
  } catch (error) {
    if (error instanceof InvalidCredentialsError) {
      throw new GateError(401, 'UNAUTHENTICATED', error.message, { 'www-authenticate': 'Bearer error="invalid_token"' });
    }
    throw error;
  }
}

/** The refusal of `what` to a caller without the role it needs: 401 with no role, 403 with too small a one. */
export function roleRefusal(principal: Principal, needed: Role, what: string): GateError {
  if (principal.role === null) {
    const message =
      principal.via === 'google'
        ? `${what} needs the ${needed} role; this Google account has no role on this server (ask an admin)`
        : `${what} needs the ${needed} role: send an API token as "Authorization: Bearer <token>"` +
          ' (an admin creates one with `spark-sword token create`)';
    return new GateError(401, 'UNAUTHENTICATED', message, { 'www-authenticate': 'Bearer' });
  }
  return new GateError(403, 'FORBIDDEN', `${what} needs the ${needed} role; this caller is ${principal.role}`);
}

/** Throws 401 (no role) or 403 (too small a role) unless `principal` holds `needed`. */
export function requireRole(principal: Principal, needed: Role, what: string): void {
  if (!hasRole(principal.role, needed)) throw roleRefusal(principal, needed, what);
}

/** Who a rate limit counts against: the token or account when there is one, else the client's address. */
export function clientKey(principal: Principal, request: IncomingMessage): string {
  if (principal.via === 'token' || principal.via === 'google') return principal.subject ?? 'unknown';
  return `address:${request.socket.remoteAddress ?? 'unknown'}`;
}

/** The error for a refused request under `limiter`, or nothing when the client may go on. */
export function rateLimitError(limiter: RateLimiter, client: string, what: string, setting: string): GateError | null {
  const limited = limiter.take(client);
  if (!limited) return null;
  return new GateError(
    429,
    'TOO_MANY_REQUESTS',
    `Too many ${what}: at most ${limiter.perMinute} a minute per client (${setting}); retry in ${limited.retryAfterSeconds} s`,
    { 'retry-after': String(limited.retryAfterSeconds) },
  );
}

/**
 * A GraphQL body larger than `maxBytes`, replaced by an error naming the limit (the work is done, but a client
 * and the proxies between never receive an answer of hundreds of megabytes); else the body as it was.
 */
export function limitResponseSize(body: string, maxBytes: number): { body: string; limited: boolean } {
  const size = Buffer.byteLength(body, 'utf8');
  if (size <= maxBytes) return { body, limited: false };
  const message =
    `The response would be ${size} bytes; the limit is ${maxBytes} (MAX_RESPONSE_BYTES). ` +
    'Ask for fewer fields, fewer aliases or smaller pages (first:).';
  return { body: JSON.stringify({ data: null, errors: [{ message, extensions: { code: 'RESPONSE_TOO_LARGE' } }] }), limited: true };
}
