import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

describe('vendor builds and workloads (clusters, platforms, workloads)', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await openTempDatabase();
  });
  afterAll(() => db.dispose());

  it.each(['clusters', 'platforms', 'workloads'])('ingests every log of vendors-and-workloads/%s, none clamped', async (folder) => {
    const report = await ingestPaths(db.database, [eventLogPath('vendors-and-workloads', folder)]);
    expect(report.failures.map((failure) => `${failure.sourceName}: ${failure.error.message}`)).toEqual([]);
    expect(report.applications.length).toBeGreaterThan(0);
    for (const app of report.applications) {
      // No shared log holds a value a field cannot hold: nothing was clamped.
      expect(app.warnings.filter((w) => /outside what the field can hold|negative time|before launching/.test(w.message)), app.appKey).toEqual([]);
      const [row] = plain(await db.database.query('SELECT count(*) AS n FROM applications WHERE appKey = $k', { k: app.appKey }));
      expect(row!.n).toBe(1);
    }
  }, 300_000);
});
