import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  anonymousLearnerId,
  newAnonymousToken,
  userLearnerId,
} from '../../src/learning/progress/learner-id.js';
import { ProgressDatabase, ProgressSchemaError } from '../../src/learning/progress/progress-database.js';
import { PROGRESS_SCHEMA_VERSION, progressMigrations } from '../../src/learning/progress/progress-schema.js';
import { ProgressStore } from '../../src/learning/progress/progress-store.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { openTempProgress, type TempProgress } from '../helpers/progress.js';

const t0 = new Date('2025-03-01T10:00:00.000Z');
const later = (minutes: number): Date => new Date(t0.getTime() + minutes * 60_000);

describe('ProgressStore', () => {
  let temp: TempProgress;
  const alice = anonymousLearnerId(newAnonymousToken());
  const bob = anonymousLearnerId(newAnonymousToken());

  beforeEach(async () => {
    temp = await openTempProgress();
  });
  afterEach(() => temp.dispose());

  it('counts attempts and keeps the best one: passed beats failed, then higher score, then earliest', async () => {
    const store = temp.store;
    let progress = await store.recordAttempt(alice, { scenarioId: 'skew-1', passed: false, score: 0.9, result: { n: 1 } }, t0);
    expect(progress).toEqual({
      scenarioId: 'skew-1',
      status: 'ATTEMPTED',
      attempts: 1,
      firstAttemptAt: t0,
      lastAttemptAt: t0,
      firstCompletedAt: null,
      bestScore: 0.9,
      bestResult: { n: 1 },
    });
    await store.recordAttempt(alice, { scenarioId: 'skew-1', passed: true, score: 0.6, result: { n: 2 } }, later(1));
    await store.recordAttempt(alice, { scenarioId: 'skew-1', passed: true, score: 1, result: { n: 3 } }, later(2));
    progress = await store.recordAttempt(alice, { scenarioId: 'skew-1', passed: true, score: 1, result: { n: 4 } }, later(3));
    expect(progress).toMatchObject({
      status: 'COMPLETED',
      attempts: 4,
      firstAttemptAt: t0,
      lastAttemptAt: later(3),
      firstCompletedAt: later(1),
      bestScore: 1,
      bestResult: { n: 3 },
    });
  });

  it('lists only attempted scenarios, by id, and answers null for one never attempted', async () => {
    const store = temp.store;
    await store.recordAttempt(alice, { scenarioId: 'b', passed: false, score: 0.2, result: {} }, t0);
    await store.recordAttempt(alice, { scenarioId: 'a', passed: true, score: 1, result: {} }, t0);
    expect((await store.progressOf(alice)).map((p) => [p.scenarioId, p.status])).toEqual([
      ['a', 'COMPLETED'],
      ['b', 'ATTEMPTED'],
    ]);
    expect(await store.progressFor(alice, 'c')).toBeNull();
  });

  it('keeps two learners apart', async () => {
    const store = temp.store;
    await store.recordAttempt(alice, { scenarioId: 'a', passed: true, score: 1, result: { who: 'alice' } }, t0);
    await store.recordAttempt(bob, { scenarioId: 'b', passed: false, score: 0.1, result: { who: 'bob' } }, t0);
    expect((await store.progressOf(alice)).map((p) => p.bestResult)).toEqual([{ who: 'alice' }]);
    expect((await store.progressOf(bob)).map((p) => p.bestResult)).toEqual([{ who: 'bob' }]);
    expect(await store.progressFor(bob, 'a')).toBeNull();
    // Learner ids are values, never SQL: a hostile one is rejected, not interpreted.
    await expect(store.progressOf("anon:x' OR 1=1 --")).rejects.toThrow(/Not a learner id/);
    await expect(store.progressOf('')).rejects.toThrow(/Not a learner id/);
  });

  it('merges an anonymous learner into a user: counts add up and the best result of both wins', async () => {
    const store = temp.store;
    const user = await store.upsertGoogleUser(
      { subject: 'g-1', email: 'a@example.com', emailVerified: true, name: 'A', pictureUrl: null },
      t0,
    );
    await store.recordAttempt(user.learnerId, { scenarioId: 'both', passed: false, score: 0.5, result: { from: 'user' } }, t0);
    await store.recordAttempt(user.learnerId, { scenarioId: 'user-only', passed: true, score: 1, result: {} }, t0);
    await store.recordAttempt(alice, { scenarioId: 'both', passed: true, score: 0.7, result: { from: 'anon' } }, later(5));
    await store.recordAttempt(alice, { scenarioId: 'both', passed: false, score: 0.9, result: { from: 'anon2' } }, later(6));
    await store.recordAttempt(alice, { scenarioId: 'anon-only', passed: false, score: 0.3, result: {} }, later(7));

    await store.mergeLearner(alice, user.learnerId);

    const merged = await store.progressOf(user.learnerId);
    expect(merged.map((p) => [p.scenarioId, p.attempts, p.status])).toEqual([
      ['anon-only', 1, 'ATTEMPTED'],
      ['both', 3, 'COMPLETED'],
      ['user-only', 1, 'COMPLETED'],
    ]);
    expect(merged[1]).toMatchObject({
      firstAttemptAt: t0,
      lastAttemptAt: later(6),
      firstCompletedAt: later(5),
      bestScore: 0.7,
      bestResult: { from: 'anon' },
    });
    expect(await store.progressOf(alice)).toEqual([]);
    // Merging again (a retried sign-in) changes nothing.
    await store.mergeLearner(alice, user.learnerId);
    expect((await store.progressOf(user.learnerId)).map((p) => p.attempts)).toEqual([1, 3, 1]);
  });

  it("never merges a user's progress away", async () => {
    const user = await temp.store.upsertGoogleUser({ subject: 's', email: null, emailVerified: false, name: null, pictureUrl: null });
    await expect(temp.store.mergeLearner(user.learnerId, alice)).rejects.toThrow(/Only an anonymous learner/);
  });

  it('finds a user again by Google subject, refreshing the profile; user and anonymous ids never collide', async () => {
    const store = temp.store;
    const first = await store.upsertGoogleUser({ subject: 'g-7', email: 'old@example.com', emailVerified: false, name: 'Old', pictureUrl: null }, t0);
    const again = await store.upsertGoogleUser(
      { subject: 'g-7', email: 'new@example.com', emailVerified: true, name: 'New', pictureUrl: 'https://example.com/p.png' },
      later(10),
    );
    expect(again).toMatchObject({
      id: first.id,
      learnerId: userLearnerId(first.id),
      email: 'new@example.com',
      emailVerified: true,
      name: 'New',
      pictureUrl: 'https://example.com/p.png',
      createdAt: t0,
      lastSignedInAt: later(10),
    });
    expect(await store.userById(first.id)).toEqual(again);
    expect(await store.userById('nobody')).toBeNull();
    const other = await store.upsertGoogleUser({ subject: 'g-8', email: null, emailVerified: false, name: null, pictureUrl: null });
    expect(other.id).not.toBe(first.id);
    expect(first.learnerId.startsWith('user:')).toBe(true);
    expect(alice.startsWith('anon:')).toBe(true);
  });

  it('rejects attempts the engine should never produce', async () => {
    const store = temp.store;
    await expect(store.recordAttempt(alice, { scenarioId: '', passed: true, score: 1, result: {} })).rejects.toThrow(/scenario id/);
    await expect(store.recordAttempt(alice, { scenarioId: 'a', passed: true, score: 1.5, result: {} })).rejects.toThrow(/between 0 and 1/);
    await expect(store.recordAttempt(alice, { scenarioId: 'a', passed: true, score: Number.NaN, result: {} })).rejects.toThrow(/between 0 and 1/);
    expect(await store.progressOf(alice)).toEqual([]);
  });

  it('keeps progress and users across closing and reopening the file', async () => {
    const user = await temp.store.upsertGoogleUser({ subject: 'g-9', email: null, emailVerified: false, name: 'N', pictureUrl: null }, t0);
    await temp.store.recordAttempt(user.learnerId, { scenarioId: 'a', passed: true, score: 1, result: { kept: true } }, t0);
    const reopened = await temp.reopen();
    expect(await reopened.progressFor(user.learnerId, 'a')).toMatchObject({ attempts: 1, bestResult: { kept: true } });
    expect(await reopened.userById(user.id)).toMatchObject({ name: 'N' });
  });
});

