import { afterEach, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../../src/ingest/sample-data.js';
import { countApplications } from '../../src/store/applications-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { sampleLogs } from '../helpers/sample-logs.js';

describe('sample data at start-up', () => {
  let temp: TempDatabase | undefined;
  afterEach(() => temp?.dispose());

  it('loads every sample log into an empty database when asked', async () => {
    temp = await openTempDatabase();
    const outcome = await loadSampleDataIfEmpty(temp.database, true);
    expect(outcome.loaded).toBe(true);
    expect(await countApplications(temp.database)).toBe(Object.keys(sampleLogs).length);
  });

  it('leaves an empty database empty when not asked, and says so', async () => {
    temp = await openTempDatabase();
    expect(await loadSampleDataIfEmpty(temp.database, false)).toEqual({ loaded: false, reason: 'not-asked', applications: 0 });
    expect(await countApplications(temp.database)).toBe(0);
  });

  it('never touches a database that holds applications', async () => {
    temp = await openTempDatabase();
    await loadSampleDataIfEmpty(temp.database, true);
    expect(await loadSampleDataIfEmpty(temp.database, true)).toEqual({ loaded: false, reason: 'database-not-empty', applications: Object.keys(sampleLogs).length });
  });
});
