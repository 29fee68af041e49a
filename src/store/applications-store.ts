import { ApplicationAnswers, rememberApplicationNumber } from './application-cache.js';
import { deleteApplicationRows } from './application-writer.js';
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

/** Ids resolved to stored versions (null: none) since the database's last write (AnalysisDatabase.writeCount). */
const resolvedIds = new WeakMap<
  AnalysisDatabase,
  { writeCount: number; ids: Map<string, StoredVersion | null>; reading: Map<string, Promise<StoredVersion | null>> }
>();

/** Ids remembered per database at most (past it the memory starts over), and the longest id remembered. */
const MAX_RESOLVED_IDS = 10_000;
const MAX_RESOLVED_ID_LENGTH = 256;

/**
 * The stored version an id names (an attempt's key, or an app id for its latest attempt), or null. Kept in
 * memory until the next write through the database, so a dashboard asked again and again costs no query.
 */
async function resolveApplication(db: AnalysisDatabase, id: string): Promise<StoredVersion | null> {
  const writeCount = db.writeCount;
  let known = resolvedIds.get(db);
  if (known?.writeCount !== writeCount || known.ids.size >= MAX_RESOLVED_IDS) {
    known = { writeCount, ids: new Map(), reading: new Map() };
    resolvedIds.set(db, known);
  }
  const kept = known.ids.get(id);
  if (kept !== undefined) return kept;
  // Concurrent requests for an id not known yet wait for one lookup.
  let reading = known.reading.get(id);
  if (!reading) {
    reading = lookUpApplication(db, id, writeCount, known);
    known.reading.set(id, reading);
    const forget = (): void => void known.reading.delete(id);
    reading.then(forget, forget);
  }
  return reading;
}

async function lookUpApplication(
  db: AnalysisDatabase,
  id: string,
  writeCount: number,
  known: { ids: Map<string, StoredVersion | null> },
): Promise<StoredVersion | null> {
  const [found] = await db.query(
    `SELECT a.appKey, n.appNo FROM applications a JOIN application_numbers n ON n.appKey = a.appKey
     WHERE a.appKey = $id OR a.appId = $id
     ORDER BY a.appKey = $id DESC, TRY_CAST(a.attemptId AS INTEGER) DESC NULLS LAST, a.attemptId DESC LIMIT 1`,
    { id },
  );
  const version = found ? { appKey: found.appKey as string, appNo: Number(found.appNo) } : null;
  // Kept only when nothing was written while it was read: otherwise it may already be stale.
  if (db.writeCount === writeCount && id.length <= MAX_RESOLVED_ID_LENGTH) known.ids.set(id, version);
  return version;
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
  const where = appId === undefined ? '' : 'WHERE appId = $appId';
  return (await db.query(
    `SELECT ${columns} FROM v_applications ${where} ORDER BY appId, startTime DESC NULLS LAST, attemptId DESC NULLS LAST`,
    appId === undefined ? {} : { appId },
  )) as unknown as ApplicationRecord[];
}

/** Removes an application attempt (or every attempt of an app id) and all its rows; returns the keys removed. */
export async function deleteApplication(db: AnalysisDatabase, id: string): Promise<string[]> {
  return db.withConnection(async (connection) => {
    const keys = (
      await connection.runAndReadAll('SELECT appKey FROM applications WHERE appKey = $id OR appId = $id', { id })
    ).getRowObjectsJS() as Array<{ appKey: string }>;
    await connection.run('BEGIN TRANSACTION');
    try {
      for (const { appKey } of keys) await deleteApplicationRows(connection, appKey);
      await connection.run('COMMIT');
    } catch (error) {
      await connection.run('ROLLBACK');
      throw error;
    }
    return keys.map((row) => row.appKey);
  });
}
