/** One step of the progress database's layout; applied in order, each exactly once, in one transaction. */
export interface ProgressMigration {
  /** Strictly increasing from 1; the version a file is at after this step. */
  version: number;
  /** What the step changes, recorded in `schema_version` for whoever opens the file by hand. */
  description: string;
  /** DDL (and data moves) run inside the migration transaction. */
  sql: string;
}

/**
 * Every migration ever shipped, oldest first. Append only: a shipped step is never edited, because files
 * already at its version will not run it again. Times are UTC TIMESTAMPs written from epoch milliseconds.
 */
export const progressMigrations: readonly ProgressMigration[] = [
  {
    version: 1,
    description: 'users signed in with Google, and every scenario attempt of every learner',
    sql: `
      CREATE TABLE users (
        user_id           VARCHAR PRIMARY KEY,
        google_subject    VARCHAR NOT NULL UNIQUE,
        email             VARCHAR,
        email_verified    BOOLEAN NOT NULL DEFAULT false,
        name              VARCHAR,
        picture_url       VARCHAR,
        created_at        TIMESTAMP NOT NULL,
        last_signed_in_at TIMESTAMP NOT NULL
      );
      CREATE SEQUENCE attempt_ids START 1;
      -- One row per attempt, never summarised in place: progress is computed from the rows, so merging two
      -- learners is moving rows, and counts and best results stay exact.
      CREATE TABLE attempts (
        attempt_id   BIGINT PRIMARY KEY DEFAULT nextval('attempt_ids'),
        learner_id   VARCHAR NOT NULL,
        scenario_id  VARCHAR NOT NULL,
        attempted_at TIMESTAMP NOT NULL,
        passed       BOOLEAN NOT NULL,
        score        DOUBLE NOT NULL,
        result       VARCHAR NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'API tokens for AUTH_MODE=token: a name, a role and the SHA-256 of the secret (never the secret)',
    sql: `
      CREATE TABLE api_tokens (
        token_id    VARCHAR PRIMARY KEY,
        name        VARCHAR NOT NULL,
        role        VARCHAR NOT NULL,
        secret_hash VARCHAR NOT NULL UNIQUE,
        created_at  TIMESTAMP NOT NULL,
        revoked_at  TIMESTAMP
      );
    `,
  },
];

/** The layout this build writes and reads: the last migration's version. */
export const PROGRESS_SCHEMA_VERSION: number = progressMigrations[progressMigrations.length - 1]!.version;
