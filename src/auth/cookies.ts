import { parseCookie, stringifySetCookie, type SetCookie } from 'cookie';
import type { Config } from '../config.js';

/** The anonymous learner's random token. */
export const LEARNER_COOKIE = 'ss_learner';
/** The signed session JWT of a signed-in user. */
export const SESSION_COOKIE = 'ss_session';
/** 400 days: the longest lifetime browsers accept; an anonymous learner keeps progress that long per visit. */
export const LEARNER_COOKIE_MAX_AGE_SECONDS = 400 * 24 * 3600;

/** Cookies are Secure everywhere but local development and tests, which run over plain http. */
export function cookiesAreSecure(config: Pick<Config, 'NODE_ENV'>): boolean {
  return config.NODE_ENV !== 'development' && config.NODE_ENV !== 'test';
}

/**
 * A Set-Cookie header for one of our cookies: HttpOnly (scripts never see ids or sessions), SameSite=Lax
 * (not sent on cross-site subrequests, which is most of CSRF), Path=/, Domain when COOKIE_DOMAIN is set.
 * Expires goes beside Max-Age for old clients; both say the same instant.
 */
function ourCookieHeader(
  name: string,
  value: string,
  maxAgeSeconds: number,
  expires: Date,
  config: Pick<Config, 'NODE_ENV' | 'COOKIE_DOMAIN'>,
): string {
  const cookie: SetCookie = {
    name,
    value,
    maxAge: maxAgeSeconds,
    expires,
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: cookiesAreSecure(config),
  };
  if (config.COOKIE_DOMAIN) cookie.domain = config.COOKIE_DOMAIN;
  return stringifySetCookie(cookie);
}

/** A Set-Cookie header that sets one of our cookies for `maxAgeSeconds` (see ourCookieHeader for its attributes). */
export function setCookieHeader(
  name: string,
  value: string,
  maxAgeSeconds: number,
  config: Pick<Config, 'NODE_ENV' | 'COOKIE_DOMAIN'>,
): string {
  return ourCookieHeader(name, value, maxAgeSeconds, new Date(Date.now() + maxAgeSeconds * 1000), config);
}

/** A Set-Cookie header that deletes the cookie (same name, path and domain, expired). */
export function clearCookieHeader(name: string, config: Pick<Config, 'NODE_ENV' | 'COOKIE_DOMAIN'>): string {
  return ourCookieHeader(name, '', 0, new Date(0), config);
}

/** The cookies of a request's Cookie header (values decoded; a malformed header yields what parses). */
export function readCookies(header: string | undefined): Record<string, string | undefined> {
  return header ? parseCookie(header) : {};
}
