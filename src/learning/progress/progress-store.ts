import { randomUUID } from 'node:crypto';
import { ProgressDatabase, type ProgressRow } from './progress-database.js';
import { isAnonymousLearnerId, isLearnerId, userLearnerId } from './learner-id.js';

/** One run of a scenario by a learner, as the scenario engine judged it. */
export interface AttemptRecord {
  scenarioId: string;
  passed: boolean;
  /** 0-1: how close the attempt came to the success condition; 1 = met. */
  score: number;
  /** JSON summary of the attempt: choices made, the evidence for the condition. */
  result: Record<string, unknown>;
}

/** Where a learner stands on one scenario. */
export type ScenarioStatus = 'NOT_STARTED' | 'ATTEMPTED' | 'COMPLETED';

/** A learner's progress on one scenario, computed from every attempt they (and any merged learner) made. */
export interface ScenarioProgress {
  scenarioId: string;
  status: ScenarioStatus;
  attempts: number;
  firstAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  firstCompletedAt: Date | null;
  /** Score of the best attempt: passed beats failed, then the higher score, then the earliest. */
  bestScore: number | null;
  /** Result of that best attempt. */
  bestResult: Record<string, unknown> | null;
}

/** What Google vouches for about a person, from a verified ID token. */
export interface GoogleProfile {
  /** Google's stable account id (`sub`); emails can change, this cannot. */
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  pictureUrl: string | null;
}

/** A learner who signed in with Google. */
export interface User {
  id: string;
  /** The id their progress is kept under; never equal to an anonymous learner's. */
  learnerId: string;
  googleSubject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  pictureUrl: string | null;
  createdAt: Date;
  lastSignedInAt: Date;
}

/** The progress of a scenario never attempted, for callers listing every scenario. */
export function notStarted(scenarioId: string): ScenarioProgress {
  return {
    scenarioId,
    status: 'NOT_STARTED',
    attempts: 0,
    firstAttemptAt: null,
    lastAttemptAt: null,
    firstCompletedAt: null,
    bestScore: null,
    bestResult: null,
  };
}

const MAX_SCENARIO_ID_LENGTH = 200;
/** Results are summaries, not logs: a cap keeps one bad caller from filling the file. */
const MAX_RESULT_JSON_BYTES = 256 * 1024;

/**
 * Every attempt's summary, with the best attempt chosen per scenario. Scoped by `$learner` always; the
 * optional scenario filter narrows further. The ranking is the one place "best" is defined.
 */
function progressSql(oneScenario: boolean): string {
  return `
    WITH mine AS (
      SELECT * FROM attempts
      WHERE learner_id = $learner ${oneScenario ? 'AND scenario_id = $scenario' : ''}
    ),
    ranked AS (
      SELECT scenario_id, passed, score, result,
             row_number() OVER (
               PARTITION BY scenario_id ORDER BY passed DESC, score DESC, attempted_at ASC, attempt_id ASC
             ) AS rank
      FROM mine
    ),
    summary AS (
      SELECT scenario_id,
             count(*)::INTEGER AS attempts,
             epoch_ms(min(attempted_at)) AS first_attempt_ms,
             epoch_ms(max(attempted_at)) AS last_attempt_ms,
             epoch_ms(min(attempted_at) FILTER (WHERE passed)) AS first_completed_ms
      FROM mine GROUP BY scenario_id
    )
    SELECT summary.*, ranked.passed AS best_passed, ranked.score AS best_score, ranked.result AS best_result
    FROM summary JOIN ranked ON ranked.scenario_id = summary.scenario_id AND ranked.rank = 1
    ORDER BY summary.scenario_id`;
}

const USER_COLUMNS = `user_id, google_subject, email, email_verified, name, picture_url,
  epoch_ms(created_at) AS created_ms, epoch_ms(last_signed_in_at) AS last_signed_in_ms`;

/**
 * Learners' progress and the users behind signed-in learners. Every progress method takes the learner id
 * and reads or writes only that learner's rows: there is no way to list or read another learner's data.
 */
export class ProgressStore {
  private constructor(
    /** The file itself, for stores of other records kept beside progress (API tokens). */
    readonly database: ProgressDatabase,
  ) {}

  /** Opens the progress database at `path` (creating its directory and file, migrating an older layout). */
  static async open(path: string): Promise<ProgressStore> {
    return new ProgressStore(await ProgressDatabase.open(path));
  }

  /** The file this store reads and writes. */
  get path(): string {
    return this.database.path;
  }

  /** Closes the file. */
  close(): void {
    this.database.close();
  }

  /** Stores one attempt and returns the learner's progress on that scenario including it. */
  async recordAttempt(learnerId: string, attempt: AttemptRecord, at: Date = new Date()): Promise<ScenarioProgress> {
    requireLearnerId(learnerId);
    const result = validateAttempt(attempt);
    await this.database.query(
      `INSERT INTO attempts (learner_id, scenario_id, attempted_at, passed, score, result)
       VALUES ($learner, $scenario, epoch_ms($at::BIGINT), $passed, $score, $result)`,
      {
        learner: learnerId,
        scenario: attempt.scenarioId,
        at: at.getTime(),
        passed: attempt.passed,
        score: attempt.score,
        result,
      },
    );
    const progress = await this.progressFor(learnerId, attempt.scenarioId);
    // The row was just written by this learner: progress cannot be missing.
    return progress!;
  }

