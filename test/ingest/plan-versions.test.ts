import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/** A re-plan's tree: a join over an exchange, beside `scans` scans with many metrics (what makes real trees megabytes). */
function planTree(version: number, scans = 30): PlanNode {
  const scan = (i: number): PlanNode => ({
    nodeName: 'PhotonScan parquet',
    simpleString: `PhotonScan parquet table_${i}`,
    metrics: Array.from({ length: 20 }, (_, k) => ({ name: `number of files read ${k}`, accumulatorId: 10_000 * version + 100 * i + k })),
  });
  return {
    nodeName: 'AdaptiveSparkPlan',
    simpleString: `AdaptiveSparkPlan isFinalPlan=${version === 4}`,
    children: [{
      nodeName: 'SortMergeJoin',
      simpleString: 'SortMergeJoin [k#1], [k#2], Inner',
      children: [
        {
          nodeName: 'Exchange',
          simpleString: 'Exchange hashpartitioning(k#1, 200), ENSURE_REQUIREMENTS, [plan_id=1]',
          metrics: [{ name: 'shuffle bytes written', accumulatorId: 500 + version }, { name: 'remote bytes read', accumulatorId: 600 + version }],
          children: [scan(0)],
        },
        ...Array.from({ length: scans }, (_, i) => scan(i + 1)),
      ],
    }],
  };
}

describe('the SQL plan versions an ingest keeps', () => {
  // Updates of ~3 MB: the superseded ones (~12 MB) are rewritten as their skeletons before the log is parsed.
  it.each([
    ['of a few KB', 30],
    ['of ~350 KB', 300],
    ['of ~3 MB', 2_500],
  ])("keeps an execution's last plan tree whole, its earlier ones as their shuffle skeletons, and its first whole: updates %s", async (_size, scans) => {
    const [first, ...rest] = buildEventLog({
      appId: 'app-replans',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }],
    }).split('\n');
    const start = JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId: 7, description: 'd', details: '',
      physicalPlanDescription: 'p', sparkPlanInfo: planTree(0, scans), time: 1_700_000_000_001, modifiedConfigs: {},
    });
    const update = (version: number): string => JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate', executionId: 7,
      physicalPlanDescription: `plan ${version}`, sparkPlanInfo: planTree(version, scans),
    });
    // Version 2 is logged twice, word for word.
    const updates = [1, 2, 2, 3, 4].map(update);
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-plans-'));
    const db = await openTempDatabase();
    try {
      const log = join(dir, 'app-replans.json');
      writeFileSync(log, [first, start, ...updates, ...rest].join('\n'));
      await expectStoredVersions(db, log, scans);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Ingests `log` and checks the plan trees and descriptions stored for its execution 7. */
async function expectStoredVersions(db: TempDatabase, log: string, scans: number): Promise<void> {
  const report = await ingestPaths(db.database, [log]);
  expect(report.failures).toEqual([]);
  const stored = await db.database.query(
    `SELECT sparkPlanInfo::VARCHAR AS tree, physicalPlanDescription AS description FROM sql_plan_updates WHERE appKey = 'app-replans' ORDER BY seq`,
  );
  expect(stored.map((row) => JSON.parse(String(row.tree)) as PlanNode)).toEqual([
    shuffleSkeleton(planTree(1, scans)),
    shuffleSkeleton(planTree(2, scans)),
    shuffleSkeleton(planTree(2, scans)),
    shuffleSkeleton(planTree(3, scans)),
    planTree(4, scans),
  ]);
  expect(stored.map((row) => row.description)).toEqual([null, null, null, null, 'plan 4']);
  const [execution] = await db.database.query(`SELECT sparkPlanInfo::VARCHAR AS tree FROM sql_executions WHERE appKey = 'app-replans'`);
  expect(JSON.parse(String(execution!.tree))).toEqual(planTree(0, scans));
}
