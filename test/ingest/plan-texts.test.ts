import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { deleteApplication } from '../../src/store/applications-store.js';
import { AnalysisDatabase } from '../../src/store/database.js';
import { exportTableQueries } from '../../src/store/export-store.js';
import { loadRunProfileRows } from '../../src/store/comparison-store.js';
import { finalPlansSql, QUOTED_DESCRIPTION_CHARS } from '../../src/store/sql-plan-store.js';
import { insightTargets } from '../../src/store/fleet-store.js';
import { sqlExecutionsByApp } from '../../src/store/sql-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/**
 * Long plan descriptions are kept apart from their rows (src/store/plan-texts.ts) so that no stage of an ingest holds
 * them all. What a user reads must not change: every execution shows its description exactly, in the API and the
 * export, and a text lives exactly as long as the application that shows it.
 */

const appId = 'app-plan-texts';
const START = 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart';
const UPDATE = 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate';
const tree = { nodeName: 'Scan', simpleString: 'Scan', children: [], metadata: {}, metrics: [] };

/** A plan description of about `bytes`, with what JSON escapes and characters of several bytes. */
function description(tag: string, bytes: number): string {
  const line = `\n+- Project [c#1, "q\\uote", tab\t, café, 😀] ${tag}`;
  return `${tag}${line.repeat(Math.ceil(bytes / line.length))}`;
}

const start = (executionId: number, text: string): string =>
  JSON.stringify({ Event: START, executionId, description: `query ${executionId}`, details: '', physicalPlanDescription: text, sparkPlanInfo: tree, time: 1_700_000_000_001, modifiedConfigs: {} });
const update = (executionId: number, text: string): string =>
  JSON.stringify({ Event: UPDATE, executionId, physicalPlanDescription: text, sparkPlanInfo: tree });

/** What each execution is expected to show: long ones read back through the line split and through the staged parse. */
const texts = {
  deferredStart: description('start of 1, read again after the split', 600_000),
  parsedStart: description('start of 2, parsed with its batch', 40_000),
  shortStart: 'short start of 3',
  replaced: description('start of 4, replaced', 400_000),
  deferredUpdate: description('last update of 4', 500_000),
};
const lines = [
  start(1, texts.deferredStart), start(2, texts.parsedStart), start(3, texts.shortStart),
  start(4, texts.replaced), update(4, description('first update of 4', 300_000)), update(4, texts.deferredUpdate),
];

function logWith(dir: string, middle: string[], name = `${appId}.json`): string {
  const [first, ...rest] = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] }).split('\n');
  const path = join(dir, name);
  writeFileSync(path, [first, ...middle, ...rest].join('\n'));
  return path;
}

async function planTextIds(database: AnalysisDatabase): Promise<number> {
  const [row] = await database.query('SELECT count(DISTINCT textId)::INTEGER AS n FROM plan_texts');
  return row!.n as number;
}