  /** The learner's progress on every scenario they attempted, by scenario id. */
  async progressOf(learnerId: string): Promise<ScenarioProgress[]> {
    requireLearnerId(learnerId);
    const rows = await this.database.query(progressSql(false), { learner: learnerId });
    return rows.map(toProgress);
  }

  /** The learner's progress on one scenario; null when they never attempted it. */
  async progressFor(learnerId: string, scenarioId: string): Promise<ScenarioProgress | null> {
    requireLearnerId(learnerId);
    const rows = await this.database.query(progressSql(true), { learner: learnerId, scenario: scenarioId });
    return rows[0] ? toProgress(rows[0]) : null;
  }

  /**
   * Moves every attempt of `fromLearnerId` (an anonymous learner) to `intoLearnerId`, in one transaction.
   * Attempts are kept as rows, so counts add up and the best attempt is simply the best of both.
   */
  async mergeLearner(fromLearnerId: string, intoLearnerId: string): Promise<void> {
    requireLearnerId(intoLearnerId);
    if (!isAnonymousLearnerId(fromLearnerId)) {
      // Only anonymous progress is ever handed over: a user's progress must never move to someone else.
      throw new RangeError('Only an anonymous learner can be merged into another learner');
    }
    if (fromLearnerId === intoLearnerId) return;
    await this.database.transaction(async (run) => {
      await run('UPDATE attempts SET learner_id = $into WHERE learner_id = $from', {
        into: intoLearnerId,
        from: fromLearnerId,
      });
    });
  }

  /**
   * Finds the user with this Google subject or creates one, refreshing email, name and picture from the
   * latest token and recording the sign-in time.
   */
  async upsertGoogleUser(profile: GoogleProfile, at: Date = new Date()): Promise<User> {
    if (!profile.subject) throw new RangeError('A Google profile needs a subject');
    const rows = await this.database.transaction(async (run) => {
      await run(
        `INSERT INTO users (user_id, google_subject, email, email_verified, name, picture_url, created_at, last_signed_in_at)
         VALUES ($id, $subject, $email, $verified, $name, $picture, epoch_ms($at::BIGINT), epoch_ms($at::BIGINT))
         ON CONFLICT (google_subject) DO UPDATE SET
           email = excluded.email, email_verified = excluded.email_verified, name = excluded.name,
           picture_url = excluded.picture_url, last_signed_in_at = excluded.last_signed_in_at`,
        {
          id: randomUUID(),
          subject: profile.subject,
          email: profile.email,
          verified: profile.emailVerified,
          name: profile.name,
          picture: profile.pictureUrl,
          at: at.getTime(),
        },
      );
      return run(`SELECT ${USER_COLUMNS} FROM users WHERE google_subject = $subject`, { subject: profile.subject });
    });
    return toUser(rows[0]!);
  }

  /** The user with this id; null when there is none (e.g. a session naming a user from another database). */
  async userById(userId: string): Promise<User | null> {
    const rows = await this.database.query(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = $id`, { id: userId });
    return rows[0] ? toUser(rows[0]) : null;
  }
}

function requireLearnerId(learnerId: string): void {
  if (!isLearnerId(learnerId)) throw new RangeError(`Not a learner id: ${JSON.stringify(learnerId.slice(0, 80))}`);
}

function validateAttempt(attempt: AttemptRecord): string {
  if (!attempt.scenarioId || attempt.scenarioId.length > MAX_SCENARIO_ID_LENGTH) {
    throw new RangeError(`An attempt needs a scenario id of 1-${MAX_SCENARIO_ID_LENGTH} characters`);
  }
  if (!Number.isFinite(attempt.score) || attempt.score < 0 || attempt.score > 1) {
    throw new RangeError(`An attempt's score must be between 0 and 1, got ${attempt.score}`);
  }
  if (attempt.result === null || typeof attempt.result !== 'object' || Array.isArray(attempt.result)) {
    throw new RangeError("An attempt's result must be a JSON object");
  }
  const json = JSON.stringify(attempt.result);
  if (Buffer.byteLength(json) > MAX_RESULT_JSON_BYTES) {
    throw new RangeError(`An attempt's result must be at most ${MAX_RESULT_JSON_BYTES} bytes of JSON`);
  }
  return json;
}

function dateOf(value: unknown): Date | null {
  return value === null || value === undefined ? null : new Date(Number(value));
}

function toProgress(row: ProgressRow): ScenarioProgress {
  return {
    scenarioId: row.scenario_id as string,
    status: row.best_passed ? 'COMPLETED' : 'ATTEMPTED',
    attempts: row.attempts as number,
    firstAttemptAt: dateOf(row.first_attempt_ms),
    lastAttemptAt: dateOf(row.last_attempt_ms),
    firstCompletedAt: dateOf(row.first_completed_ms),
    bestScore: row.best_score as number,
    bestResult: JSON.parse(row.best_result as string) as Record<string, unknown>,
  };
}

function toUser(row: ProgressRow): User {
  const id = row.user_id as string;
  return {
    id,
    learnerId: userLearnerId(id),
    googleSubject: row.google_subject as string,
    email: (row.email as string | null) ?? null,
    emailVerified: row.email_verified as boolean,
    name: (row.name as string | null) ?? null,
    pictureUrl: (row.picture_url as string | null) ?? null,
    createdAt: dateOf(row.created_ms)!,
    lastSignedInAt: dateOf(row.last_signed_in_ms)!,
  };
}
