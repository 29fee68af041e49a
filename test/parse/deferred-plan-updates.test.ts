import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import type { DuckDbInput } from '../../src/eventlog/discover.js';
import { slimTaskEnds } from '../../src/parse/slim-task-ends.js';
import { numberedPlan, STAGED_EVENTS, stageEvents, taskEventsSql, type StagingOptions, type StagingPlan } from '../../src/parse/stage-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { sharedLogParts } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { stagedEventsAsJson } from '../helpers/plan-texts.js';

const reshape = (tree: unknown): unknown => shuffleSkeleton(tree as PlanNode);
/** Every plan update with a description deferred, against none. */
const deferringAll: StagingOptions = { supersededPlanTree: reshape, deferredPlanUpdateBytes: 0 };
const deferringNone: StagingOptions = { supersededPlanTree: reshape, deferredPlanUpdateBytes: Number.MAX_SAFE_INTEGER };
/** Every plan update with a description deferred and split from a copy holding a stand-in for it (as for long lines). */
const standingInAll = (scratchDir: string): StagingOptions => ({ ...deferringAll, standInCopyBytes: -1, scratchDir });

/** What staging `parts` leaves in the staged events, in order, or the error it throws. */
async function staged(connection: DuckDBConnection, parts: DuckDbInput[], options: StagingOptions, seen?: (plan: StagingPlan) => void): Promise<string[]> {
  try {
    // Stand-ins are made only once a line was too long for the fast split.
    const plan = await stageEvents(connection, { parts, longLines: options.standInCopyBytes !== undefined }, options);
    seen?.(plan);
  } catch (error) {
    return [`error: ${(error as Error).constructor.name} ${(error as Error).message}`];
  }
  return stagedEventsAsJson(connection);
}

