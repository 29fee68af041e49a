import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataIfEmpty } from '../../src/ingest/sample-data.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Counts of things (jobs, stages, tasks, events) cannot pass 2^53, so they travel as JSON numbers (Int); byte and
 * time counters, which can, stay Long (decimal strings).
 */
describe('counts are numbers, bytes and times are Long strings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await loadSampleDataIfEmpty(server.temp.database, true);
  });
  afterAll(async () => server?.close());

  it('answers application counts as JSON numbers and durations as strings', async () => {
    const response = await fetch(server.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `query Counts { application(id: "app-20261201-sales-report") {
          duration eventsRead eventsSkipped stats { totalJobs totalStages totalTasks failedTasks }
          stages { inputBytes } } }`,
      }),
    });
    const { data } = (await response.json()) as {
      data: { application: { duration: unknown; eventsRead: unknown; eventsSkipped: unknown; stats: Record<string, unknown>; stages: Array<{ inputBytes: unknown }> } };
    };
    const app = data.application;
    // The sample report: 1 job, 3 stages, 32 + 1 + 16 tasks, none failed.
    expect(app.stats).toEqual({ totalJobs: 1, totalStages: 3, totalTasks: 49, failedTasks: 0 });
    expect(typeof app.eventsRead).toBe('number');
    expect(app.eventsSkipped).toBe(0);
    expect(typeof app.duration).toBe('string');
    expect(app.stages.map((stage) => typeof stage.inputBytes)).toEqual(['string', 'string', 'string']);
  });
});
