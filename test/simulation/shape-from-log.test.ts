import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { compareWithRun, shapeFromLog, type ShapeComparison } from '../../src/simulation/shape/shape-from-log.js';
import { simulateShape } from '../../src/simulation/shape/shape-simulator.js';
import { sqlPlansByApp } from '../../src/store/sql-plan-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/**
 * The playground against real runs: every SQL execution with a plan in the shared logs (spark4/, apache-spark/,
 * bench/, formats/, vendors-and-workloads/) becomes a shape, and the playground's prediction is lined up with what
 * Spark did. SHAPE_TABLE=path writes the table the README prints.
 */
describe('shapeFromLog on the shared logs', () => {
  let db: TempDatabase;
  const rows: Array<ShapeComparison & { app: string }> = [];
  const failures: string[] = [];
  beforeAll(async () => {
    db = await openTempDatabase();
    const report = await ingestPaths(db.database, ['spark4', 'apache-spark', 'bench', 'formats', 'vendors-and-workloads/workloads', 'vendors-and-workloads/clusters'].map((folder) => eventLogPath(folder)));
    for (const app of report.applications) {
      const [plans] = await sqlPlansByApp(db.database, [app.appKey]);
      for (const record of plans ?? []) {
        if (!record.plan || record.stageIds.length === 0) continue;
        try {
          const logged = await shapeFromLog(db.database, app.appKey, Number(record.executionId));
          rows.push({ ...compareWithRun(logged), app: app.appId });
        } catch (error) {
          failures.push(`${app.appKey} ${record.executionId}: ${(error as Error).message}`);
        }
      }
    }
    if (process.env.SHAPE_TABLE) writeFileSync(process.env.SHAPE_TABLE, JSON.stringify({ rows, failures }, null, 1));
  }, 300_000);
  afterAll(() => db.dispose());

  it('derives a shape from nearly every execution that ran stages, and says why for the rest', () => {
    expect(rows.length).toBeGreaterThanOrEqual(20);
    expect(failures.length).toBeLessThanOrEqual(rows.length / 10);
    for (const failure of failures) expect(failure).toMatch(/cannot be turned into a shape|logged no physical plan/);
  });

  it('predicts the join strategy Spark chose for most joins', () => {
    const pairs = rows.flatMap((row) => row.joins.actual.map((actual, index) => ({ actual, predicted: row.joins.predicted[index] })));
    const agree = pairs.filter((pair) => pair.actual === pair.predicted).length;
    expect(pairs.length).toBeGreaterThan(0);
    expect(agree / pairs.length).toBeGreaterThanOrEqual(Number(process.env.JOIN_AGREEMENT ?? 0));
  });

  it('never predicts an impossible number for a logged shape', () => {
    for (const row of rows) {
      for (const tasks of row.tasks.predicted) expect(tasks, `${row.appKey} ${row.sqlExecutionId}`).toBeGreaterThanOrEqual(1);
      expect(row.stages.predicted).toBeGreaterThanOrEqual(1);
    }
  });
});
