import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryLimitError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { sqlExecutionsByApp } from '../../src/store/sql-store.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { descriptionSql } from '../helpers/plan-texts.js';

const MB = 1024 * 1024;

/**
 * Writes a small application's log to `dir` with what `writeAfterFirstLine` writes after its first line (large
 * lines are written in pieces, so a test never holds one whole). Returns its path.
 */
function writeSmallLog(dir: string, appId: string, writeAfterFirstLine: (write: (text: string) => void) => void): string {
  const lines = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }, { durationMs: 20 }] }] }] })
    .split('\n')
    .filter((line) => line !== '');
  const path = join(dir, `${appId}.json`);
  const fd = openSync(path, 'w');
  const write = (text: string): void => {
    writeSync(fd, text);
  };
  write(`${lines[0]}\n`);
  writeAfterFirstLine(write);
  for (const line of lines.slice(1)) write(`${line}\n`);
  closeSync(fd);
  return path;
}

/** A log whose second line is a SQL execution start with a physical plan description `planBytes` long. */
function logWithLargeLine(dir: string, appId: string, planBytes: number): { path: string; line: number } {
  const path = writeSmallLog(dir, appId, (write) => {
    write('{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":7,"description":"wide","details":"","physicalPlanDescription":"');
    const piece = 'x'.repeat(MB);
    for (let written = 0; written < planBytes; written += MB) write(piece);
    write('","sparkPlanInfo":{"nodeName":"Scan","simpleString":"Scan","children":[],"metadata":{},"metrics":[]},"time":1700000000001,"modifiedConfigs":{}}\n');
  });
  return { path, line: 2 };
}

/**
 * A log whose one SQL execution gets `updates` adaptive plan updates of `planBytes` each (Databricks logs one per
 * re-optimization, often about a megabyte). Each plan starts with its update's number.
 */
function logWithPlanUpdates(dir: string, appId: string, updates: number, planBytes: number): string {
  return writeSmallLog(dir, appId, (write) => {
    write('{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":7,"description":"d","details":"","physicalPlanDescription":"p","sparkPlanInfo":{"nodeName":"Scan","simpleString":"Scan","children":[],"metadata":{},"metrics":[]},"time":1700000000001,"modifiedConfigs":{}}\n');
    for (let update = 0; update < updates; update += 1) {
      const label = `update ${update};`;
      write(`{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate","executionId":7,"physicalPlanDescription":"${label}${'x'.repeat(planBytes - label.length)}","sparkPlanInfo":{"nodeName":"AdaptiveSparkPlan","simpleString":"${label}","children":[],"metadata":{},"metrics":[]}}\n`);
    }
  });
}

