import { jwtVerify, SignJWT } from 'jose';
import { logger } from '../logger.js';

/** What a valid session cookie says. */
export interface Session {
  userId: string;
  /** When the user signed in (the JWT's `iat`). */
  signedInAt: Date;
  expiresAt: Date;
}

const ISSUER = 'spark-sword';
const AUDIENCE = 'spark-sword-session';

/**
 * Session JWTs: HS256 with JWT_SECRET_KEY, `sub` = user id, `exp` = sign-in + SESSION_TTL_SECONDS. Our own
 * issuer and audience keep a token minted for something else with the same secret from passing as a session.
 */
export class SessionTokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** How long a session lasts, in seconds. */
  get lifetimeSeconds(): number {
    return this.ttlSeconds;
  }

  /** A signed session token for `userId`, valid from `now` for the configured lifetime. */
  async issue(userId: string, now: Date = new Date()): Promise<string> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject(userId)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
  }

  /** The session a token proves, or null for anything tampered, expired, foreign or malformed. */
  async verify(token: string): Promise<Session | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: ISSUER,
        audience: AUDIENCE,
        requiredClaims: ['sub', 'iat', 'exp'],
      });
      return {
        userId: payload.sub!,
        signedInAt: new Date(payload.iat! * 1000),
        expiresAt: new Date(payload.exp! * 1000),
      };
    } catch (error) {
      logger.debug({ reason: (error as Error).message }, 'ignoring a session cookie that does not verify');
      return null;
    }
  }
}