describe('long SQL plan descriptions', () => {
  let db: TempDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-plan-texts-'));
  });
  afterEach(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('are shown exactly, in the API and the export, and kept apart from their rows', async () => {
    const report = await ingestPaths(db.database, [logWith(dir, lines)]);
    expect(report.failures).toEqual([]);
    const shown = [texts.deferredStart, texts.parsedStart, texts.shortStart, texts.deferredUpdate];
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual(shown);
    const exported = await db.database.query(exportTableQueries.sql_executions!, { appKey: appId });
    expect(exported.map((row) => row.physicalPlanDescription)).toEqual(shown);
    // The three long ones shown, and nothing of the start or the update they replace.
    expect(await planTextIds(db.database)).toBe(3);
    const inline = await db.database.query(
      `SELECT count(*)::INTEGER AS n FROM sql_executions WHERE strlen(physicalPlanDescription) > 16384
       UNION ALL SELECT count(*)::INTEGER FROM sql_plan_updates WHERE strlen(physicalPlanDescription) > 16384`,
    );
    expect(inline.map((row) => row.n)).toEqual([0, 0]);
  });

  it('live as long as their application: replaced with it, deleted with it', async () => {
    const log = logWith(dir, lines);
    await ingestPaths(db.database, [log]);
    const again = await ingestPaths(db.database, [log]);
    expect(again.failures).toEqual([]);
    expect(await planTextIds(db.database)).toBe(3);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.physicalPlanDescription)[0]).toBe(texts.deferredStart);
    await deleteApplication(db.database, appId);
    expect(await planTextIds(db.database)).toBe(0);
  });

  it('are not left behind by a log refused after they were written', async () => {
    const [first, ...rest] = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] })
      .replace(/"Executor Run Time":\d+/, '"Executor Run Time":1e308')
      .split('\n');
    const refused = join(dir, 'refused.json');
    writeFileSync(refused, [first, ...lines, ...rest].join('\n'));
    const report = await ingestPaths(db.database, [refused]);
    expect(report.failures.map((failure) => failure.error.message)).toEqual([expect.stringContaining('1e308')]);
    expect(await planTextIds(db.database)).toBe(0);
  });

  it('written by an ingest killed before its rows referred to them are removed when the database is next opened', async () => {
    const path = join(dir, 'killed.duckdb');
    const database = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      await ingestPaths(database, [logWith(dir, lines)]);
      await database.withConnection((connection) =>
        connection.run(`INSERT INTO plan_texts SELECT nextval('plan_text_ids'), 1, 'left by a killed ingest'`));
      expect(await planTextIds(database)).toBe(4);
    } finally {
      database.close();
    }
    const reopened = await AnalysisDatabase.open(path, { memoryLimit: '512MB' });
    try {
      expect(await planTextIds(reopened)).toBe(3);
      const [executions] = await sqlExecutionsByApp(reopened, [appId]);
      expect(executions!.map((execution) => execution.physicalPlanDescription)[1]).toBe(texts.parsedStart);
    } finally {
      reopened.close();
    }
  });

  it('of megabytes are written a part at a time and read back exactly', async () => {
    const megabytes = {
      start: description('start of 6, over PLAN_TEXT_IN_PARTS_BYTES', 4.5 * 1024 * 1024),
      update: description('last update of 7, over PLAN_TEXT_IN_PARTS_BYTES', 5 * 1024 * 1024),
    };
    const withMegabytes = [
      ...lines,
      start(6, megabytes.start),
      start(7, texts.shortStart), update(7, description('first update of 7', 5 * 1024 * 1024)), update(7, megabytes.update),
    ];
    const report = await ingestPaths(db.database, [logWith(dir, withMegabytes)]);
    expect(report.failures).toEqual([]);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual(
      [texts.deferredStart, texts.parsedStart, texts.shortStart, texts.deferredUpdate, megabytes.start, megabytes.update],
    );
    // The five long ones shown, and nothing of the first update of 7.
    expect(await planTextIds(db.database)).toBe(5);
  });

  it('that are not valid JSON strings are named by their line, as any broken line is, and hold nothing back', async () => {
    const broken = start(5, description('broken', 300_000)).replace('café', 'caf\\qé');
    const report = await ingestPaths(db.database, [logWith(dir, [...lines, broken])]);
    expect(report.failures).toEqual([]);
    expect(report.applications[0]!.warnings.map((warning) => warning.line)).toContain(8);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual(
      [texts.deferredStart, texts.parsedStart, texts.shortStart, texts.deferredUpdate],
    );
    expect(await planTextIds(db.database)).toBe(3);
  });
});

/**
 * An execution's description is its query's text (or the call that ran it), which generated SQL makes megabytes long.
 * It takes the same route as a long plan description, and every reader shows it as it was logged.
 */