describe('event lines of any size', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-large-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('stores an event of 15 MB whole', async () => {
    const { path } = logWithLargeLine(scratch, 'app-15mb', 15 * MB);
    const [app] = (await ingestPaths(db.database, [path])).applications;
    expect(app!.warnings.filter((w) => w.line !== null)).toEqual([]);
    const rows = plain(await db.database.query(
      `SELECT strlen(${descriptionSql('s')}) AS n FROM sql_executions s WHERE appKey = 'app-15mb' AND executionId = 7`,
    ));
    expect(rows).toEqual([{ n: 15 * MB }]);
  });

  it.each([
    ['a hundred plan updates of 1 MB', 100, MB],
    ['ten plan updates of 15 MB', 10, 15 * MB],
  ])('stores %s at the default memory limit: every plan version in order, the last description whole', async (_label, updates, planBytes) => {
    const appId = `app-${updates}-updates`;
    const report = await ingestPaths(db.database, [logWithPlanUpdates(scratch, appId, updates, planBytes)]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    // Every version's plan tree, in order; of the descriptions only the last, the one an execution shows.
    const versions = plain(await db.database.query(
      `SELECT sparkPlanInfo->>'simpleString' AS label, strlen(${descriptionSql('u')}) AS described FROM sql_plan_updates u
       WHERE appKey = $k ORDER BY seq`,
      { k: appId },
    ));
    expect(versions).toEqual(
      Array.from({ length: updates }, (_unused, update) => ({ label: `update ${update};`, described: update === updates - 1 ? planBytes : null })),
    );
    const [execution] = (await sqlExecutionsByApp(db.database, [appId]))[0]!;
    expect(execution!.physicalPlanDescription?.length).toBe(planBytes);
    expect(execution!.physicalPlanDescription?.startsWith(`update ${updates - 1};`)).toBe(true);
  }, 120_000);

  it('refuses a log that needs more memory than DUCKDB_MEMORY_LIMIT in words that name the limit, storing nothing', async () => {
    const small = await AnalysisDatabase.open(join(scratch, 'small-limit.duckdb'), { memoryLimit: '32MB' });
    try {
      const report = await ingestPaths(small, [logWithPlanUpdates(scratch, 'app-needs-memory', 3, 4 * MB)]);
      expect(report.applications).toEqual([]);
      const [failure] = report.failures;
      expect(failure!.error).toBeInstanceOf(MemoryLimitError);
      expect(failure!.error.message).toMatch(
        /^app-needs-memory\.json needs more memory to ingest than DUCKDB_MEMORY_LIMIT=32MB allows \(DuckDB could not get [\d.]+ MiB more with [\d.]+ \w+ of [\d.]+ MiB in use\)\. It was not stored; raising DUCKDB_MEMORY_LIMIT lets it through\.$/,
      );
      expect(await small.query('SELECT count(*)::INTEGER AS n FROM applications')).toEqual([{ n: 0 }]);
    } finally {
      small.close();
    }
  });

  it.each([['40 MB', 40 * MB], ['200 MB', 200 * MB]])(
    'skips an event of %s with a warning naming its line and its size, and stores the rest of the log',
    async (label, bytes) => {
      const appId = `app-${label.replace(' ', '')}`;
      const { path, line } = logWithLargeLine(scratch, appId, bytes);
      const report = await ingestPaths(db.database, [path]);
      expect(report.failures.map((f) => f.error.message)).toEqual([]);
      const [app] = report.applications;
      expect(app!.warnings).toContainEqual({
        line,
        message: expect.stringMatching(new RegExp(`^line ${line} is ${bytes / MB}\\.\\d MB long, more than the 16\\.0 MB an event may be; it was skipped$`)),
      });
      const rows = plain(await db.database.query(
        'SELECT (SELECT count(*) FROM tasks WHERE appKey = $k) AS tasks, (SELECT count(*) FROM sql_executions WHERE appKey = $k) AS executions',
        { k: appId },
      ));
      expect(rows).toEqual([{ tasks: 2, executions: 0 }]);
    },
    120_000,
  );

  it('skips a plan update of 40 MB with a warning, beside long ones that are stored', async () => {
    // The long updates add up past what the split reads from a copy holding stand-ins: the 40 MB one is still found.
    const appId = 'app-40mb-update';
    const path = logWithPlanUpdates(scratch, appId, 3, 12 * MB);
    const lines = readFileSync(path, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes('"simpleString":"update 1;"'));
    lines[at] = lines[at]!.replace(/"physicalPlanDescription":"update 1;/, `"physicalPlanDescription":"update 1;${'y'.repeat(28 * MB)}`);
    writeFileSync(path, lines.join('\n'));
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((f) => f.error.message)).toEqual([]);
    expect(report.applications[0]!.warnings).toContainEqual({
      line: at + 1,
      message: expect.stringMatching(new RegExp(`^line ${at + 1} is 40\\.\\d MB long, more than the 16\\.0 MB an event may be; it was skipped$`)),
    });
    const [execution] = (await sqlExecutionsByApp(db.database, [appId]))[0]!;
    expect(execution!.physicalPlanDescription?.startsWith('update 2;')).toBe(true);
  }, 120_000);
});
