import type { ServerResponse } from 'node:http';
import type { Config } from '../config.js';
import { logger } from '../logger.js';
import { anonymousLearnerId, isAnonymousToken, newAnonymousToken } from '../learning/progress/learner-id.js';
import type { ProgressStore, User } from '../learning/progress/progress-store.js';
import { AuthError, SIGN_IN_NOT_CONFIGURED_MESSAGE } from './auth-error.js';
import {
  clearCookieHeader,
  LEARNER_COOKIE,
  LEARNER_COOKIE_MAX_AGE_SECONDS,
  readCookies,
  SESSION_COOKIE,
  setCookieHeader,
} from './cookies.js';
import type { AuthServices } from './auth-services.js';

/** Where a request's Set-Cookie headers go: the node response, before its body is written. */
export type CookieResponse = Pick<ServerResponse, 'setHeader' | 'headersSent'>;

/** A signed-in user and when they signed in. */
export interface SignedInUser {
  user: User;
  signedInAt: Date;
}

/** What a LearnerSession needs about its request. */
export interface LearnerSessionOptions {
  /** The request's Cookie header. */
  cookieHeader: string | undefined;
  response: CookieResponse;
  config: Pick<Config, 'NODE_ENV' | 'COOKIE_DOMAIN'>;
  progress: ProgressStore;
  auth: AuthServices;
}

/**
 * Who is asking, for one request: a signed-in user (valid session cookie naming a known user) or an
 * anonymous learner (random id in an HttpOnly cookie, issued only when something needs a learner id).
 * Cookies it sets are written to the response as Set-Cookie headers before the body; a cookie changed
 * twice in one request is sent once, with its last value.
 */
export class LearnerSession {
  private readonly cookies: Record<string, string | undefined>;
  private readonly pendingCookies = new Map<string, string>();
  private signedIn: Promise<SignedInUser | null> | null = null;
  /** The anonymous token in use this request; undefined until read, null when there is none. */
  private anonymousToken: string | null | undefined;

  constructor(private readonly options: LearnerSessionOptions) {
    this.cookies = readCookies(options.cookieHeader);
  }

  /** The signed-in user with their sign-in time, or null for an anonymous learner. */
  async session(): Promise<SignedInUser | null> {
    this.signedIn ??= this.readSession();
    return this.signedIn;
  }

  /** The signed-in user, or null for an anonymous learner. */
  async currentUser(): Promise<User | null> {
    return (await this.session())?.user ?? null;
  }

  /**
   * The id progress is kept under: the user's when signed in, else the anonymous learner's, issuing the
   * anonymous cookie (or replacing a malformed one) on first need.
   */
  async learnerId(): Promise<string> {
    const user = await this.currentUser();
    if (user) return user.learnerId;
    let token = this.currentAnonymousToken();
    if (!token) {
      token = newAnonymousToken();
      this.anonymousToken = token;
      this.setCookie(LEARNER_COOKIE, setCookieHeader(LEARNER_COOKIE, token, LEARNER_COOKIE_MAX_AGE_SECONDS, this.options.config));
    }
    return anonymousLearnerId(token);
  }

  /** The anonymous learner id this request carries, without issuing one; null when it carries none. */
  anonymousLearnerId(): string | null {
    const token = this.currentAnonymousToken();
    return token ? anonymousLearnerId(token) : null;
  }

  /** Verifies a Google ID token, creates or finds its user, and signs them in (see `signIn`). */
  async signInWithGoogle(idToken: string): Promise<SignedInUser> {
    const google = this.options.auth.google;
    if (!google) throw new AuthError('NOT_CONFIGURED', SIGN_IN_NOT_CONFIGURED_MESSAGE);
    const profile = await google.verify(idToken);
    const user = await this.options.progress.upsertGoogleUser(profile);
    return this.signIn(user);
  }

  /**
   * Signs `user` in: moves this request's anonymous progress into theirs, clears the anonymous cookie and
   * sets the session cookie.
   */
  async signIn(user: User, now: Date = new Date()): Promise<SignedInUser> {
    const sessions = this.options.auth.sessions;
    if (!sessions) throw new AuthError('NOT_CONFIGURED', SIGN_IN_NOT_CONFIGURED_MESSAGE);
    const anonymous = this.anonymousLearnerId();
    if (anonymous) {
      await this.options.progress.mergeLearner(anonymous, user.learnerId);
      logger.info({ userId: user.id }, 'merged anonymous progress into a signed-in user');
    }
    if (this.cookies[LEARNER_COOKIE] !== undefined || this.anonymousToken) {
      this.setCookie(LEARNER_COOKIE, clearCookieHeader(LEARNER_COOKIE, this.options.config));
    }
    this.anonymousToken = null;
    const token = await sessions.issue(user.id, now);
    this.setCookie(SESSION_COOKIE, setCookieHeader(SESSION_COOKIE, token, sessions.lifetimeSeconds, this.options.config));
    const signedIn: SignedInUser = { user, signedInAt: new Date(Math.floor(now.getTime() / 1000) * 1000) };
    this.signedIn = Promise.resolve(signedIn);
    return signedIn;
  }

  /** Signs out: clears the session cookie; the browser is an anonymous learner again from the next need on. */
  signOut(): void {
    this.setCookie(SESSION_COOKIE, clearCookieHeader(SESSION_COOKIE, this.options.config));
    this.signedIn = Promise.resolve(null);
  }

  private currentAnonymousToken(): string | null {
    if (this.anonymousToken === undefined) {
      const value = this.cookies[LEARNER_COOKIE];
      // Anything but our own token shape is ignored (and replaced when an id is needed).
      this.anonymousToken = isAnonymousToken(value) ? value : null;
    }
    return this.anonymousToken;
  }

  private async readSession(): Promise<SignedInUser | null> {
    const token = this.cookies[SESSION_COOKIE];
    if (!token) return null;
    const session = this.options.auth.sessions ? await this.options.auth.sessions.verify(token) : null;
    const user = session ? await this.options.progress.userById(session.userId) : null;
    if (!session || !user) {
      // Tampered, expired, signed with an old secret or naming an unknown user: never trusted, and removed.
      this.setCookie(SESSION_COOKIE, clearCookieHeader(SESSION_COOKIE, this.options.config));
      return null;
    }
    return { user, signedInAt: session.signedInAt };
  }

  private setCookie(name: string, header: string): void {
    if (this.options.response.headersSent) {
      logger.warn({ cookie: name }, 'a cookie changed after the response headers were sent; it is lost');
      return;
    }
    this.pendingCookies.set(name, header);
    this.options.response.setHeader('set-cookie', [...this.pendingCookies.values()]);
  }
}
