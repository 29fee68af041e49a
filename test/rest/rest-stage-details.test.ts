import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { spyOnQueries } from '../helpers/query-spy.js';

/** Detailed stage lists that History Server answers 200 for, whatever the application holds (none used to 500). */

let server: TestServer;
let apps: Array<{ id: string; attempts: Array<{ attemptId?: string }> }>;
beforeAll(async () => {
  server = await startTestServer();
  // An app without stages, one with failed and killed tasks, and YARN attempts whose stages all succeeded
  // (openapi-conformance.test.ts asks the same of every shared app).
  const logs = [
    eventLogPath('apache-spark', 'application_1555004656427_0144'),
    eventLogPath('apache-spark', 'local-1430917381534'),
    eventLogPath('apache-spark', 'local-1426533911241'),
    ...readdirSync(eventLogPath('spark4')).filter((name) => name.startsWith('application_')).map((name) => eventLogPath('spark4', name)),
  ];
  const report = await ingestPaths(server.temp.database, logs);
  expect(report.failures).toEqual([]);
  apps = (await (await fetch(`${server.url}/api/v1/applications`)).json()) as typeof apps;
}, 120_000);
afterAll(async () => server?.close());

async function get(path: string): Promise<{ status: number; body: unknown; text: string }> {
  const response = await fetch(`${server.url}/api/v1${path}`);
  const text = await response.text();
  return { status: response.status, text, body: response.status === 200 ? JSON.parse(text) : null };
}

function appPaths(): string[] {
  return apps.flatMap((app) => app.attempts.map((a) => `/applications/${app.id}${a.attemptId ? `/${a.attemptId}` : ''}`));
}

describe('stages?details=true', () => {
  it('answers 200 for every application, with a task map per stage', async () => {
    for (const base of appPaths()) {
      const response = await get(`${base}/stages?details=true`);
      expect(response.status, `${base}: ${response.text}`).toBe(200);
      for (const stage of response.body as Array<{ tasks: unknown }>) expect(typeof stage.tasks).toBe('object');
    }
  });

  it('answers 200 with taskStatus filters that match no task (only stages holding such tasks are listed)', async () => {
    for (const base of appPaths()) {
      for (const status of ['FAILED', 'KILLED', 'RUNNING', 'SUCCESS']) {
        const response = await get(`${base}/stages?details=true&taskStatus=${status}`);
        expect(response.status, `${base} ${status}: ${response.text}`).toBe(200);
        for (const stage of response.body as Array<{ tasks: Record<string, { status: string }> }>) {
          expect(Object.values(stage.tasks).every((task) => task.status === status)).toBe(true);
        }
      }
    }
  });
});

describe('task lists', () => {
  it('read only the tasks they show: History Server answers no count of them', async () => {
    const base = '/applications/local-1430917381534';
    const queries = spyOnQueries(server.temp.database);
    try {
      for (const path of [`${base}/stages/0/0/taskList?length=5&sortBy=-runtime`, `${base}/stages/0/0`, `${base}/stages/0/0/taskTable?numTasks=100`]) {
        const response = await get(path);
        expect(response.status, `${path}: ${response.text}`).toBe(200);
      }
      const read = queries.sql().filter((sql) => sql.includes('JOIN v_tasks'));
      expect(read).toHaveLength(3);
      expect(read.filter((sql) => sql.includes('count(*)'))).toEqual([]);
    } finally {
      queries.restore();
    }
  });
});