describe('progress schema versions', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-progress-schema-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const nextMigration = {
    version: PROGRESS_SCHEMA_VERSION + 1,
    description: 'a column from the future',
    sql: 'ALTER TABLE attempts ADD COLUMN hints_used INTEGER DEFAULT 0',
  };

  it('records the version of a new file', async () => {
    const database = await ProgressDatabase.open(join(dir, 'p.duckdb'));
    expect(await database.schemaVersion()).toBe(PROGRESS_SCHEMA_VERSION);
    database.close();
  });

  it('refuses a file written by a newer build, with a clear message, and leaves it untouched', async () => {
    const path = join(dir, 'p.duckdb');
    const newer = await ProgressDatabase.open(path, [...progressMigrations, nextMigration]);
    newer.close();
    const before = createHash('sha256').update(readFileSync(path)).digest('hex');
    const failure = ProgressStore.open(path);
    await expect(failure).rejects.toBeInstanceOf(ProgressSchemaError);
    await expect(failure).rejects.toThrow(
      `holds progress schema version ${PROGRESS_SCHEMA_VERSION + 1}, written by a newer Spark Sword; this build knows up to version ${PROGRESS_SCHEMA_VERSION}`,
    );
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(before);
    const stillNewer = await ProgressDatabase.open(path, [...progressMigrations, nextMigration]);
    expect(await stillNewer.schemaVersion()).toBe(PROGRESS_SCHEMA_VERSION + 1);
    stillNewer.close();
  });

  it('migrates an older file in place and keeps its progress', async () => {
    const path = join(dir, 'p.duckdb');
    const store = await ProgressStore.open(path);
    const learner = anonymousLearnerId(newAnonymousToken());
    await store.recordAttempt(learner, { scenarioId: 'a', passed: true, score: 1, result: { old: true } }, t0);
    store.close();
    const upgraded = await ProgressDatabase.open(path, [...progressMigrations, nextMigration]);
    expect(await upgraded.schemaVersion()).toBe(PROGRESS_SCHEMA_VERSION + 1);
    expect(await upgraded.query('SELECT scenario_id, hints_used FROM attempts')).toEqual([{ scenario_id: 'a', hints_used: 0 }]);
    upgraded.close();
  });

  it('rolls a failed migration back entirely', async () => {
    const path = join(dir, 'p.duckdb');
    (await ProgressDatabase.open(path)).close();
    const broken = [
      ...progressMigrations,
      { version: PROGRESS_SCHEMA_VERSION + 1, description: 'ok', sql: 'CREATE TABLE extra (x INTEGER)' },
      { version: PROGRESS_SCHEMA_VERSION + 2, description: 'fails', sql: 'ALTER TABLE no_such_table ADD COLUMN y INTEGER' },
    ];
    await expect(ProgressDatabase.open(path, broken)).rejects.toThrow(/no_such_table/);
    const database = await ProgressDatabase.open(path);
    expect(await database.schemaVersion()).toBe(PROGRESS_SCHEMA_VERSION);
    expect(await database.query("SELECT table_name FROM duckdb_tables() WHERE table_name = 'extra'")).toEqual([]);
    database.close();
  });

  it('refuses to treat the analysis database as a progress database', async () => {
    const path = join(dir, 'analysis.duckdb');
    (await AnalysisDatabase.open(path, { memoryLimit: '256MB' })).close();
    await expect(ProgressStore.open(path)).rejects.toThrow(/not a Spark Sword progress database/);
  });
});
