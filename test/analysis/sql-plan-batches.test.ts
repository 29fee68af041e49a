import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, type DetectorContext } from '../../src/analysis/detector.js';
import { forEachSqlPlanBatch, planNodes, SQL_PLAN_BATCH, stagesReporting, type SqlPlan } from '../../src/analysis/sql-plans.js';
import { QUOTED_DESCRIPTION_CHARS } from '../../src/store/sql-plan-store.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** The plan readers hold a batch of parsed plans at a time; together the batches are every plan, once, in order. */

// A real application of nine SQL executions (UDFs over a DataFrame).
const log = eventLogPath('vendors-and-workloads', 'workloads', 'udf_func_eventlog');
let db: TempDatabase;
let appKey: string;

beforeAll(async () => {
  db = await openTempDatabase();
  const report = await ingestPaths(db.database, [log]);
  expect(report.failures).toEqual([]);
  appKey = report.applications[0]!.appKey;
}, 60_000);
afterAll(() => db?.dispose());

async function batchesOf(size: number): Promise<SqlPlan[][]> {
  return db.database.withConnection(async (connection) => {
    const { query }: DetectorContext = await createDetectorContext(connection, appKey);
    const batches: SqlPlan[][] = [];
    await forEachSqlPlanBatch(query, async (plans) => void batches.push([...plans]), size);
    return batches;
  });
}

describe('forEachSqlPlanBatch', () => {
  it('hands every final plan once, in execution order, never more than a batch at a time', async () => {
    const [whole] = await batchesOf(1_000);
    expect(whole!.length).toBeGreaterThanOrEqual(5);
    expect(whole!.every((sql) => planNodes(sql.plan).length > 0)).toBe(true);
    const ids = whole!.map((sql) => sql.executionId);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));

    const inTwos = await batchesOf(2);
    expect(inTwos.length).toBe(Math.ceil(whole!.length / 2));
    expect(inTwos.every((batch) => batch.length <= 2)).toBe(true);
    expect(inTwos.flat()).toEqual(whole);
  });

  it('hands the next reader of one detection the plans the first one parsed, not read again', async () => {
    await db.database.withConnection(async (connection) => {
      const { query }: DetectorContext = await createDetectorContext(connection, appKey);
      const readBy = async (size: number): Promise<SqlPlan[]> => {
        const plans: SqlPlan[] = [];
        await forEachSqlPlanBatch(query, async (batch) => void plans.push(...batch), size);
        return plans;
      };
      const first = await readBy(SQL_PLAN_BATCH);
      const second = await readBy(SQL_PLAN_BATCH);
      expect(first.length).toBeGreaterThanOrEqual(5);
      // The very same parsed plans: the detectors reading every plan parse them once.
      expect(second.every((plan, i) => plan === first[i])).toBe(true);
      expect(second).toHaveLength(first.length);
      // Another batch size is a reader of its own (the tests above), which reads them afresh.
      const inTwos = await readBy(2);
      expect(inTwos).toEqual(first);
      expect(inTwos.some((plan, i) => plan !== first[i])).toBe(true);
    });
  });

  it("names each query by at most the first 200 characters of its description, however long the text Spark logged", async () => {
    const [whole] = await batchesOf(1_000);
    const [long, short] = whole!;
    // Query texts as notebooks and BI tools log them, megabytes long; and one short enough to quote whole.
    const text = `SELECT ${'a, '.repeat(400_000)}b FROM t`;
    await db.database.query(`UPDATE sql_executions SET description = CASE executionId WHEN $long THEN $text ELSE 'count at q.py:1' END
      WHERE appKey = $appKey AND executionId IN ($long, $short)`, { appKey, long: long!.executionId, short: short!.executionId, text });
    const [cut, kept] = (await batchesOf(1_000))[0]!;
    expect(cut!.description).toBe(`${text.slice(0, QUOTED_DESCRIPTION_CHARS - 1)}…`);
    expect(kept!.description).toBe('count at q.py:1');
    expect(QUOTED_DESCRIPTION_CHARS).toBe(200);
  });
});

describe('stagesReporting', () => {
  it('names, for each SQL metric asked about, every stage attempt whose completion reported it, in stage order', async () => {
    // A retried stage: its second attempt reports the first one's SQL metrics again.
    await db.database.query(
      `INSERT INTO stages SELECT * REPLACE (attemptId + 1 AS attemptId) FROM stages WHERE appKey = $appKey
         AND stageId = (SELECT min(stageId) FROM stages WHERE appKey = $appKey AND len(list_filter(accumulables, a -> a.metadata = 'sql')) > 0)`,
      { appKey },
    );
    // What the stages table says, read here with SQL of the test's own.
    const reported = (await db.database.query(
      `SELECT a.id::DOUBLE AS id, stageId::DOUBLE AS stageId, attemptId::DOUBLE AS attemptId
       FROM (SELECT stageId, attemptId, unnest(accumulables) AS a FROM stages WHERE appKey = $appKey)
       WHERE a.metadata = 'sql' GROUP BY ALL ORDER BY stageId, attemptId`,
      { appKey },
    )) as Array<{ id: number; stageId: number; attemptId: number }>;
    const internal = (await db.database.query(
      `SELECT DISTINCT a.id::DOUBLE AS id FROM (SELECT unnest(accumulables) AS a FROM stages WHERE appKey = $appKey)
       WHERE a.metadata IS DISTINCT FROM 'sql' LIMIT 3`,
      { appKey },
    )) as Array<{ id: number }>;
    const expected = new Map<number, Array<{ stageId: number; attemptId: number }>>();
    for (const { id, stageId, attemptId } of reported) expected.set(id, [...(expected.get(id) ?? []), { stageId, attemptId }]);
    // Some metrics reported by several stage attempts, so the order within one metric is tested too.
    expect([...expected.values()].some((stages) => stages.length > 1)).toBe(true);
    expect(internal.length).toBeGreaterThan(0);
    const asked = [...expected.keys()];
    const never = Math.max(...asked) + 1_000_000;
    await db.database.withConnection(async (connection) => {
      const { query }: DetectorContext = await createDetectorContext(connection, appKey);
      // Asked in two batches, as the detectors ask for each plan batch, with repeats, internal metrics and an id never seen.
      const half = Math.ceil(asked.length / 2);
      const first = await stagesReporting(query, [...asked.slice(0, half), asked[0]!, ...internal.map((row) => row.id), never]);
      const second = await stagesReporting(query, asked.slice(half));
      expect(new Map([...first, ...second])).toEqual(expected);
      expect(first.has(never)).toBe(false);
      for (const { id } of internal) if (!expected.has(id)) expect(first.has(id)).toBe(false);
      expect(await stagesReporting(query, [])).toEqual(new Map());
    });
  });
});
