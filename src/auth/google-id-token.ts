import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { GoogleProfile } from '../learning/progress/progress-store.js';
import { AuthError } from './auth-error.js';

/** Checks a Google ID token and says whose it is. */
export interface GoogleIdTokenVerifier {
  /** The profile of a valid token; throws AuthError for anything else. */
  verify(idToken: string): Promise<GoogleProfile>;
}

/** Google signs ID tokens with either spelling of its issuer. */
export const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

/** Options of the jose-backed verifier. */
export interface GoogleVerifierOptions {
  /** GOOGLE_CLIENT_ID: the token's audience must be this. */
  clientId: string;
  /** GOOGLE_JWKS_URL: Google's published keys (cached and refreshed by jose when a new kid appears). */
  jwksUrl: string;
  /** Seconds of clock skew tolerated on exp/iat. */
  clockToleranceSeconds?: number;
}

/** A verifier checking signature (RS256 against the JWKS), issuer, audience and expiry with jose. */
export function createGoogleIdTokenVerifier(options: GoogleVerifierOptions): GoogleIdTokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl));
  return {
    async verify(idToken: string): Promise<GoogleProfile> {
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(idToken, keys, {
          algorithms: ['RS256'],
          issuer: GOOGLE_ISSUERS,
          audience: options.clientId,
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: options.clockToleranceSeconds ?? 30,
        }));
      } catch (error) {
        throw explain(error);
      }
      return profileOf(payload);
    },
  };
}

function explain(error: unknown): unknown {
  if (error instanceof errors.JWTExpired) {
    return new AuthError('INVALID_TOKEN', 'The Google ID token has expired; sign in with Google again for a fresh one.');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') {
      return new AuthError(
        'INVALID_TOKEN',
        "The Google ID token was issued for another application: its audience is not this server's GOOGLE_CLIENT_ID.",
      );
    }
    if (error.claim === 'iss') {
      return new AuthError('INVALID_TOKEN', 'The ID token was not issued by Google (issuer is not accounts.google.com).');
    }
    return new AuthError('INVALID_TOKEN', `The Google ID token is not valid: ${error.message}.`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) {
    return new AuthError('INVALID_TOKEN', "The Google ID token's signature does not match Google's published keys.");
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JOSEAlgNotAllowed ||
    error instanceof errors.JOSENotSupported
  ) {
    return new AuthError('MALFORMED_TOKEN', 'idToken is not a Google ID token (expected an RS256-signed JWT from Google).');
  }
  // Key fetch failures and the like are the server's problem, not the learner's: let them surface as internal.
  return error;
}

function optionalString(value: unknown): string | null {
  return typeof value === 'string' && value.length > 0 ? value : null;
}

function profileOf(payload: JWTPayload): GoogleProfile {
  return {
    subject: payload.sub!,
    email: optionalString(payload.email),
    // Google has sent both a boolean and the string "true" here.
    emailVerified: payload.email_verified === true || payload.email_verified === 'true',
    name: optionalString(payload.name),
    pictureUrl: optionalString(payload.picture),
  };
}
