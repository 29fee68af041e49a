import type { DuckDBConnection } from '@duckdb/node-api';
import type { AnalysisDatabase } from './database.js';

/** The uploader of `appKey`, null when it came in through the CLI (or before uploaders were recorded). */
export async function uploaderOf(db: AnalysisDatabase, appKey: string): Promise<string | null> {
  const rows = await db.query('SELECT uploadedBy FROM application_uploads WHERE appKey = $appKey', { appKey });
  return (rows[0]?.uploadedBy as string | undefined) ?? null;
}

/**
 * Records (or replaces) who uploaded `appKey`, while it is stored: a delete that came first leaves no uploader behind.
 * One write of the database's queue, so it never meets a delete or ingest of the same rows.
 */
export async function recordUploader(db: AnalysisDatabase, appKey: string, uploadedBy: string, at: Date = new Date()): Promise<void> {
  await db.serializeWrite(() =>
    db.query(
      `INSERT INTO application_uploads
       SELECT $appKey, $uploadedBy, epoch_ms($at::BIGINT) WHERE EXISTS (SELECT 1 FROM applications WHERE appKey = $appKey)
       ON CONFLICT (appKey) DO UPDATE SET uploadedBy = excluded.uploadedBy, uploadedAt = excluded.uploadedAt`,
      { appKey, uploadedBy, at: at.getTime() },
    ),
  );
}

/** Forgets the uploader of a deleted attempt (inside the delete's transaction). */
export async function forgetUploader(connection: DuckDBConnection, appKey: string): Promise<void> {
  await connection.run('DELETE FROM application_uploads WHERE appKey = $appKey', { appKey });
}

/** The attempt keys an id names (an attempt key, or an app id naming all its attempts). */
export async function attemptKeysOf(db: AnalysisDatabase, id: string): Promise<string[]> {
  const rows = await db.query('SELECT appKey FROM applications WHERE appKey = $id OR appId = $id ORDER BY appKey', { id });
  return rows.map((row) => row.appKey as string);
}
