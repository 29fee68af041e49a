import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/** A session secret long enough for the config check, for servers that sign in through the fake Google. */
export const TEST_JWT_SECRET = 'spark-sword-test-session-secret-0123456789';
/** The client id the fake Google issues tokens for by default. */
export const TEST_GOOGLE_CLIENT_ID = 'spark-sword-test.apps.googleusercontent.com';

/** Claims of a minted ID token; anything left out gets a valid default (aud, iss, iat, exp, sub, profile). */
export interface IdTokenClaims {
  sub?: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  picture?: string;
  aud?: string;
  iss?: string;
  /** Seconds since the epoch. */
  iat?: number;
  /** Seconds since the epoch. */
  exp?: number;
}

/** How a token is signed. */
export interface MintOptions {
  /** 'stranger': a key Google never published, under Google's key id (a forged signature). Default 'google'. */
  signedBy?: 'google' | 'stranger';
  /** The key id in the header; default the published key's. */
  kid?: string;
}

/** A stand-in for Google's identity provider: a JWKS on 127.0.0.1 and a minter of RS256 ID tokens. */
export interface FakeGoogle {
  /** Where the published key set is served (GOOGLE_JWKS_URL). */
  jwksUrl: string;
  clientId: string;
  /** How many times the key set was fetched. */
  readonly jwksRequests: number;
  /** An ID token; valid unless `claims`/`options` say otherwise. */
  mintIdToken(claims?: IdTokenClaims, options?: MintOptions): Promise<string>;
  /** Environment for `startTestServer` that enables sign-in against this fake. */
  serverEnv(): Record<string, string>;
  close(): Promise<void>;
}

/** Seconds since the epoch, `offsetSeconds` from now. */
export function epochSeconds(offsetSeconds = 0): number {
  return Math.floor(Date.now() / 1000) + offsetSeconds;
}

/** Generates a key pair, serves its public half as a JWKS on a free loopback port, and mints tokens with it. */
export async function startFakeGoogle(options: { clientId?: string } = {}): Promise<FakeGoogle> {
  const clientId = options.clientId ?? TEST_GOOGLE_CLIENT_ID;
  const google = await generateKeyPair('RS256', { extractable: true });
  const stranger = await generateKeyPair('RS256', { extractable: true });
  const kid = 'fake-google-key-1';
  const publicJwk: JWK = { ...(await exportJWK(google.publicKey)), kid, alg: 'RS256', use: 'sig' };
  let jwksRequests = 0;

  const server = createServer((request, response) => {
    if (request.url === '/oauth2/v3/certs') {
      jwksRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: [publicJwk] }));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const jwksUrl = `http://127.0.0.1:${port}/oauth2/v3/certs`;

  return {
    jwksUrl,
    clientId,
    get jwksRequests() {
      return jwksRequests;
    },
    async mintIdToken(claims: IdTokenClaims = {}, mint: MintOptions = {}): Promise<string> {
      const sub = claims.sub ?? '110169484474386276334';
      const iat = claims.iat ?? epochSeconds(-10);
      const key: CryptoKey = mint.signedBy === 'stranger' ? stranger.privateKey : google.privateKey;
      return new SignJWT({
        email: claims.email ?? `${sub}@example.com`,
        email_verified: claims.email_verified ?? true,
        name: claims.name ?? `Learner ${sub}`,
        picture: claims.picture ?? `https://lh3.googleusercontent.com/a/${sub}`,
        azp: clientId,
      })
        .setProtectedHeader({ alg: 'RS256', kid: mint.kid ?? kid, typ: 'JWT' })
        .setIssuer(claims.iss ?? 'https://accounts.google.com')
        .setAudience(claims.aud ?? clientId)
        .setSubject(sub)
        .setIssuedAt(iat)
        .setExpirationTime(claims.exp ?? iat + 3600)
        .sign(key);
    },
    serverEnv: () => ({ GOOGLE_CLIENT_ID: clientId, GOOGLE_JWKS_URL: jwksUrl, JWT_SECRET_KEY: TEST_JWT_SECRET }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
