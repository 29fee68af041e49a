import type { Config } from '../config.js';
import type { ApiTokenStore } from './api-tokens.js';
import type { LearnerSession } from './learner-session.js';
import { NOBODY, type Principal, type Role } from './roles.js';

/** Credentials were sent but do not hold: answered 401, never treated as "no credentials". */
export class InvalidCredentialsError extends Error {
  override readonly name = 'InvalidCredentialsError';
}

/** What resolving a request's principal needs. */
export interface PrincipalSources {
  config: Pick<Config, 'AUTH_MODE' | 'ADMIN_EMAILS' | 'GOOGLE_ALLOWED_DOMAINS' | 'GOOGLE_DOMAIN_ROLE'>;
  tokens: ApiTokenStore;
  /** The request's Authorization header. */
  authorization: string | undefined;
  /** The request's learner session (its Google sign-in, in AUTH_MODE=google). */
  learner: LearnerSession;
}

/** The bearer token of an Authorization header; undefined without one; throws for another scheme. */
function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(header);
  if (!match) throw new InvalidCredentialsError('The Authorization header must be "Bearer <API token>"');
  return match[1];
}

/** The role a verified Google email holds: ADMIN_EMAILS first, then an allowed domain, else none. */
export function googleRole(email: string, config: PrincipalSources['config']): Role | null {
  const lower = email.toLowerCase();
  if (config.ADMIN_EMAILS.includes(lower)) return 'admin';
  const domain = lower.slice(lower.lastIndexOf('@') + 1);
  return config.GOOGLE_ALLOWED_DOMAINS.includes(domain) ? config.GOOGLE_DOMAIN_ROLE : null;
}

/**
 * Who a request acts as. Open mode: everyone is the local admin. Token and Google modes: a valid
 * `Authorization: Bearer` API token (a wrong one throws InvalidCredentialsError), else in Google mode the
 * signed-in user's role by verified email, else nobody.
 */
export async function resolvePrincipal(sources: PrincipalSources): Promise<Principal> {
  const { config } = sources;
  if (config.AUTH_MODE === 'open') return { role: 'admin', subject: 'local', via: 'open' };
  const secret = bearerToken(sources.authorization);
  if (secret !== undefined) {
    const token = await sources.tokens.verify(secret);
    if (!token) throw new InvalidCredentialsError('The API token is unknown or revoked');
    return { role: token.role, subject: `token:${token.name}`, via: 'token', token: { name: token.name, createdAt: token.createdAt } };
  }
  if (config.AUTH_MODE === 'google') {
    const user = await sources.learner.currentUser();
    // An unverified email proves nothing about who holds the account.
    if (user?.email && user.emailVerified) {
      return { role: googleRole(user.email, config), subject: `google:${user.email.toLowerCase()}`, via: 'google' };
    }
  }
  return NOBODY;
}