describe('SQL plan updates deferred by the line split and read again', () => {
  let db: TempDatabase;
  let scratch: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-deferred-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('stage every shared log exactly as when the split keeps their text, read from the log itself or from pieces', async () => {
    let logsWithUpdates = 0;
    for await (const { source, parts, tempDir } of sharedLogParts(scratch)) {
      const pieces = await slimTaskEnds(parts, tempDir, { minBytes: 0, share: 0, judgedBytes: 1024 * 1024 }, async () => true);
      await db.database.withConnection(async (connection) => {
        for (const read of [parts, pieces]) {
          const kept = await staged(connection, read, deferringNone);
          expect(await staged(connection, read, deferringAll), source.name).toEqual(kept);
          let split: StagingPlan | undefined;
          expect(await staged(connection, read, standingInAll(tempDir), (plan) => (split = plan)), source.name).toEqual(kept);
          if (kept.some((row) => row.includes('SQLAdaptiveExecutionUpdate'))) {
            logsWithUpdates += 1;
            // Split from the copies, not split again from the log (which stages the same rows).
            expect(split?.parts.some((part) => part.taskPieces !== undefined), source.name).toBe(true);
          }
        }
      });
    }
    // The shared logs with adaptive re-plans, each read both ways.
    expect(logsWithUpdates).toBeGreaterThanOrEqual(6);
    // Six stagings of each of ~90 shared logs and their pieces: 36-57 s on this 2-core machine, by its mood.
  }, 180_000);

  const update = (execution: number, version: number): string =>
    JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate',
      executionId: execution,
      physicalPlanDescription: `plan ${version}\n${'x'.repeat(2_000)}`,
      sparkPlanInfo: {
        nodeName: 'AdaptiveSparkPlan', simpleString: `v${version}`, metrics: [],
        children: [{ nodeName: 'Exchange', simpleString: 'Exchange hashpartitioning(k#1, 200)', metrics: [{ name: 'shuffle bytes written', accumulatorId: version }], children: [] }],
      },
    });
  /** `line` (a plan update) with its description lengthened by `bytes`. */
  const padded = (line: string, bytes: number): string =>
    line.replace('"physicalPlanDescription":"plan', `"physicalPlanDescription":"${'p'.repeat(bytes)} plan`);
  /** The lines of a log of one stage of `tasks` tasks. */
  const logOfTasks = (appId: string, tasks: number): string[] =>
    buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: Array.from({ length: tasks }, (_, i) => ({ durationMs: 10 + i })) }] }] }).split('\n');
  const lines = ['{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}', update(1, 1), update(2, 1), update(1, 2), update(2, 2), update(1, 3)];

  it('match the lines of a log with CRLF line ends', async () => {
    const log = join(scratch, 'crlf.json');
    writeFileSync(log, `${lines.join('\r\n')}\r\n`);
    await db.database.withConnection(async (connection) => {
      const kept = await staged(connection, [{ path: log, compression: 'none' }], deferringNone);
      // Three superseded updates lose their description; the last of each execution keeps it.
      const updates = kept.filter((row) => row.includes('SQLAdaptiveExecutionUpdate'));
      expect(updates.map((row) => row.includes('"physicalPlanDescription":null'))).toEqual([true, true, true, false, false]);
      expect(await staged(connection, [{ path: log, compression: 'none' }], deferringAll)).toEqual(kept);
      expect(await staged(connection, [{ path: log, compression: 'none' }], standingInAll(scratch))).toEqual(kept);
      // Compressed, a few MB of them are read again by DuckDB.
      const gzipped = join(scratch, 'crlf.json.gz');
      writeFileSync(gzipped, gzipSync(`${lines.join('\r\n')}\r\n`));
      expect(await staged(connection, [{ path: gzipped, compression: 'gzip' }], deferringAll)).toEqual(kept);
    });
  });

  it('are split again with their text when the lines read again are not the ones deferred', async () => {
    // DuckDB's split ends a line at a carriage return too, so a line ending in two reads shorter to it than to a
    // reader of lines that end at line feeds: the lengths disagree.
    const log = join(scratch, 'two-returns.json');
    writeFileSync(log, `${lines.slice(0, 3).join('\n')}\r\r\n${lines.slice(3).join('\n')}\n`);
    await db.database.withConnection(async (connection) => {
      const kept = await staged(connection, [{ path: log, compression: 'none' }], deferringNone);
      expect(kept.filter((row) => row.includes('SQLAdaptiveExecutionUpdate'))).toHaveLength(5);
      expect(await staged(connection, [{ path: log, compression: 'none' }], deferringAll)).toEqual(kept);
      expect(await staged(connection, [{ path: log, compression: 'none' }], standingInAll(scratch))).toEqual(kept);
    });
  });

  it('keep what the split kept of updates whose descriptions are unusual, and refuse the same broken ones', async () => {
    const tree = '{"nodeName":"Exchange","simpleString":"Exchange","children":[],"metrics":[]}';
    const raw = (execution: string, description: string, after = ''): string =>
      `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate","executionId":${execution},` +
      `"physicalPlanDescription":"${description}","sparkPlanInfo":${tree}${after}}`;
    const last = raw('1', 'last');
    const cases: Array<[string, string]> = [
      ['escapes, multi-byte text and the tree key in the description', raw('1', 'a \\"q\\" \\\\ \\n \\u00e9 \\ud83d\\ude00 é 😀 ,\\"sparkPlanInfo\\":{} \\\\')],
      ['trailing spaces after the event', `${raw('1', 'spaces')}   `],
      ['the tree before the description', `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate","executionId":1,"sparkPlanInfo":${tree},"physicalPlanDescription":"d"}`],
      ['another key after the tree', raw('1', 'more', ',"extra":{"a":[1,2]}')],
      ['a null tree', raw('1', 'x').replace(tree, 'null')],
      ['an unknown escape', raw('1', 'bad \\x escape')],
      ['a raw tab', raw('1', 'tab\there')],
      ['a short unicode escape', raw('1', 'bad \\u12 escape')],
      ['a description that never ends', `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate","executionId":1,"physicalPlanDescription":"open`],
      ['an execution id with a leading zero', raw('01', 'zero')],
      ['a broken tree', raw('1', 'tree').replace(tree, '{"nodeName":')],
    ];
    for (const [name, superseded] of cases) {
      const log = join(scratch, 'unusual.json');
      writeFileSync(log, `${[lines[0], superseded, last].join('\n')}\n`);
      await db.database.withConnection(async (connection) => {
        const kept = await staged(connection, [{ path: log, compression: 'none' }], deferringNone);
        expect(await staged(connection, [{ path: log, compression: 'none' }], deferringAll), name).toEqual(kept);
        expect(await staged(connection, [{ path: log, compression: 'none' }], standingInAll(scratch)), name).toEqual(kept);
      });
    }
  });

  it('stage long query texts the same whether their start is read again, stood in for or parsed with its batch', async () => {
    const start = (executionId: number, query: string, plan = 'p'): string =>
      `{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":${executionId},` +
      `"description":"${query}","details":"d","physicalPlanDescription":"${plan}",` +
      '"sparkPlanInfo":{"nodeName":"X","simpleString":"X","children":[],"metrics":[]},"time":1}';
    const longText = (tag: string): string => `${tag} \\"q\\" \\n \\u00e9 é 😀 ,\\"description\\":\\"x\\" ${'s'.repeat(300_000)}`;
    const starts = [
      start(1, longText('escapes and a key in the text')),
      start(2, longText('beside a long plan'), longText('the plan')),
      start(3, longText('its plan replaced')),
      JSON.stringify({ Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate', executionId: 3,
        physicalPlanDescription: 'shown', sparkPlanInfo: { nodeName: 'X', simpleString: 'X', children: [], metrics: [] } }),
      start(4, 'short'),
      // Written in another order: the text after the plan, and no text at all.
      '{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":5,"physicalPlanDescription":"p",' +
        `"description":"${longText('after the plan')}","time":1}`,
      '{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart","executionId":6,"physicalPlanDescription":"p","time":1}',
    ];
    const log = join(scratch, 'query-texts.json');
    writeFileSync(log, `${[lines[0], ...starts].join('\n')}\n`);
    await db.database.withConnection(async (connection) => {
      const kept = await staged(connection, [{ path: log, compression: 'none' }], deferringNone);
      expect(kept.filter((row) => row.includes('escapes and a key in the text'))).toHaveLength(1);
      for (const options of [deferringAll, standingInAll(scratch)]) {
        expect(await staged(connection, [{ path: log, compression: 'none' }], options)).toEqual(kept);
        // Each of the four long texts is kept apart, however its line was read.
        const [apart] = (await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM ${STAGED_EVENTS} WHERE descriptionText IS NOT NULL AND description IS NULL`,
        )).getRowObjectsJS();
        expect(apart!.n).toBe(4);
      }
    });
  });

  it('are split from a copy holding stand-ins when lines too long for the fast split add up, with the same events', async () => {
    const [first, ...rest] = logOfTasks('app-stand-ins', 30);
    const long = (execution: number, version: number): string => padded(update(execution, version), 2_300_000);
    // A long event of another kind stays in the copy: the copy's split still needs long lines.
    const longOther = JSON.stringify({ Event: 'com.example.SparkListenerLongEvent', payload: 'd'.repeat(2_300_000) });
    // Long SQL starts are stood in for too: one whose description a later update replaces, one whose is shown.
    const longStart = (executionId: number): string => JSON.stringify({ Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId,
      description: 'd', details: '', physicalPlanDescription: `start of ${executionId} ${'p'.repeat(2_300_000)}`,
      sparkPlanInfo: { nodeName: 'X', simpleString: 'X', children: [], metrics: [] }, time: 1 });
    const middle = rest.length >> 1;
    const variants: Array<[string, string[]]> = [
      ['plan updates only', [first!, long(1, 1), update(2, 1), long(1, 2), ...rest.slice(0, middle), long(2, 2), long(1, 3), ...rest.slice(middle)]],
      ['and a long event of another kind', [first!, long(1, 1), longOther, long(1, 2), ...rest.slice(0, middle), long(2, 2), long(1, 3), ...rest.slice(middle)]],
      ['and long SQL starts', [first!, longStart(1), long(1, 1), longStart(4), ...rest.slice(0, middle), long(2, 2), long(1, 3), ...rest.slice(middle)]],
    ];
    for (const [name, lines] of variants) {
      const log = join(scratch, 'stand-ins.json');
      writeFileSync(log, `${lines.join('\n')}\n`);
      const plain: StagingPlan = { parts: [{ path: log, compression: 'none' }], longLines: true };
      const scratchDir = mkdtempSync(join(scratch, 'stand-ins-'));
      await db.database.withConnection(async (connection) => {
        const stagedRows = (): Promise<string[]> => stagedEventsAsJson(connection);
        await stageEvents(connection, plain, deferringNone);
        const kept = await stagedRows();
        expect(kept.filter((row) => row.includes('SQLAdaptiveExecutionUpdate')), name).toHaveLength(name === 'plan updates only' ? 5 : name === 'and long SQL starts' ? 3 : 4);
        const copied = await stageEvents(connection, plain, { supersededPlanTree: reshape, scratchDir, standInCopyBytes: 4_000_000 });
        // The copy with stand-ins is what the task read reads too; it holds no long SQL event, only the other one.
        expect(copied.parts[0]!.taskPieces?.length, name).toBeGreaterThan(0);
        const longestInCopy = Math.max(...copied.parts[0]!.taskPieces!.flatMap((piece) => readFileSync(piece.path, 'utf8').split('\n').map((line) => line.length)));
        expect(longestInCopy, name).toBe(name === 'and a long event of another kind' ? longOther.length : Math.max(...lines.filter((line) => line.length < 2_000_000).map((line) => line.length)));
        expect(await stagedRows(), name).toEqual(kept);
        const tasks = async (read: StagingPlan): Promise<unknown[]> =>
          (await connection.runAndReadAll(
            `SELECT to_json(t)::VARCHAR AS row FROM (${taskEventsSql(read, 'SparkListenerTaskEnd')}) t ORDER BY part, "Task Info"."Task ID"`,
          )).getRowObjectsJS().map((row) => row.row);
        expect(await tasks(copied), name).toEqual(await tasks(plain));
        expect(await tasks(await numberedPlan(copied)), name).toEqual(await tasks(await numberedPlan(plain)));
        // Below the threshold the long lines are split from the log itself.
        const uncopied = await stageEvents(connection, plain, { supersededPlanTree: reshape, scratchDir, standInCopyBytes: 20_000_000 });
        expect(uncopied.parts[0]!.taskPieces, name).toBeUndefined();
      });
    }
  });

  it('give the task read a copy without them where they are most of a file, with the same task events on the same lines', async () => {
    const [first, ...rest] = logOfTasks('app-stubbed', 40);
    const big = (execution: number, version: number): string => padded(update(execution, version), 1_500_000);
    // Twelve updates of 1.5 MB between the task events, and one blank line: more than the task read buffers, and most
    // of the log's bytes.
    const middle = rest.length >> 1;
    const updates = (from: number): string[] => Array.from({ length: 6 }, (_, i) => big(1 + (i % 2), from + i));
    const text = [first, ...updates(1), ...rest.slice(0, middle), '', ...updates(7), ...rest.slice(middle)].join('\n');
    const log = join(scratch, 'stubbed.json');
    writeFileSync(log, text);
    const scratchDir = mkdtempSync(join(scratch, 'copies-'));
    await db.database.withConnection(async (connection) => {
      const plain: StagingPlan = { parts: [{ path: log, compression: 'none' }] };
      const plan = await stageEvents(connection, plain, { supersededPlanTree: reshape, scratchDir });
      expect(plan.parts[0]!.taskPieces?.length).toBeGreaterThan(0);
      const tasks = async (read: StagingPlan): Promise<unknown[]> =>
        (await connection.runAndReadAll(
          `SELECT to_json(t)::VARCHAR AS row FROM (${taskEventsSql(read, 'SparkListenerTaskEnd')}) t ORDER BY part, "Task Info"."Task ID"`,
        )).getRowObjectsJS().map((row) => row.row);
      const fromLog = await tasks(plain);
      expect(fromLog).toHaveLength(40);
      expect(await tasks(plan)).toEqual(fromLog);
      // Numbered, as warnings read them: every task event on its line in the log.
      expect(await tasks(await numberedPlan(plan))).toEqual(await tasks(await numberedPlan(plain)));
      // A compressed log's copy is decoded.
      const gzipped = join(scratch, 'stubbed.json.gz');
      writeFileSync(gzipped, gzipSync(text));
      const compressed: StagingPlan = { parts: [{ path: gzipped, compression: 'gzip' }] };
      const fromCopy = await stageEvents(connection, compressed, { supersededPlanTree: reshape, scratchDir });
      expect(fromCopy.parts[0]!.taskPieces?.length).toBeGreaterThan(0);
      expect(await tasks(fromCopy)).toEqual(fromLog);
      expect(await tasks(await numberedPlan(fromCopy))).toEqual(await tasks(await numberedPlan(compressed)));
      // A copy that cannot be written (here, its directory is a file) leaves the task read to the log itself.
      const notADirectory = join(scratch, 'not-a-directory');
      writeFileSync(notADirectory, '');
      const uncopied = await stageEvents(connection, plain, { supersededPlanTree: reshape, scratchDir: notADirectory });
      expect(uncopied.parts[0]!.taskPieces).toBeUndefined();
      expect(await tasks(uncopied)).toEqual(fromLog);
    });
  });
});
