import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type DetectorContext } from '../../src/analysis/detector.js';
import { failuresDetector } from '../../src/analysis/detectors/failures.js';
import { whatFailed } from '../../src/analysis/detectors/failures/what-failed.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

/** The failure readers' grouping queries, by a phrase only each one's text has. */
const GROUPING_QUERIES = ['WITH failed AS', 'WITH exceptions AS', 'AS failedAttempts', "endReasonDetail->>'Loss Reason'"];

const failing: SyntheticApp = {
  appId: 'app-what-failed',
  executors: [{ id: '1' }, { id: '2', removedAfterMs: 2_000, removeReason: 'Container lost' }],
  jobs: [
    { jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 1_000 }, { durationMs: 1_000 }] }] },
    {
      jobId: 1,
      failed: true,
      stages: [{
        stageId: 1,
        tasks: [
          { durationMs: 500, index: 0, failure: 'java.io.IOException', failureDetail: 'read failed' },
          { durationMs: 500, index: 0, attempt: 1, failure: 'java.io.IOException', failureDetail: 'read failed' },
          { durationMs: 500, index: 1, failure: 'ExecutorLostFailure', executorId: '2', failureDetail: 'Container lost' },
          { durationMs: 500, index: 2, failure: 'TaskKilled', failureDetail: 'stage cancelled' },
        ],
      }],
    },
  ],
};
const clean: SyntheticApp = { appId: 'app-nothing-failed', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 1_000 }] }] }] };

let db: TempDatabase;
let dir: string;
beforeAll(async () => {
  db = await openTempDatabase();
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-what-failed-'));
  const report = await ingestPaths(db.database, [writeEventLog(dir, failing), writeEventLog(dir, clean)]);
  expect(report.failures).toEqual([]);
});
afterAll(() => {
  db.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `read` on a detector context of `appKey` whose queries are recorded. */
async function withRecordedQueries<T>(appKey: string, read: (context: DetectorContext) => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const result = await db.database.withConnection(async (connection) => {
    const context = await createDetectorContext(connection, appKey);
    const query: DetectorContext['query'] = (text, params) => {
      sql.push(text);
      return context.query(text, params);
    };
    return read({ ...context, query });
  });
  return { result, sql };
}

describe('what failed in an application', () => {
  it('counts failed and killed attempts, executor losses, failed jobs and removed executors in one query', async () => {
    const { result, sql } = await withRecordedQueries(failing.appId, (context) => whatFailed(context.query));
    expect(result).toEqual({ lostTasks: 4, executorLostTasks: 1, unfinishedJobs: 1, removedExecutors: 1 });
    expect(sql).toHaveLength(1);
  });

  it('finds nothing in a clean application, whose failure detection then runs none of the grouping queries', async () => {
    const { result } = await withRecordedQueries(clean.appId, (context) => whatFailed(context.query));
    expect(result).toEqual({ lostTasks: 0, executorLostTasks: 0, unfinishedJobs: 0, removedExecutors: 0 });
    const detection = await withRecordedQueries(clean.appId, (context) => failuresDetector.detect(context));
    expect(detection.result).toEqual([]);
    expect(detection.sql.filter((text) => GROUPING_QUERIES.some((phrase) => text.includes(phrase)))).toEqual([]);
  });

  it('runs every grouping query where each kind of failure is there', async () => {
    const detection = await withRecordedQueries(failing.appId, (context) => failuresDetector.detect(context));
    expect(detection.result.map((insight) => insight.id)).toEqual(expect.arrayContaining(['failures:job-1', 'failures:executors-lost']));
    for (const phrase of GROUPING_QUERIES) expect(detection.sql.some((text) => text.includes(phrase)), phrase).toBe(true);
  });
});
