import type { Config } from '../config.js';
import { createGoogleIdTokenVerifier, type GoogleIdTokenVerifier } from './google-id-token.js';
import { SessionTokens } from './session-token.js';

/** The identity machinery a server builds once from its configuration and shares between requests. */
export interface AuthServices {
  /** Null when JWT_SECRET_KEY is unset: no sessions, every learner is anonymous. */
  sessions: SessionTokens | null;
  /** Null when GOOGLE_CLIENT_ID is unset: sign-in answers "not configured". */
  google: GoogleIdTokenVerifier | null;
}

/** Sessions when JWT_SECRET_KEY is set, Google sign-in when GOOGLE_CLIENT_ID is; `overrides` replace either. */
export function createAuthServices(
  config: Pick<Config, 'JWT_SECRET_KEY' | 'SESSION_TTL_SECONDS' | 'GOOGLE_CLIENT_ID' | 'GOOGLE_JWKS_URL'>,
  overrides: Partial<AuthServices> = {},
): AuthServices {
  return {
    sessions:
      overrides.sessions !== undefined
        ? overrides.sessions
        : config.JWT_SECRET_KEY
          ? new SessionTokens(config.JWT_SECRET_KEY, config.SESSION_TTL_SECONDS)
          : null,
    google:
      overrides.google !== undefined
        ? overrides.google
        : config.GOOGLE_CLIENT_ID
          ? createGoogleIdTokenVerifier({ clientId: config.GOOGLE_CLIENT_ID, jwksUrl: config.GOOGLE_JWKS_URL })
          : null,
  };
}
