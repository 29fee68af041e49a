import type { DuckDBConnection } from '@duckdb/node-api';

/**
 * Application numbers (table application_numbers): every write of an application takes a new integer under
 * which its task rows are stored, so a filter on it lets DuckDB skip the row groups of other applications.
 */

/** Gives `appKey` a new number (call after its old rows are deleted, before its tasks are inserted). */
export async function assignApplicationNumber(connection: DuckDBConnection, appKey: string): Promise<number> {
  await connection.run('DELETE FROM application_numbers WHERE appKey = $appKey', { appKey });
  const rows = (
    await connection.runAndReadAll(
      `INSERT INTO application_numbers VALUES ($appKey, nextval('application_number')) RETURNING appNo`,
      { appKey },
    )
  ).getRowObjectsJS();
  return Number(rows[0]!.appNo);
}

/** The number under which an application's task rows are stored, or null for an unknown application. */
export async function applicationNumberOf(connection: DuckDBConnection, appKey: string): Promise<number | null> {
  const rows = (
    await connection.runAndReadAll('SELECT appNo FROM application_numbers WHERE appKey = $appKey', { appKey })
  ).getRowObjectsJS();
  return rows[0] ? Number(rows[0].appNo) : null;
}
