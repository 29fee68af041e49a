import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { taskSummaries } from '../../src/store/task-summary.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/** History Server's REST default quantiles, answered from what the ingest stored. */
const stored = [0.05, 0.25, 0.5, 0.75, 0.95];

describe('task quantiles', () => {
  let temp: TempDatabase;
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-quantiles-'));
  beforeAll(async () => {
    temp = await openTempDatabase();
  });
  afterAll(() => {
    temp.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it("read the value at index min(floor(q * n), n - 1) of the sorted values, as Spark does, where q * n is whole", async () => {
    // Run times 100, 200, ..., 2000 ms in shuffled order: n = 20, so every default quantile falls on a whole index.
    const order = [7, 19, 3, 0, 12, 5, 16, 1, 9, 14, 18, 2, 11, 6, 17, 4, 13, 8, 15, 10];
    const log = join(dir, 'twenty.json');
    writeFileSync(
      log,
      buildEventLog({
        appId: 'app-quantiles',
        jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: order.map((i) => ({ durationMs: 2_000 + i, runTimeMs: (i + 1) * 100 })) }] }],
      }),
    );
    await ingestPaths(temp.database, [log]);
    const [summary] = await taskSummaries(temp.database, [{ appKey: 'app-quantiles', stageId: 0, attemptId: 0 }], [0, ...stored, 1]);
    // Index floor(q * 20): 0, 1, 5, 10, 15, 19, and 19 for q = 1.
    expect(summary!.executorRunTime).toEqual([100, 200, 600, 1100, 1600, 2000, 2000]);
  });

  it('answer the same from what the ingest stored as computed on the fly, for every stage of the shared logs', async () => {
    const folders = [['apache-spark'], ['spark4'], ...['clusters', 'platforms', 'workloads'].map((f) => ['vendors-and-workloads', f])];
    let compared = 0;
    for (const folder of folders) {
      const report = await ingestPaths(temp.database, [eventLogPath(...folder)]);
      for (const app of report.applications) {
        const stages = (await temp.database.query(
          `SELECT stageId::INTEGER AS stageId, attemptId::INTEGER AS attemptId FROM stages WHERE appKey = $appKey ORDER BY ALL`,
          { appKey: app.appKey },
        )) as Array<{ stageId: number; attemptId: number }>;
        const keys = stages.map((stage) => ({ appKey: app.appKey, ...stage }));
        const precomputed = await taskSummaries(temp.database, keys, stored);
        // 0.3 is not stored: the whole list is computed from the tasks.
        const onTheFly = await taskSummaries(temp.database, keys, [...stored, 0.3]);
        precomputed.forEach((summary, i) => {
          const computed = onTheFly[i];
          expect(computed === null, `${app.appKey} stage ${keys[i]!.stageId}`).toBe(summary === null);
          if (summary === null || computed === null) return;
          const leaves = (value: unknown, path: string): Array<[string, number[]]> =>
            Array.isArray(value)
              ? [[path, value as number[]]]
              : Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) => leaves(inner, `${path}.${key}`));
          const expected = new Map(leaves(summary, ''));
          for (const [path, values] of leaves(computed, '')) {
            if (path === '.quantiles') continue;
            // The on-the-fly list is sorted by quantile: 0.3 sits between 0.25 and 0.5.
            expect(values.filter((_, k) => k !== 2), `${app.appKey} stage ${keys[i]!.stageId} ${path}`).toEqual(expected.get(path));
          }
          compared += 1;
        });
      }
    }
    expect(compared).toBeGreaterThan(200);
  }, 300_000);
});
