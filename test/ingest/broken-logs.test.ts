import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { writeApplication } from '../../src/store/application-writer.js';
import { stageEvents } from '../../src/parse/stage-events.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';

describe('broken and unusual logs', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-broken-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const applicationCount = async () => plain(await db.database.query('SELECT count(*) AS n FROM applications'))[0].n;

  it('rejects a 0-byte file with a clear message and stores nothing', async () => {
    const before = await applicationCount();
    await expect(ingestPaths(db.database, [eventLogPath('broken', 'file_event_log_empty_test')])).rejects.toThrow(
      /empty/,
    );
    expect(await applicationCount()).toBe(before);
  });

  it('rejects text that is not an event log, and JSON that holds no Spark event', async () => {
    const text = join(scratch, 'notes.txt');
    writeFileSync(text, 'hello\nthis is not a log\n');
    const json = join(scratch, 'other.json');
    writeFileSync(json, '{"a":1}\n{"b":2}\n');
    const before = await applicationCount();
    const report = await ingestPaths(db.database, [text, json]);
    expect(report.applications).toEqual([]);
    expect(report.failures.map((f) => f.error.message)).toEqual([
      expect.stringMatching(/notes\.txt.*not a Spark event log|notes\.txt.*no events/),
      expect.stringMatching(/other\.json is not a Spark event log: none of its 2 JSON lines/),
    ]);
    expect(report.failures.every((f) => f.error instanceof BadInputError)).toBe(true);
    expect(await applicationCount()).toBe(before);
  });

  it('refuses a gzip or zstd log whose compressed data is damaged as corrupt, naming the file, and stores nothing', async () => {
    const zstd = readFileSync(eventLogPath('formats', 'codecs', 'local-1642039451826.zstd'));
    zstd[80] = zstd[80]! ^ 0xff;
    const zstdPath = join(scratch, 'local-1642039451826.zstd');
    writeFileSync(zstdPath, zstd);
    const gzip = gzipSync(readFileSync(eventLogPath('apache-spark', 'local-1430917381534')));
    gzip.fill(0xff, 30, 60);
    const gzipPath = join(scratch, 'local-1430917381534.gz');
    writeFileSync(gzipPath, gzip);
    const before = await applicationCount();
    const report = await ingestPaths(db.database, [zstdPath, gzipPath]);
    expect(report.failures.map((failure) => [failure.error instanceof BadInputError, failure.error.message])).toEqual([
      [true, expect.stringMatching(/^local-1642039451826\.zstd is corrupt: .*re-copy/)],
      [true, expect.stringMatching(/^local-1430917381534\.gz is corrupt: .*re-copy/)],
    ]);
    expect(await applicationCount()).toBe(before);
  });

  it('skips a malformed line in the middle, reports its line number, and keeps the rest', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('broken', 'malformed_json_eventlog.zstd')]);
    const [app] = report.applications;
    expect(app!.warnings).toContainEqual({ line: 4, message: expect.stringMatching(/^line 4 is not a JSON event/) });
    expect(app!.completed).toBe(true);
    const tasks = plain(await db.database.query('SELECT count(*) AS n FROM tasks WHERE appKey = $k', { k: app!.appKey }));
    expect(tasks[0].n).toBeGreaterThan(0);
  });

  it('numbers lines after a skipped one by their real position in the file', async () => {
    const log = join(scratch, 'numbering.json');
    writeFileSync(
      log,
      [
        '{"Event":"SparkListenerLogStart","Spark Version":"3.5.1"}',
        '{"Event":"SparkListenerApplicationStart", oops',
        '',
        '{"Event":"SparkListenerApplicationStart","App Name":"n","App ID":"app-numbering","Timestamp":1,"User":"u"}',
        '{"Event":"SparkListenerStageSubmitted","Stage Info":{"Stage Attempt ID":0}}',
        '{"Event":"SparkListenerApplicationEnd","Timestamp":2}',
      ].join('\n') + '\n',
    );
    const [app] = (await ingestPaths(db.database, [log])).applications;
    expect(app!.warnings).toEqual([
      { line: 2, message: expect.stringMatching(/^line 2 is not a JSON event/) },
      { line: 5, message: 'line 5: SparkListenerStageSubmitted has no "Stage Info"."Stage ID"; the event was skipped' },
    ]);
    expect(app).toMatchObject({ appKey: 'app-numbering', completed: true, eventsRead: 4, eventsSkipped: 1 });
  });

  it('names a value no field can hold by its line in the file, past blank lines before it', async () => {
    const tasks = Array.from({ length: 6 }, (_, i) => ({ durationMs: 100 + i }));
    const lines = buildEventLog({ appId: 'app-blank-before-bad', jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks }] }] }).split('\n');
    const firstTaskEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'));
    lines.splice(firstTaskEnd, 0, '', '  ');
    const bad = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"')) + 2;
    lines[bad] = lines[bad]!.replace(/"Executor Run Time":\d+/, '"Executor Run Time":1e308');
    const log = join(scratch, 'blank-before-bad.json');
    writeFileSync(log, lines.join('\n'));
    const report = await ingestPaths(db.database, [log]);
    expect(report.failures[0]?.error.message).toContain(`line ${bad + 1} holds the number 1e308`);
  });

  it('keeps tasks that started and never ended as running, and names a task end it cannot use', async () => {
    const log = join(scratch, 'running.json');
    const taskInfo = (id: number) =>
      `"Task Info":{"Task ID":${id},"Index":${id},"Attempt":0,"Launch Time":${100 + id},"Executor ID":"1","Host":"h","Locality":"PROCESS_LOCAL","Speculative":false,"Getting Result Time":0,"Finish Time":0,"Failed":false,"Killed":false,"Accumulables":[]}`;
    writeFileSync(
      log,
      [
        '{"Event":"SparkListenerApplicationStart","App Name":"n","App ID":"app-running","Timestamp":1,"User":"u"}',
        `{"Event":"SparkListenerTaskStart","Stage ID":0,"Stage Attempt ID":0,${taskInfo(1)}}`,
        `{"Event":"SparkListenerTaskStart","Stage ID":0,"Stage Attempt ID":0,${taskInfo(2)}}`,
        `{"Event":"SparkListenerTaskEnd","Stage ID":0,"Stage Attempt ID":0,"Task Type":"ResultTask","Task End Reason":{"Reason":"Success"},${taskInfo(1).replace('"Finish Time":0', '"Finish Time":150')},"Task Metrics":{"Executor Run Time":40}}`,
        '{"Event":"SparkListenerTaskEnd","Stage Attempt ID":0,"Task Type":"ResultTask","Task End Reason":{"Reason":"Success"}}',
      ].join('\n') + '\n',
    );
    const [app] = (await ingestPaths(db.database, [log])).applications;
    const tasks = plain(await db.database.query(`SELECT taskId, status, executorRunTime, duration FROM v_tasks WHERE appKey = 'app-running' ORDER BY taskId`));
    expect(tasks).toEqual([
      { taskId: 1, status: 'SUCCESS', executorRunTime: 40, duration: 49 },
      { taskId: 2, status: 'RUNNING', executorRunTime: null, duration: null },
    ]);
    expect(app!.warnings.map((w) => w.message)).toContain(
      'line 5: SparkListenerTaskEnd has no "Stage ID" or "Task Info"."Task ID"; the event was skipped',
    );
    expect(app).toMatchObject({ completed: false, eventsRead: 5, eventsSkipped: 1 });
  });

  it('tolerates a cut-off last line of a running application and marks it incomplete', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('broken', 'app-20231025121456-0004-eventLog-running-incomplete')]);
    const [app] = report.applications;
    expect(app!.completed).toBe(false);
    expect(app!.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^line 15 is cut off/));
    const [row] = plain(await db.database.query('SELECT completed, endTime FROM applications WHERE appKey = $k', { k: app!.appKey }));
    expect(row).toEqual({ completed: false, endTime: null });
  });

  it('keeps an application complete when what is cut off comes after its end (a file padded with zero bytes)', async () => {
    const log = join(scratch, 'padded-with-zeros');
    writeFileSync(log, Buffer.concat([readFileSync(eventLogPath('apache-spark', 'local-1642039451826')), Buffer.alloc(4096)]));
    const [app] = (await ingestPaths(db.database, [log])).applications;
    expect(app!.warnings.map((w) => w.message)).toEqual(['line 116 is cut off (the log was still being written, or a copy of it stopped short); it was skipped']);
    expect(app!.completed).toBe(true);
    const [row] = plain(await db.database.query('SELECT completed, endTime FROM applications WHERE appKey = $k', { k: app!.appKey }));
    expect(row).toEqual({ completed: true, endTime: 1642039536564 });
  });

  it('skips events whose required fields are corrupted and counts unknown event names', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('broken', 'app-20231122115433-0000-eventLog-corrupted-events')]);
    const [app] = report.applications;
    expect(app!.skippedEventTypes).toMatchObject({ SparkListenerStageSubmittedBAD: 1 });
    const messages = app!.warnings.map((w) => w.message);
    expect(messages).toContainEqual('line 41: SparkListenerStageSubmitted has no "Stage Info"."Stage ID"; the event was skipped');
    expect(messages).toContainEqual('line 5: SparkListenerExecutorAdded has no "Executor ID"; the event was skipped');
    // Line 43 is blank: DuckDB skips it, and the lines after it keep their numbers in the file.
    expect(messages).toContainEqual('line 44: SparkListenerStageCompleted has no "Stage Info"."Stage ID"; the event was skipped');
    expect(messages).toContainEqual('line 50: SparkListenerExecutorRemoved has no "Executor ID"; the event was skipped');
  });

  it('names an application with no ApplicationStart after spark.app.id and says so', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('broken', 'app-20231025121456-0004-eventLog-error-no-app-start')]);
    const [app] = report.applications;
    expect(app!.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/no usable SparkListenerApplicationStart/));
    expect(app!.appId.length).toBeGreaterThan(0);
  });

  it('stores an application that ran no job', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('broken', 'empty_eventlog')]);
    expect(report.applications[0]).toMatchObject({ appKey: 'local-1623263471760', completed: true });
  });

  it('keeps the previous rows of an application when writing its new version fails midway', async () => {
    const log = eventLogPath('apache-spark', 'local-1430917381534');
    await ingestPaths(db.database, [log]);
    const taskCount = async () => plain(await db.database.query(`SELECT count(*) AS n FROM tasks WHERE appKey = 'local-1430917381534'`))[0].n;
    const before = await taskCount();
    expect(before).toBeGreaterThan(0);
    await db.database.withConnection(async (connection) => {
      const plan = await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] });
      // The application row is written after the old rows are deleted; a NaN event count makes it fail there.
      await expect(
        writeApplication(connection, {
          appKey: 'local-1430917381534', appId: 'local-1430917381534', attemptId: null, completed: true, lastUpdated: 0,
          sourceName: 'x', sourceLayout: 'single', eventsRead: Number.NaN, eventsSkipped: 0, skippedEventTypes: {}, warnings: [],
        }, plan),
      ).rejects.toThrow();
    });
    expect(await taskCount()).toBe(before);
  });
});
