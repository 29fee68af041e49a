import type { DuckDBConnection } from '@duckdb/node-api';
import { forgetUploader } from './application-uploads.js';
import { deletePlanTextsOf, removeUnreferencedPlanTexts } from './plan-texts.js';
import { applicationTables } from './schema.js';

/** Deletes every row of one application attempt (run it inside a transaction, with whatever else must go with it). */
export async function deleteApplicationRows(connection: DuckDBConnection, appKey: string): Promise<void> {
  await deletePlanTextsOf(connection, appKey);
  for (const table of applicationTables) {
    await connection.run(`DELETE FROM ${table} WHERE appKey = $appKey`, { appKey });
  }
}

/**
 * Deletes every row of the given application attempts in one transaction: all of them go, or none. With
 * `forgetUploaders`, who uploaded them goes too (a delete; a replacing ingest keeps it).
 */
export async function deleteApplications(
  connection: DuckDBConnection,
  appKeys: readonly string[],
  { forgetUploaders = false }: { forgetUploaders?: boolean } = {},
): Promise<void> {
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const appKey of appKeys) {
      await deleteApplicationRows(connection, appKey);
      if (forgetUploaders) await forgetUploader(connection, appKey);
    }
    await connection.run('COMMIT');
  } catch (error) {
    // A failed statement may already have ended the transaction; the original error is the one to report.
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Removes, in one transaction, the rows of applications whose write was interrupted: a new application's rows are
 * committed before the application row that makes them visible (see writeApplication), so a process killed in
 * between leaves rows under an application number and no application, and one killed while reading a log leaves
 * plan texts no row refers to (see plan-texts.ts). Returns the applications' keys.
 */
export async function removeUnfinishedApplications(connection: DuckDBConnection): Promise<string[]> {
  const keys = (
    await connection.runAndReadAll('SELECT appKey FROM application_numbers ANTI JOIN applications USING (appKey) ORDER BY appKey')
  ).getRowObjectsJS() as Array<{ appKey: string }>;
  const appKeys = keys.map((row) => row.appKey);
  // Almost every open finds none: no transaction then.
  if (appKeys.length > 0) await deleteApplications(connection, appKeys);
  // Plan texts are committed while a log is read, before any row refers to them.
  await removeUnreferencedPlanTexts(connection);
  return appKeys;
}
