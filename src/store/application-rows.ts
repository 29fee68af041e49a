import type { DuckDBConnection } from '@duckdb/node-api';
import { applicationTables } from './schema.js';

/** Deletes every row of one application attempt (run it inside a transaction, with whatever else must go with it). */
export async function deleteApplicationRows(connection: DuckDBConnection, appKey: string): Promise<void> {
  for (const table of applicationTables) {
    await connection.run(`DELETE FROM ${table} WHERE appKey = $appKey`, { appKey });
  }
}

/**
 * Removes, in one transaction, the rows of applications whose write was interrupted: a new application's rows are
 * committed before the application row that makes them visible (see writeApplication), so a process killed in
 * between leaves rows under an application number and no application. Returns their keys.
 */
export async function removeUnfinishedApplications(connection: DuckDBConnection): Promise<string[]> {
  const keys = (
    await connection.runAndReadAll('SELECT appKey FROM application_numbers ANTI JOIN applications USING (appKey) ORDER BY appKey')
  ).getRowObjectsJS() as Array<{ appKey: string }>;
  if (keys.length === 0) return [];
  await connection.run('BEGIN TRANSACTION');
  try {
    for (const { appKey } of keys) await deleteApplicationRows(connection, appKey);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return keys.map((row) => row.appKey);
}
