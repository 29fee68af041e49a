import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { shuffleSkeleton, type PlanNode } from '../../src/analysis/detectors/shuffle-boundary.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { sqlExecutionsByApp } from '../../src/store/sql-store.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { descriptionSql } from '../helpers/plan-texts.js';

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

describe('SQL plan descriptions of hundreds of KB', () => {
  /** A description of about `bytes` holding what a reader of the raw line could mistake: the tree's key, escapes, multi-byte text. */
  const description = (label: string, bytes: number): string =>
    `${label} "","sparkPlanInfo":{} → café \\ ${'Exchange hashpartitioning(k#1, 200)\n'.repeat(Math.ceil(bytes / 36))} ends with a backslash \\`;
  const update = (executionId: number, version: number, text: string): string =>
    JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLAdaptiveExecutionUpdate', executionId,
      physicalPlanDescription: text, sparkPlanInfo: planTree(version, 3),
    });
  const start = (executionId: number): string =>
    JSON.stringify({
      Event: 'org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart', executionId, description: 'd', details: '',
      physicalPlanDescription: 'p', sparkPlanInfo: planTree(0, 3), time: 1_700_000_000_001, modifiedConfigs: {},
    });

  async function ingestWith(middle: string[]): Promise<{ db: TempDatabase; dir: string; warnings: Array<{ line: number | null }> }> {
    const [first, ...rest] = buildEventLog({
      appId: 'app-described',
      jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }],
    }).split('\n');
    const dir = mkdtempSync(join(tmpdir(), 'spark-sword-descriptions-'));
    const db = await openTempDatabase();
    const log = join(dir, 'app-described.json');
    writeFileSync(log, [first, ...middle, ...rest].join('\n'));
    const report = await ingestPaths(db.database, [log]);
    expect(report.failures).toEqual([]);
    return { db, dir, warnings: report.applications[0]!.warnings };
  }

  it("keeps each execution's last description exactly, interleaved, repeated word for word, and none of the earlier ones", async () => {
    const texts = new Map([7, 8].flatMap((execution) => [1, 2, 3].map((version) => [`${execution}/${version}`, description(`e${execution} v${version}`, 300_000)])));
    const text = (execution: number, version: number): string => texts.get(`${execution}/${version}`)!;
    // Execution 8's last version is logged twice: the first copy is superseded by the identical second.
    const { db, dir } = await ingestWith([
      start(7), start(8),
      update(7, 1, text(7, 1)), update(8, 1, text(8, 1)), update(7, 2, text(7, 2)),
      update(8, 3, text(8, 3)), update(7, 3, text(7, 3)), update(8, 3, text(8, 3)),
    ]);
    try {
      const stored = await db.database.query(
        `SELECT executionId::INTEGER AS e, ${descriptionSql('u')} AS d, sparkPlanInfo->>'simpleString' AS s
         FROM sql_plan_updates u WHERE appKey = 'app-described' ORDER BY seq`,
      );
      expect(stored.map((row) => [row.e, row.d])).toEqual([
        [7, null], [8, null], [7, null], [8, null], [7, text(7, 3)], [8, text(8, 3)],
      ]);
      expect(stored.map((row) => row.s)).toEqual([1, 1, 2, 3, 3, 3].map((v) => `AdaptiveSparkPlan isFinalPlan=${v === 4}`));
      const [executions] = await sqlExecutionsByApp(db.database, ['app-described']);
      expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual([text(7, 3), text(8, 3)]);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keeps no description of a start that a described update follows, and a start's own where none does", async () => {
    const described = (executionId: number, text: string): string => start(executionId).replace('"physicalPlanDescription":"p"', `"physicalPlanDescription":${JSON.stringify(text)}`);
    const [initial7, only8, final7] = [description('initial of 7', 300_000), description('only of 8', 300_000), description('final of 7', 1_000)];
    const { db, dir } = await ingestWith([described(7, initial7), described(8, only8), update(7, 1, final7)]);
    try {
      const stored = await db.database.query(
        `SELECT executionId::INTEGER AS e, ${descriptionSql('s')} AS d FROM sql_executions s WHERE appKey = 'app-described' ORDER BY e`,
      );
      expect(stored.map((row) => [row.e, row.d])).toEqual([[7, null], [8, only8]]);
      // Shown as History Server shows them: the last update's, else the start's.
      const [executions] = await sqlExecutionsByApp(db.database, ['app-described']);
      expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual([final7, only8]);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a superseded update whose long description is not valid JSON, as it names any broken line', async () => {
    const broken = update(7, 1, description('v1', 300_000)).replace('café', 'caf\\qé');
    const { db, dir, warnings } = await ingestWith([start(7), broken, update(7, 2, description('v2', 300_000))]);
    try {
      expect(warnings.map((warning) => warning.line)).toContain(3);
      const [executions] = await sqlExecutionsByApp(db.database, ['app-described']);
      expect(executions!.map((execution) => execution.physicalPlanDescription)).toEqual([description('v2', 300_000)]);
    } finally {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
