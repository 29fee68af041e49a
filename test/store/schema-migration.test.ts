import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';
import { jobsByApp } from '../../src/store/jobs-store.js';
import { sqlExecutionsByApp } from '../../src/store/sql-store.js';
import { sqlPlanOf } from '../../src/store/sql-plan-store.js';
import { buildEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';
import { taskFailureGroups } from '../../src/analysis/detectors/failures/task-failures.js';

const dir = mkdtempSync(join(tmpdir(), 'spark-sword-schema-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function simpleApp(appId: string): SyntheticApp {
  return { appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }, { stageId: 1, tasks: [{ durationMs: 20 }] }] }] };
}

function logOf(appId: string): string {
  const path = join(dir, `${appId}.json`);
  writeFileSync(path, buildEventLog(simpleApp(appId)));
  return path;
}

/** A file as an older build left it: an application ingested, then the table and version of schema `version` put back. */
async function fileOfSchema(name: string, version: number, layout: string, log = buildEventLog(simpleApp('app-before'))): Promise<string> {
  const path = join(dir, name);
  const current = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
  const logPath = join(dir, `${name}.json`);
  writeFileSync(logPath, log);
  try {
    expect((await ingestPaths(current, [logPath])).failures).toEqual([]);
  } finally {
    current.close();
  }
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run(layout);
  await connection.run(`DELETE FROM schema_version; INSERT INTO schema_version VALUES (${version})`);
  connection.closeSync();
  instance.closeSync();
  return path;
}

/** Schema 9's tasks: no error message; an exception's full trace kept in its detail, which the task view rendered. */
const schema9Tasks = `UPDATE tasks SET endReasonDetail = json_merge_patch(endReasonDetail, json_object('Full Stack Trace', errorMessage))
    WHERE endReason = 'ExceptionFailure';
  ALTER TABLE tasks DROP COLUMN errorMessage;`;

/** Schema 8's SQL plan updates: no note of which hold a plan. */
const schema8PlanUpdates = `ALTER TABLE sql_plan_updates DROP COLUMN hasPlan; ${schema9Tasks}`;

/** Schema 7's SQL executions: every query text kept in its row. */
const schema7SqlExecutions = `ALTER TABLE sql_executions DROP COLUMN descriptionText; ${schema8PlanUpdates}`;

/** Schema 6's tasks: no summary of their exceptions. */
const schema6Tasks = `ALTER TABLE tasks DROP COLUMN exception; ${schema7SqlExecutions}`;

/** Schema 5's job_stages, with the stages of app-before's job as that build wrote them. */
const schema5JobStages = `
  CREATE OR REPLACE TABLE job_stages (appKey VARCHAR NOT NULL, jobId BIGINT NOT NULL, stageId BIGINT NOT NULL,
    attemptId BIGINT NOT NULL, name VARCHAR, numTasks BIGINT, parentIds BIGINT[], details VARCHAR, rddInfo JSON,
    resourceProfileId BIGINT);
  INSERT INTO job_stages VALUES
    ('app-before', 0, 0, 0, 'stage 0', 1, [], 'at Main.scala:1', '[]', 0),
    ('app-before', 0, 1, 0, 'stage 1', 1, [0], 'at Main.scala:2', '[]', 0);
  ${schema6Tasks}`;

