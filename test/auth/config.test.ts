import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('identity configuration', () => {
  it('defaults: no sign-in, anonymous learners, 7-day sessions, Google\'s published keys', () => {
    const config = loadConfig({});
    expect(config.GOOGLE_CLIENT_ID).toBeUndefined();
    expect(config.JWT_SECRET_KEY).toBeUndefined();
    expect(config.SESSION_TTL_SECONDS).toBe(7 * 24 * 3600);
    expect(config.GOOGLE_JWKS_URL).toBe('https://www.googleapis.com/oauth2/v3/certs');
    expect(config.PROGRESS_DB_PATH).toBe('data/progress.duckdb');
  });

  it('refuses a JWT_SECRET_KEY shorter than 32 characters', () => {
    expect(() => loadConfig({ JWT_SECRET_KEY: 'short-secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ JWT_SECRET_KEY: 'short-secret' })).toThrow(/JWT_SECRET_KEY must be at least 32 characters long/);
    expect(loadConfig({ JWT_SECRET_KEY: 'x'.repeat(32) }).JWT_SECRET_KEY).toBe('x'.repeat(32));
  });

  it('refuses GOOGLE_CLIENT_ID without a JWT_SECRET_KEY to sign sessions with', () => {
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com' })).toThrow(
      /JWT_SECRET_KEY: JWT_SECRET_KEY is required when GOOGLE_CLIENT_ID is set/,
    );
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', JWT_SECRET_KEY: '' })).toThrow(ConfigError);
    expect(
      loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', JWT_SECRET_KEY: 'y'.repeat(40) }).GOOGLE_CLIENT_ID,
    ).toBe('id.apps.googleusercontent.com');
  });

  it('refuses a session lifetime under a minute and a JWKS address that is not a URL', () => {
    expect(() => loadConfig({ SESSION_TTL_SECONDS: '5' })).toThrow(/SESSION_TTL_SECONDS/);
    expect(() => loadConfig({ GOOGLE_JWKS_URL: 'not a url' })).toThrow(/GOOGLE_JWKS_URL/);
  });
});
