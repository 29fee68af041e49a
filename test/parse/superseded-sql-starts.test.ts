import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import { stageEvents, STAGED_EVENTS, type StagingOptions } from '../../src/parse/stage-events.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { descriptionSql, stagedEventsAsJson } from '../helpers/plan-texts.js';

const reshape = (tree: unknown): unknown => shuffleSkeleton(tree as PlanNode);
const tree = { nodeName: 'AdaptiveSparkPlan', simpleString: 'AdaptiveSparkPlan isFinalPlan=false', children: [], metrics: [] };
const start = (execution: number, description: string): string =>
  JSON.stringify({
    Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart',
    executionId: execution,
    description: `query ${execution}`,
    details: 'at <console>:23',
    physicalPlanDescription: description,
    sparkPlanInfo: tree,
    time: 1_700_000_000_000 + execution,
    modifiedConfigs: {},
  });
const update = (execution: number, description: string): string =>
  JSON.stringify({
    Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate',
    executionId: execution,
    physicalPlanDescription: description,
    sparkPlanInfo: { ...tree, simpleString: 'AdaptiveSparkPlan isFinalPlan=true' },
  });

describe("a SQL execution's start whose plan description a later update replaces", () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-sql-starts-'));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is staged without its description (never shown), its tree and every other field kept; a start no update follows keeps it', async () => {
    const big = 'p'.repeat(300_000);
    const log = join(dir, 'starts.json');
    writeFileSync(
      log,
      [
        '{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}',
        start(1, `initial ${big}`),
        update(1, 'final plan of 1'),
        start(2, `only ${big}`),
        // An update that carries no description replaces nothing.
        JSON.stringify({ Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate', executionId: 2, sparkPlanInfo: tree }),
        start(3, 'plan of 3'),
        update(3, 'final plan of 3'),
        '',
      ].join('\n'),
    );
    for (const options of [
      { supersededPlanTree: reshape },
      { supersededPlanTree: reshape, deferredPlanUpdateBytes: 0 },
      { supersededPlanTree: reshape, deferredPlanUpdateBytes: Number.MAX_SAFE_INTEGER },
    ] satisfies StagingOptions[]) {
      await db.database.withConnection(async (connection) => {
        await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] }, options);
        const starts = (
          await connection.runAndReadAll(
            `SELECT executionId, description, ${descriptionSql('e')} AS physicalPlanDescription, sparkPlanInfo::VARCHAR AS tree, time
             FROM ${STAGED_EVENTS} e WHERE kind = 'SparkListenerSQLExecutionStart' ORDER BY seq`,
          )
        ).getRowObjectsJS();
        expect(starts.map((row) => [Number(row.executionId), row.description, (row.physicalPlanDescription as string | null)?.slice(0, 8) ?? null])).toEqual([
          [1, 'query 1', null],
          [2, 'query 2', 'only ppp'],
          [3, 'query 3', null],
        ]);
        expect(starts.every((row) => String(row.tree).includes('isFinalPlan=false') && Number(row.time) > 0)).toBe(true);
      });
    }
  });

  it('are left out of the line split when long and read again, staging exactly what the split keeping them stages', async () => {
    const big = (tag: string): string => `${tag} ${'q'.repeat(300_000)} \\ \" é 😀 ,"physicalPlanDescription":"fake`;
    const odd = (text: string): string => text;
    const cases: Array<[string, string[]]> = [
      ['a start an update replaces, one none does, interleaved', [start(1, big('one')), start(2, big('two')), update(1, 'final of 1'), start(3, big('three'))]],
      ['a start with a description that never ends', [odd(start(1, big('x')).replace(/","sparkPlanInfo".*$/, ''))]],
      ['a start with an execution id JSON refuses', [start(1, big('z')).replace('"executionId":1,', '"executionId":01,'), update(1, 'u')]],
      ['a start written with its description first', [JSON.stringify({ Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', physicalPlanDescription: big('first'), executionId: 4, time: 5 }), update(4, 'later')]],
    ];
    for (const [name, lines] of cases) {
      const log = join(dir, 'deferred-starts.json');
      writeFileSync(log, `${['{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}', ...lines].join('\n')}\n`);
      const staged = async (options: StagingOptions): Promise<string[]> =>
        db.database.withConnection(async (connection) => {
          try {
            await stageEvents(connection, { parts: [{ path: log, compression: 'none' }] }, options);
          } catch (error) {
            return [`error: ${(error as Error).constructor.name}`];
          }
          return stagedEventsAsJson(connection);
        });
      const kept = await staged({ supersededPlanTree: reshape, deferredPlanUpdateBytes: Number.MAX_SAFE_INTEGER });
      expect(await staged({ supersededPlanTree: reshape, deferredPlanUpdateBytes: 1_000 }), name).toEqual(kept);
    }
  });
});
