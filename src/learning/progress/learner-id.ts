import { randomBytes } from 'node:crypto';

/**
 * Learner ids are namespaced so the two kinds can never collide: a signed-in user's is `user:<user id>`,
 * an anonymous learner's is `anon:<random token from the cookie>`. A cookie can only ever supply the part
 * after `anon:`, so no cookie value can name a user's progress.
 */
const ANONYMOUS_PREFIX = 'anon:';
const USER_PREFIX = 'user:';

/** 24 random bytes as base64url: 32 characters, 192 bits, nothing to guess. */
const ANONYMOUS_TOKEN = /^[A-Za-z0-9_-]{32}$/;

/** A fresh anonymous token (what the learner cookie holds). */
export function newAnonymousToken(): string {
  return randomBytes(24).toString('base64url');
}

/** True when `value` has the shape `newAnonymousToken` produces; anything else in the cookie is ignored. */
export function isAnonymousToken(value: string | undefined | null): value is string {
  return typeof value === 'string' && ANONYMOUS_TOKEN.test(value);
}

/** The learner id of an anonymous token. */
export function anonymousLearnerId(token: string): string {
  if (!isAnonymousToken(token)) throw new Error('Not an anonymous learner token');
  return `${ANONYMOUS_PREFIX}${token}`;
}

/** The learner id of a signed-in user. */
export function userLearnerId(userId: string): string {
  return `${USER_PREFIX}${userId}`;
}

/** True for ids made by `anonymousLearnerId` or `userLearnerId`. */
export function isLearnerId(value: string): boolean {
  if (value.startsWith(ANONYMOUS_PREFIX)) return isAnonymousToken(value.slice(ANONYMOUS_PREFIX.length));
  return value.startsWith(USER_PREFIX) && value.length > USER_PREFIX.length;
}

/** True for an anonymous learner's id. */
export function isAnonymousLearnerId(value: string): boolean {
  return value.startsWith(ANONYMOUS_PREFIX) && isLearnerId(value);
}
