import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { ApplicationListPageDocument } from '../generated/graphql.js';
import { gql, startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** The COMPLETED/RUNNING filter of Query.applications with a log that never ended beside ones that did. */
describe('Query.applications(status:)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
    const report = await ingestPaths(server.temp.database, [
      eventLogPath('broken', 'app-20231025121456-0004-eventLog-running-incomplete'),
      eventLogPath('apache-spark', 'local-1422981780767'),
      eventLogPath('apache-spark', 'app-20200706201101-0003'),
    ]);
    expect(report.failures).toEqual([]);
  });
  afterAll(async () => server?.close());

  async function page(status?: 'COMPLETED' | 'RUNNING') {
    const response = await gql(server.graphqlUrl, ApplicationListPageDocument, { first: 10, status });
    expect(response.errors).toBeUndefined();
    return response.data!.applications;
  }

  it('RUNNING lists the application whose log has no ApplicationEnd, and counts only it', async () => {
    const running = await page('RUNNING');
    expect(running.totalCount).toBe(1);
    expect(running.nodes).toMatchObject([
      { id: 'app-20231025121456-0004-eventLog-running-incomplete', completed: false, endTime: null, duration: null },
    ]);
    expect(running.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('COMPLETED lists the others newest first', async () => {
    const completed = await page('COMPLETED');
    expect(completed.totalCount).toBe(2);
    expect(completed.nodes.map((node) => [node.id, node.completed])).toEqual([
      ['app-20200706201101-0003', true],
      ['local-1422981780767', true],
    ]);
  });

  it('no filter lists all three newest first', async () => {
    const all = await page();
    expect(all.totalCount).toBe(3);
    expect(all.nodes.map((node) => node.id)).toEqual([
      'app-20231025121456-0004-eventLog-running-incomplete',
      'app-20200706201101-0003',
      'local-1422981780767',
    ]);
  });
});