describe('opening a database written by an older build', () => {
  it('brings schema 5 up to date in place: its applications read as before and new logs ingest', async () => {
    const path = await fileOfSchema('schema-5.duckdb', 5, schema5JobStages);
    const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      const [version] = await db.query('SELECT max(version)::INTEGER AS v FROM schema_version');
      expect(version!.v).toBe(SCHEMA_VERSION);
      const columns = await db.query(`SELECT column_name FROM duckdb_columns() WHERE table_name = 'job_stages' ORDER BY column_index`);
      expect(columns.map((column) => column.column_name)).toEqual(['appKey', 'jobId', 'stageId', 'attemptId', 'numTasks']);
      const [before] = await jobsByApp(db, ['app-before']);
      expect(before!.map((job) => ({ jobId: job.jobId, stageIds: job.stageIds, numTasks: job.numTasks }))).toEqual([
        { jobId: 0n, stageIds: [0n, 1n], numTasks: 2n },
      ]);
      expect((await ingestPaths(db, [logOf('app-after')])).failures).toEqual([]);
      const [after] = await jobsByApp(db, ['app-after']);
      expect(after!.map((job) => job.numTasks)).toEqual([2n]);
    } finally {
      db.close();
    }
  });

  it('brings schema 6 up to date without reading stored traces; their out-of-memory is still found, as they are read', async () => {
    const trace = 'org.apache.spark.SparkException: Task failed while writing rows.\n\tat Writer.write(Writer.scala:1)\n' +
      'Caused by: java.lang.OutOfMemoryError: Java heap space\n\tat java.util.Arrays.copyOf(Arrays.java:3537)';
    const path = await fileOfSchema('schema-6.duckdb', 6, schema6Tasks, buildEventLog({ appId: 'app-before', jobs: [{ jobId: 0, stages: [{
      stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 10, index: 0, attempt: 1, failure: 'org.apache.spark.SparkException',
        failureDetail: 'Task failed while writing rows.', failureTrace: trace }],
    }] }] }));
    const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      const rows = await db.query(`SELECT endReason, exception FROM tasks WHERE appKey = 'app-before' ORDER BY taskId`);
      // A migration is one transaction: filling the summary would read every stored trace and hold every new value.
      expect(rows).toEqual([
        { endReason: 'Success', exception: null },
        { endReason: 'ExceptionFailure', exception: null },
      ]);
      const groups = await db.withConnection((connection) => taskFailureGroups({
        query: async (sql, params = {}) => (await connection.runAndReadAll(sql, { ...params, appKey: 'app-before' })).getRowObjectsJS() as never,
      }));
      expect(groups.map((group) => [group.category, Number(group.attempts), group.sampleError])).toEqual([['oom', 1, trace]]);
    } finally {
      db.close();
    }
  });

  it('brings schema 7 up to date: its query texts read as before, and a long one of a new log is kept apart', async () => {
    const path = await fileOfSchema('schema-7.duckdb', 7, `${schema7SqlExecutions}
      INSERT INTO sql_executions (appKey, executionId, description) VALUES ('app-before', 0, 'SELECT 1')`);
    const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      const [before] = await sqlExecutionsByApp(db, ['app-before'], { planDescriptions: false });
      expect(before!.map((execution) => execution.description)).toEqual(['SELECT 1']);
      const query = `SELECT ${'c, '.repeat(200_000)}1`;
      const [first, ...rest] = buildEventLog(simpleApp('app-after')).split('\n');
      const start = JSON.stringify({
        Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId: 0, description: query, details: '',
        physicalPlanDescription: '', sparkPlanInfo: { nodeName: 'Scan', simpleString: 'Scan', children: [], metadata: {}, metrics: [] },
        time: 1, modifiedConfigs: {},
      });
      const logPath = join(dir, 'app-after.json');
      writeFileSync(logPath, [first, start, ...rest].join('\n'));
      expect((await ingestPaths(db, [logPath])).failures).toEqual([]);
      const [after] = await sqlExecutionsByApp(db, ['app-after'], { planDescriptions: false });
      expect(after!.map((execution) => execution.description)).toEqual([query]);
      const [kept] = await db.query(`SELECT descriptionText IS NOT NULL AS apart FROM sql_executions WHERE appKey = 'app-after'`);
      expect(kept!.apart).toBe(true);
    } finally {
      db.close();
    }
  });

  it('brings schema 8 up to date: each stored re-plan is noted as holding a plan or not, and the last that does is final', async () => {
    const replanned = buildEventLog({
      appId: 'app-before',
      sqlExecutions: [{ executionId: 0, jobIds: [0], plan: { name: 'SortMergeJoin' }, adaptivePlan: { name: 'BroadcastHashJoin' } }],
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }],
    });
    // A later update whose plan could not be kept (as a tree nested past what is read), after the one with a plan.
    const path = await fileOfSchema('schema-8.duckdb', 8, `${schema8PlanUpdates}
      INSERT INTO sql_plan_updates (appKey, executionId, seq, sparkPlanInfo)
        SELECT appKey, executionId, max(seq) + 1, NULL FROM sql_plan_updates WHERE appKey = 'app-before' GROUP BY ALL`, replanned);
    const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      const updates = await db.query(`SELECT hasPlan FROM sql_plan_updates WHERE appKey = 'app-before' ORDER BY seq`);
      expect(updates).toEqual([{ hasPlan: true }, { hasPlan: false }]);
      const plan = await sqlPlanOf(db, 'app-before', 0);
      // The start's plan and the re-plan that holds one: the update without a plan is no version.
      expect(plan).toMatchObject({ planVersions: 2, plan: { nodeName: 'BroadcastHashJoin' } });
      expect((await ingestPaths(db, [logOf('app-after')])).failures).toEqual([]);
    } finally {
      db.close();
    }
  });

  it("brings schema 9 up to date: each stored failed task gets History Server's message for it, and new logs ingest", async () => {
    const trace = 'java.io.IOException: read failed\n\tat a.B.read(B.scala:7)';
    const path = await fileOfSchema('schema-9.duckdb', 9, schema9Tasks, buildEventLog({ appId: 'app-before', jobs: [{ jobId: 0, stages: [{
      stageId: 0, tasks: [
        { durationMs: 10 },
        { durationMs: 10, index: 1, failure: 'java.io.IOException', failureDetail: 'read failed', failureTrace: trace },
        { durationMs: 10, index: 2, failure: 'ExecutorLostFailure', failureDetail: 'Container killed' },
        { durationMs: 10, index: 3, failure: 'TaskKilled', failureDetail: 'another attempt succeeded' },
      ],
    }] }] }));
    const db = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      const rows = await db.query(`SELECT "index", errorMessage FROM v_tasks WHERE appKey = 'app-before' ORDER BY "index"`);
      expect(rows.map((row) => [Number(row.index), row.errorMessage])).toEqual([
        [0, null],
        [1, trace],
        [2, expect.stringMatching(/^ExecutorLostFailure \(executor \S+ exited caused by one of the running tasks\) Reason: Container killed$/)],
        [3, 'another attempt succeeded'],
      ]);
      expect((await ingestPaths(db, [logOf('app-after')])).failures).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('refuses a schema no step leads from, saying what to do', async () => {
    const path = await fileOfSchema('schema-4.duckdb', 4, 'SELECT 1');
    await expect(AnalysisDatabase.open(path, { memoryLimit: '512MB' })).rejects.toThrow(
      /holds analysis schema 4; this build needs \d+\. Delete the file .* and ingest the logs again/,
    );
  });
});
