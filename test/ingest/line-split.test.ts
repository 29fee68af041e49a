import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { descriptionSql } from '../helpers/plan-texts.js';

/**
 * Healthy logs are split into lines without parsing JSON (DuckDB's CSV reader finds the line ends); task
 * lines are first parsed when they are written. These logs check that a problem found only then, or a line
 * the split treats differently from a JSON reader, is still handled as before: named by its line, the rest kept.
 */
describe('splitting a log into lines', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-split-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  const logLines = (appId: string): string[] =>
    buildEventLog({
      appId,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 20 }, { durationMs: 30 }] }] }],
    })
      .split('\n')
      .filter((line) => line !== '');

  const taskCount = async (appKey: string): Promise<number> =>
    Number(plain(await db.database.query('SELECT count(*) AS n FROM tasks WHERE appKey = $k', { k: appKey }))[0].n);

  it('names a malformed task end by its line and stores the other tasks', async () => {
    const lines = logLines('app-broken-task-end');
    const firstEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'));
    lines[firstEnd] = '{"Event":"SparkListenerTaskEnd","Stage ID":0,"Task Info":{"Task ID": oops';
    const path = join(scratch, 'broken-task-end.json');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    const [app] = report.applications;
    expect(app!.warnings).toContainEqual({
      line: firstEnd + 1,
      message: expect.stringMatching(new RegExp(`^line ${firstEnd + 1} is not a JSON event`)),
    });
    // The task whose end was lost started: it is kept as running, as for a log cut off mid-write.
    expect(await taskCount('app-broken-task-end')).toBe(3);
    expect(
      plain(await db.database.query("SELECT count(*) AS n FROM tasks WHERE appKey = 'app-broken-task-end' AND status = 'SUCCESS'"))[0].n,
    ).toBe(2);
  });

  it('names a line whose string holds half a surrogate pair, which JSON.parse takes and DuckDB refuses, and keeps the rest', async () => {
    const lines = logLines('app-lone-surrogate');
    const at = lines.length - 1; // before ApplicationEnd
    // Half pairs alone, first and second halves; a whole pair and an escaped backslash before "ud800" are fine.
    lines.splice(at, 0,
      '{"Event":"SparkListenerLogStart","Spark Version":"3.5.1 \\ud83d\\ude00 \\\\ud800"}',
      '{"Event":"SparkListenerUnpersistRDD","RDD ID":7,"Note":"first half \\ud800 alone"}',
      '{"Event":"SparkListenerUnpersistRDD","RDD ID":8,"Note":"second half \\udc00 alone"}');
    const path = join(scratch, 'lone-surrogate.json');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    const [app] = report.applications;
    expect(app!.warnings.map((warning) => warning.line)).toEqual([at + 2, at + 3]);
    expect(app!.warnings[0]!.message).toMatch(/surrogate/);
    expect(app!.completed).toBe(true);
    expect(await taskCount('app-lone-surrogate')).toBe(3);
  });

  it('names a malformed task end and an event without its id together, each by its line, and keeps the rest', async () => {
    // The event without an id sends staging back to number every line, which then meets the task end (read only at
    // write time before).
    const lines = logLines('app-two-problems');
    const firstEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'));
    lines[firstEnd] = lines[firstEnd]!.replace('"Reason":"Success"', '"Reason":"\\ud800"');
    const jobEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerJobEnd"'));
    lines[jobEnd] = lines[jobEnd]!.replace(/"Job ID":\d+/, '"Job ID":""');
    const path = join(scratch, 'two-problems.json');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    const [app] = report.applications;
    expect(app!.warnings.map((warning) => warning.line).sort((a, b) => a! - b!)).toEqual([firstEnd + 1, jobEnd + 1]);
    expect(await taskCount('app-two-problems')).toBe(3);
  });

  it('reads a log written with CRLF line ends like the same log with LF', async () => {
    const lf = join(scratch, 'lf.json');
    const crlf = join(scratch, 'crlf.json');
    writeFileSync(lf, `${logLines('app-lf').join('\n')}\n`);
    writeFileSync(crlf, `${logLines('app-crlf').join('\r\n')}\r\n`);
    const [fromLf] = (await ingestPaths(db.database, [lf])).applications;
    const [fromCrlf] = (await ingestPaths(db.database, [crlf])).applications;
    expect(fromCrlf!.warnings).toEqual(fromLf!.warnings);
    expect(fromCrlf!.eventsRead).toBe(fromLf!.eventsRead);
    expect(await taskCount('app-crlf')).toBe(await taskCount('app-lf'));
  });

  it('names a line holding a raw control character, and numbers lines after blank ones by their place in the file', async () => {
    const lines = logLines('app-control-char');
    const at = lines.length - 1; // before ApplicationEnd
    lines.splice(at, 0, '', '{"Event":"SparkListenerUnpersistRDD","RDD ID":\u0001}', '');
    const path = join(scratch, 'control-char.json');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const [app] = (await ingestPaths(db.database, [path])).applications;
    expect(app!.warnings).toContainEqual({ line: at + 2, message: expect.stringMatching(new RegExp(`^line ${at + 2} is not a JSON event`)) });
    expect(app!.completed).toBe(true);
    expect(await taskCount('app-control-char')).toBe(3);
  });

  it('names a line whose bytes are not UTF-8 text and stores the rest of the log', async () => {
    const lines = logLines('app-not-utf8');
    // Far enough into the file that the check of its first bytes (binary or text?) does not see it.
    const filler = Array.from({ length: 5000 }, (_, i) => `{"Event":"SparkListenerUnpersistRDD","RDD ID":${i}}`);
    lines.splice(1, 0, ...filler);
    const at = lines.length - 1; // before ApplicationEnd
    const path = join(scratch, 'not-utf8.json');
    writeFileSync(
      path,
      Buffer.concat([
        Buffer.from(`${lines.slice(0, at).join('\n')}\n{"Event":"SparkListenerUnpersistRDD","RDD ID":"caf`),
        Buffer.from([0xe9, 0x20]),
        Buffer.from(`"}\n${lines.slice(at).join('\n')}\n`),
      ]),
    );
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    const [app] = report.applications;
    expect(app!.warnings).toContainEqual({
      line: at + 1,
      message: `line ${at + 1} is not a JSON event (it holds bytes that are not UTF-8 text); it was skipped`,
    });
    expect(app!.completed).toBe(true);
    expect(await taskCount('app-not-utf8')).toBe(3);
  });

  it('stores an event longer than the first split allows (3 MB) whole, with no warning', async () => {
    const lines = logLines('app-3mb');
    const plan = 'p'.repeat(3 * 1024 * 1024);
    lines.splice(1, 0, `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":3,"description":"d","details":"","physicalPlanDescription":"${plan}","sparkPlanInfo":{"nodeName":"Scan","simpleString":"Scan","children":[],"metadata":{},"metrics":[]},"time":1,"modifiedConfigs":{}}`);
    const path = join(scratch, 'three-mb.json');
    writeFileSync(path, `${lines.join('\n')}\n`);
    const [app] = (await ingestPaths(db.database, [path])).applications;
    expect(app!.warnings.filter((w) => w.line !== null)).toEqual([]);
    const rows = plain(await db.database.query(`SELECT strlen(${descriptionSql('s')}) AS n FROM sql_executions s WHERE appKey = 'app-3mb'`));
    expect(rows).toEqual([{ n: plan.length }]);
  });
});
