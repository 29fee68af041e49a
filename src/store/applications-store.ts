import { ApplicationAnswers, rememberApplicationNumber } from './application-cache.js';
import { deleteApplications } from './application-rows.js';
import { UntilWrite } from './until-write.js';
import type { AnalysisDatabase } from './database.js';

/** One application attempt as the API shows it (times in epoch ms). */
export interface ApplicationRecord {
  appKey: string;
  appId: string;
  attemptId: string | null;
  name: string | null;
  sparkVersion: string | null;
  sparkUser: string | null;
  startTime: bigint | null;
  endTime: bigint | null;
  duration: bigint | null;
  completed: boolean;
  lastUpdated: bigint;
  sourceName: string;
  eventsRead: bigint;
  eventsSkipped: bigint;
  totalJobs: bigint;
  totalStages: bigint;
  totalTasks: bigint;
  failedTasks: bigint;
}

/** Filter on whether an application had finished when its log was written. */
export type ApplicationStatusFilter = 'COMPLETED' | 'RUNNING';

const columns = `appKey, appId, attemptId, name, sparkVersion, sparkUser, startTime, endTime, duration, completed,
  lastUpdated, sourceName, eventsRead, eventsSkipped, totalJobs, totalStages, totalTasks, failedTasks`;

/** Newest first, as a History Server lists them; ties broken by key so paging is stable. */
const newestFirst = 'ORDER BY startTime DESC NULLS LAST, appKey';

/** A page of applications, newest first; asks for `limit` rows from `offset`. */
export async function listApplications(
  db: AnalysisDatabase,
  options: { offset: number; limit: number; status?: ApplicationStatusFilter },
): Promise<ApplicationRecord[]> {
  const where = options.status ? `WHERE completed = ${options.status === 'COMPLETED'}` : '';
  return (await db.query(`SELECT ${columns} FROM v_applications ${where} ${newestFirst} LIMIT $limit OFFSET $offset`, {
    limit: options.limit,
    offset: options.offset,
  })) as unknown as ApplicationRecord[];
}

/** How many applications match the filter. */
export async function countApplications(db: AnalysisDatabase, status?: ApplicationStatusFilter): Promise<number> {
  const where = status ? `WHERE completed = ${status === 'COMPLETED'}` : '';
  const rows = await db.query(`SELECT count(*)::INTEGER AS n FROM applications ${where}`);
  return rows[0]!.n as number;
}

/** Application rows of recently read application versions: every dashboard request starts with one. */
const applicationCache = new ApplicationAnswers<ApplicationRecord | null>(1024);

/** A stored application version: its key and application number. */
interface StoredVersion {
  appKey: string;
  appNo: number;
}

/** Ids resolved to stored versions (null: none), kept until the database's next write. */
const resolvedIds = new UntilWrite<StoredVersion | null>();

/**
 * The stored version an id names (an attempt's key, or an app id for its latest attempt), or null. Kept in
 * memory until the next write through the database, so a dashboard asked again and again costs no query.
 */
async function resolveApplication(db: AnalysisDatabase, id: string): Promise<StoredVersion | null> {
  return resolvedIds.get(db, id, async () => {
    const [found] = await db.query(
      `SELECT a.appKey, n.appNo FROM applications a JOIN application_numbers n ON n.appKey = a.appKey
       WHERE a.appKey = $id OR a.appId = $id
       ORDER BY a.appKey = $id DESC, TRY_CAST(a.attemptId AS INTEGER) DESC NULLS LAST, a.attemptId DESC LIMIT 1`,
      { id },
    );
    return found ? { appKey: found.appKey as string, appNo: Number(found.appNo) } : null;
  });
}

/**
 * One application by id: an attempt's key (`<appId>/<attemptId>`), or an app id, which names the app's
 * latest attempt when it has several. The id is resolved to a stored version (its application number), which
 * the rest of the request reads too; the row of a version read recently comes from memory.
 */
export async function findApplication(db: AnalysisDatabase, id: string): Promise<ApplicationRecord | undefined> {
  const version = await resolveApplication(db, id);
  if (!version) return undefined;
  const { appKey, appNo } = version;
  rememberApplicationNumber(db, appKey, appNo);
  const record = await applicationCache.getOrRead(db, appKey, appNo, async () => {
    const [row] = await db.query(`SELECT ${columns} FROM v_applications WHERE appKey = $appKey`, { appKey });
    return (row as unknown as ApplicationRecord | undefined) ?? null;
  });
  return record ?? undefined;
}

/**
 * Every attempt of one app id, or of every app when `appId` is omitted, newest attempt (latest start) first
 * within an app: the rows History Server groups into its ApplicationInfo list.
 */
export async function applicationAttempts(db: AnalysisDatabase, appId?: string): Promise<ApplicationRecord[]> {
  const read = async (): Promise<ApplicationRecord[]> => {
    const where = appId === undefined ? '' : 'WHERE appId = $appId';
    return (await db.query(
      `SELECT ${columns} FROM v_applications ${where} ORDER BY appId, startTime DESC NULLS LAST, attemptId DESC NULLS LAST`,
      appId === undefined ? {} : { appId },
    )) as unknown as ApplicationRecord[];
  };
  // One app's attempts (every History Server request about an application starts here) are kept until the
  // next write; the list of every application is read each time. Callers copy, never change, the list.
  return appId === undefined ? read() : attemptsOfAppId.get(db, appId, read);
}

/** The attempts of an app id, kept until the database's next write. */
const attemptsOfAppId = new UntilWrite<ApplicationRecord[]>();

/**
 * Removes an application attempt (or every attempt of an app id), all its rows and who uploaded it; returns the keys
 * removed. One write of the database's queue: a delete and an ingest of the same rows never run at once.
 */
export async function deleteApplication(db: AnalysisDatabase, id: string): Promise<string[]> {
  return db.serializeWrite(() =>
    db.withConnection(async (connection) => {
      const keys = (
        await connection.runAndReadAll('SELECT appKey FROM applications WHERE appKey = $id OR appId = $id', { id })
      ).getRowObjectsJS() as Array<{ appKey: string }>;
      await deleteApplications(connection, keys.map((row) => row.appKey), { forgetUploaders: true });
      return keys.map((row) => row.appKey);
    }),
  );
}
