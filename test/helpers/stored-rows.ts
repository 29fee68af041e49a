import type { IngestReport } from '../../src/ingest/ingest-service.js';
import { applicationTables } from '../../src/store/schema.js';
import { plain, type TempDatabase } from './database.js';

/** Every row of one application, by table, but where it came from, when it was read and its store-assigned number. */
export async function storedRowsOf(database: TempDatabase, appKey: string): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  for (const table of applicationTables) {
    const exclude = ['appNo', 'sourceName', 'lastUpdated', 'ingestedAt', 'createdAt'];
    const columns = (await database.database.query(
      `SELECT column_name AS c FROM information_schema.columns WHERE table_name = '${table}' ORDER BY ordinal_position`,
    )) as Array<{ c: string }>;
    const kept = columns.map((column) => column.c).filter((name) => !exclude.includes(name));
    rows[table] = plain(
      await database.database.query(`SELECT ${kept.map((name) => `"${name}"`).join(', ')} FROM ${table} WHERE appKey = $appKey ORDER BY ALL`, {
        appKey,
      }),
    );
  }
  return rows;
}

/** What an ingest reported of each log, but where it came from. */
export function ingestOutcomes(report: IngestReport): unknown[] {
  return [
    report.failures.map((failure) => [failure.sourceName, failure.error.message]),
    report.applications.map((app) => [app.appKey, app.eventsRead, app.eventsSkipped, app.warnings, app.completed]),
  ];
}
