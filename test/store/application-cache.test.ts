import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { deleteApplication, findApplication } from '../../src/store/applications-store.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { insightsByApp } from '../../src/store/insights-store.js';
import { stageAttempts, stagesByApp } from '../../src/store/stages-store.js';
import { taskSummary } from '../../src/store/task-summary.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { spyOnQueries } from '../helpers/query-spy.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

/** One stage of `tasks` tasks of `durationMs` each; the same app id every time. */
const app = (tasks: number, durationMs: number): SyntheticApp => ({
  appId: 'app-cached',
  jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: tasks }, () => ({ durationMs })) }] }],
});

describe('answers kept in memory follow the stored version of each application', () => {
  let dir: string;
  let first: TempDatabase;
  let second: TempDatabase;
  const write = (name: string, spec: SyntheticApp): string => {
    mkdirSync(join(dir, name));
    return writeEventLog(join(dir, name), spec);
  };
  const seen = async (
    db: TempDatabase | AnalysisDatabase,
  ): Promise<{ tasks: number | undefined; stages: number; maxRunTime: number | undefined }> => {
    const database = db instanceof AnalysisDatabase ? db : db.database;
    const record = await findApplication(database, 'app-cached');
    const [stages] = await stagesByApp(database, ['app-cached']);
    const summary = await taskSummary(database, 'app-cached', 0, 0, [1]);
    await insightsByApp(database, ['app-cached']);
    return { tasks: record ? Number(record.totalTasks) : undefined, stages: stages!.length, maxRunTime: summary?.duration[0] };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-cache-'));
    first = await openTempDatabase();
    second = await openTempDatabase();
  });
  afterAll(() => {
    first.dispose();
    second.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('never answers one database with what was read from another holding the same application key and number', async () => {
    await ingestPaths(first.database, [write('a', app(4, 1_000))]);
    await ingestPaths(second.database, [write('b', app(6, 3_000))]);
    // Both databases number their first application 1: the caches must still tell them apart.
    expect(await seen(first)).toMatchObject({ tasks: 4, stages: 1 });
    expect(await seen(second)).toMatchObject({ tasks: 6, stages: 1 });
    expect((await seen(first)).maxRunTime).toBeLessThan((await seen(second)).maxRunTime!);
  });

  it('answers the new version after a re-ingest, and nothing after a delete', async () => {
    const before = await seen(first);
    await ingestPaths(first.database, [write('c', app(9, 5_000))]);
    const after = await seen(first);
    expect(after.tasks).toBe(9);
    expect(after.maxRunTime).toBeGreaterThan(before.maxRunTime!);
    await deleteApplication(first.database, 'app-cached');
    expect(await seen(first)).toEqual({ tasks: undefined, stages: 0, maxRunTime: undefined });
  });


  it('sees a write made by any query or connection of the database at once', async () => {
    await ingestPaths(first.database, [write('f', app(2, 1_000))]);
    expect((await findApplication(first.database, 'app-cached'))?.appKey).toBe('app-cached');
    // Both answers are now kept in memory, the unknown id's too.
    expect(await findApplication(first.database, 'app-renamed')).toBeUndefined();
    await first.database.query("UPDATE applications SET appId = 'app-renamed' WHERE appKey = 'app-cached'");
    expect((await findApplication(first.database, 'app-renamed'))?.appKey).toBe('app-cached');
    await first.database.withConnection((connection) => connection.run("DELETE FROM applications WHERE appKey = 'app-cached'"));
    expect(await findApplication(first.database, 'app-cached')).toBeUndefined();
    expect(await findApplication(first.database, 'app-renamed')).toBeUndefined();
  });

  it('reads a version not kept once for concurrent requests, not once per request', async () => {
    await ingestPaths(second.database, [write('g', app(5, 2_000))]);
    const query = vi.spyOn(second.database, 'query');
    try {
      const answers = await Promise.all(Array.from({ length: 8 }, () => seen(second)));
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0]!.tasks).toBe(5);
      const texts = query.mock.calls.map(([sql]) => sql);
      // One lookup of the id, one read of the row, the stages, the quantiles and the insights.
      expect(texts.filter((sql) => sql.includes('JOIN application_numbers n ON n.appKey = a.appKey'))).toHaveLength(1);
      expect(texts.filter((sql) => sql.includes('FROM v_applications'))).toHaveLength(1);
      expect(texts.filter((sql) => sql.includes('JOIN v_stages'))).toHaveLength(1);
      expect(texts.filter((sql) => sql.includes('FROM app_task_quantiles'))).toHaveLength(1);
      expect(texts.filter((sql) => sql.includes('FROM insights'))).toHaveLength(1);
    } finally {
      query.mockRestore();
    }
  });

  it('keeps what one request read for the next request, each on its own handle', async () => {
    await ingestPaths(second.database, [write('h', app(3, 4_000))]);
    const firstRequest = await seen(second.database.forRequest(new AbortController().signal));
    const queries = spyOnQueries(second.database);
    try {
      expect(await seen(second.database.forRequest(new AbortController().signal))).toEqual(firstRequest);
      for (const read of ['JOIN application_numbers n ON n.appKey = a.appKey', 'FROM v_applications', 'JOIN v_stages', 'FROM app_task_quantiles', 'FROM insights']) {
        expect(queries.sql().filter((sql) => sql.includes(read))).toEqual([]);
      }
    } finally {
      queries.restore();
    }
  });

  it("answers a stage's attempts from the application's kept stages, as the query reads them", async () => {
    const retried: SyntheticApp = {
      appId: 'app-stage-attempts',
      jobs: [{ jobId: 0, stages: [
        { stageId: 0, tasks: [{ durationMs: 1_000 }] },
        { stageId: 1, attemptId: 0, failureReason: 'fetch failed', tasks: [{ durationMs: 500 }] },
        { stageId: 1, attemptId: 1, tasks: [{ durationMs: 700 }] },
      ] }],
    };
    await ingestPaths(second.database, [write('i', retried)]);
    const keys = [{ appKey: 'app-stage-attempts', stageId: 1 }, { appKey: 'app-stage-attempts', stageId: 7 }, { appKey: 'app-unknown', stageId: 0 }];
    // Read before the application's stages are kept: one query of the asked stages.
    const read = await stageAttempts(second.database, keys);
    expect(read.map((attempts) => attempts.map((stage) => [Number(stage.stageId), Number(stage.attemptId)]))).toEqual([[[1, 0], [1, 1]], [], []]);
    await stagesByApp(second.database, ['app-stage-attempts']);
    const queries = spyOnQueries(second.database);
    try {
      const kept = await stageAttempts(second.database.forRequest(new AbortController().signal), keys.slice(0, 2));
      expect(kept).toEqual(read.slice(0, 2));
      expect(queries.sql().filter((sql) => sql.includes('JOIN v_stages'))).toEqual([]);
    } finally {
      queries.restore();
    }
  });
});