describe('long SQL query texts', () => {
  let db: TempDatabase;
  let dir: string;
  beforeEach(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-query-texts-'));
  });
  afterEach(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  const startOf = (executionId: number, query: string, plan: string): string =>
    JSON.stringify({ Event: START, executionId, description: query, details: 'at Main.scala:1', physicalPlanDescription: plan, sparkPlanInfo: tree, time: 1_700_000_000_001, modifiedConfigs: {} });
  const queries = {
    deferred: description('query of 11, read again after the split', 600_000),
    besideLongPlan: description('query of 12, beside a long plan', 300_000),
    megabytes: description('query of 13, over PLAN_TEXT_IN_PARTS_BYTES', 4.5 * 1024 * 1024),
    short: 'SELECT 1',
  };
  const plans = { long: description('plan of 12', 500_000), short: 'short plan' };
  const queryLines = [
    startOf(11, queries.deferred, plans.short),
    startOf(12, queries.besideLongPlan, plans.long),
    startOf(13, queries.megabytes, plans.short),
    startOf(14, queries.short, plans.short),
  ];
  const shownQueries = [queries.deferred, queries.besideLongPlan, queries.megabytes, queries.short];

  it('are shown exactly by the API, the export, a comparison and a fleet, and kept apart from their rows', async () => {
    const report = await ingestPaths(db.database, [logWith(dir, queryLines)]);
    expect(report.failures).toEqual([]);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.description)).toEqual(shownQueries);
    expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual([plans.short, plans.long, plans.short, plans.short]);
    expect(executions!.map((execution) => execution.details)).toEqual(Array(4).fill('at Main.scala:1'));
    const exported = await db.database.query(exportTableQueries.sql_executions!, { appKey: appId });
    expect(exported.map((row) => row.description)).toEqual(shownQueries);
    const run = await loadRunProfileRows(db.database, appId);
    expect(run.sql.map((execution) => execution.description)).toEqual(shownQueries);
    // A fleet groups the findings about a SQL execution by its text.
    await db.database.query(`INSERT INTO insights (appKey, id, type, title, description, evidence, confidence, severity, suggestion,
        tradeoffs, sparkDocsRef, sqlExecutionId, impact, impactMs)
      VALUES ($appKey, 'q11', 'broadcast-join', 't', 'd', '{}', 'high', 'warning', 's', 'o', 'https://spark.apache.org/docs/latest/', 11, 0.1, 10)`,
    { appKey: appId });
    const [target] = await insightTargets(db.database, [appId]);
    expect(target!.target).toBe(`SQL '${queries.deferred}'`);
    const inline = await db.database.query(`SELECT count(*)::INTEGER AS n FROM sql_executions WHERE strlen(description) > 16384`);
    expect(inline[0]!.n).toBe(0);
    // Three query texts and one plan.
    expect(await planTextIds(db.database)).toBe(4);
  });

  it('are kept apart when a later update replaces the plan of their start', async () => {
    const replacedQuery = description('query of 15, its plan replaced', 400_000);
    const report = await ingestPaths(db.database, [logWith(dir, [startOf(15, replacedQuery, plans.long), update(15, 'the plan shown')])]);
    expect(report.failures).toEqual([]);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => [Number(execution.id), execution.description, execution.physicalPlanDescription]))
      .toEqual([[15, replacedQuery, 'the plan shown']]);
    expect(await planTextIds(db.database)).toBe(1);
  });

  it('that are not valid JSON strings are named by their line, and the others of the log are kept apart all the same', async () => {
    const broken = startOf(16, description('query of 16, broken', 300_000), plans.short).replace('café', 'caf\\qé');
    const report = await ingestPaths(db.database, [logWith(dir, [...queryLines, broken])]);
    expect(report.failures).toEqual([]);
    expect(report.applications[0]!.warnings.map((warning) => warning.line)).toContain(6);
    const [executions] = await sqlExecutionsByApp(db.database, [appId]);
    expect(executions!.map((execution) => execution.description)).toEqual(shownQueries);
    expect(await planTextIds(db.database)).toBe(4);
  });

  it('are quoted by findings cut to their first characters', async () => {
    await ingestPaths(db.database, [logWith(dir, queryLines)]);
    const quoted = await db.database.query(finalPlansSql('appKey = $appKey', 'all', { quoted: true }), { appKey: appId });
    const cut = (text: string): string =>
      [...text].length > QUOTED_DESCRIPTION_CHARS ? `${[...text].slice(0, QUOTED_DESCRIPTION_CHARS - 1).join('')}…` : text;
    expect(quoted.map((row) => row.description)).toEqual(shownQueries.map(cut));
  });

  it('live as long as their application', async () => {
    const log = logWith(dir, queryLines);
    await ingestPaths(db.database, [log]);
    expect((await ingestPaths(db.database, [log])).failures).toEqual([]);
    expect(await planTextIds(db.database)).toBe(4);
    await deleteApplication(db.database, appId);
    expect(await planTextIds(db.database)).toBe(0);
  });
});
