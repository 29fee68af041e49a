import type { AnalysisDatabase } from './database.js';

/** Who uploaded each application attempt: the principal's subject (`token:<name>`, `google:<email>`, `local`). */
const createSql = `CREATE TABLE IF NOT EXISTS application_uploads (
  appKey VARCHAR PRIMARY KEY,
  uploadedBy VARCHAR NOT NULL,
  uploadedAt TIMESTAMP NOT NULL
)`;

/**
 * Creates the uploader table when missing. It sits beside the ingest's tables rather than in them: an
 * application ingested by the CLI (an operator with the files) has no uploader, and only admins may touch it.
 */
export async function ensureApplicationUploadsTable(db: AnalysisDatabase): Promise<void> {
  await db.query(createSql);
}

/** The uploader of `appKey`, null when it came in through the CLI (or before uploaders were recorded). */
export async function uploaderOf(db: AnalysisDatabase, appKey: string): Promise<string | null> {
  const rows = await db.query('SELECT uploadedBy FROM application_uploads WHERE appKey = $appKey', { appKey });
  return (rows[0]?.uploadedBy as string | undefined) ?? null;
}

/** Records (or replaces) who uploaded `appKey`. */
export async function recordUploader(db: AnalysisDatabase, appKey: string, uploadedBy: string, at: Date = new Date()): Promise<void> {
  await db.query(
    `INSERT INTO application_uploads VALUES ($appKey, $uploadedBy, epoch_ms($at::BIGINT))
     ON CONFLICT (appKey) DO UPDATE SET uploadedBy = excluded.uploadedBy, uploadedAt = excluded.uploadedAt`,
    { appKey, uploadedBy, at: at.getTime() },
  );
}

/** Forgets the uploaders of deleted attempts. */
export async function forgetUploaders(db: AnalysisDatabase, appKeys: readonly string[]): Promise<void> {
  for (const appKey of appKeys) await db.query('DELETE FROM application_uploads WHERE appKey = $appKey', { appKey });
}

/** The attempt keys an id names (an attempt key, or an app id naming all its attempts). */
export async function attemptKeysOf(db: AnalysisDatabase, id: string): Promise<string[]> {
  const rows = await db.query('SELECT appKey FROM applications WHERE appKey = $id OR appId = $id ORDER BY appKey', { id });
  return rows.map((row) => row.appKey as string);
}
