import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { BadInputError } from '../errors.js';
import { costOf } from '../fleet/cost.js';
import { resourceFacts } from '../store/cost-store.js';
import type { AnalysisDatabase } from '../store/database.js';
import {
  applicationsToExport,
  copyJsonLinesToParquet,
  copyQueryToParquet,
  exportJsonTableColumns,
  exportTableQueries,
} from '../store/export-store.js';
import { sqlPlansByApp, type SparkPlanInfo } from '../store/sql-plan-store.js';

/** Every table an export writes, one folder each. */
export const exportedTables = [...Object.keys(exportTableQueries), ...Object.keys(exportJsonTableColumns)] as const;

/** What one export did. */
export interface ExportReport {
  directory: string;
  /** Applications written now. */
  exported: string[];
  /** Applications whose files for their current ingest were already there. */
  unchanged: string[];
  filesWritten: number;
}

/** A partition folder name for an application: Hive style, the key percent-encoded (attempt keys hold a "/"). */
export function partitionName(appKey: string): string {
  return `app=${encodeURIComponent(appKey)}`;
}

/** The preorder-numbered nodes of a plan with their SQL metrics' final values. */
function planNodes(appKey: string, executionId: number, plan: SparkPlanInfo | null, values: Map<number, bigint>): object[] {
  if (!plan) return [];
  const rows: object[] = [];
  const visit = (node: SparkPlanInfo, parentNodeId: number | null, depth: number): void => {
    const nodeId = rows.length;
    rows.push({
      appKey,
      executionId,
      nodeId,
      parentNodeId,
      depth,
      nodeName: node.nodeName,
      simpleString: node.simpleString ?? null,
      metrics: (node.metrics ?? []).map((metric) => ({
        name: metric.name,
        metricType: metric.metricType,
        value: values.has(metric.accumulatorId) ? Number(values.get(metric.accumulatorId)) : null,
      })),
    });
    for (const child of node.children ?? []) visit(child, nodeId, depth + 1);
  };
  visit(plan, null, 0);
  return rows;
}

/**
 * Makes `root` (and its missing parents) unless it is a directory already; a file in its place, or a place no directory
 * can be made, is bad input. Each missing level is made on its own: Node's recursive mkdir never returns when the file
 * system refuses a child with ENOENT (/proc does).
 */
function makeExportDirectory(root: string): void {
  if (existsSync(root)) {
    if (!statSync(root).isDirectory()) throw new BadInputError(`${root} is not a directory: give --parquet a directory to export into`);
    return;
  }
  const missing: string[] = [];
  for (let level = root; !existsSync(level) && dirname(level) !== level; level = dirname(level)) missing.unshift(level);
  try {
    for (const level of missing) mkdirSync(level);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === undefined || code === 'ENOSPC') throw error;
    throw new BadInputError(`${root} cannot be created (${code}): give --parquet a directory that can be written`);
  }
}

/**
 * Writes every stored application (or those ingested at or after `since`) as Parquet under `directory`:
 * `<table>/app=<appKey>/part-<ingest time>.parquet`, one file per table and application. Existing files of
 * other applications are never touched, so exports from several workers can share a directory; an
 * application already exported for its current ingest is skipped; one that was re-ingested gets its new files
 * first, then its older ones are removed. Each file is written under a temporary name and renamed into place,
 * so a reader never sees half a file.
 */
export async function exportParquet(db: AnalysisDatabase, directory: string, options: { since?: Date; onProgress?: (appKey: string, index: number, total: number) => void } = {}): Promise<ExportReport> {
  const root = resolve(directory);
  makeExportDirectory(root);
  // Only table folders belong here; a directory holding files is probably not an export.
  const stray = readdirSync(root, { withFileTypes: true }).find((entry) => !entry.isDirectory() && !entry.name.startsWith('.'));
  if (stray) throw new BadInputError(`${root} holds ${stray.name}: export into an empty directory or an earlier export's directory`);
  const scratch = mkdtempSync(join(tmpdir(), 'spark-sword-export-'));
  const report: ExportReport = { directory: root, exported: [], unchanged: [], filesWritten: 0 };
  try {
    const apps = await db.withConnection((connection) => applicationsToExport(connection, options.since), { readOnly: true });
    for (const [index, { appKey, ingestedAtMs }] of apps.entries()) {
      options.onProgress?.(appKey, index, apps.length);
      const fileName = `part-${ingestedAtMs}.parquet`;
      const done = exportedTables.every((table) => existsSync(join(root, table, partitionName(appKey), fileName)));
      if (done) {
        report.unchanged.push(appKey);
        continue;
      }
      const costs = (await resourceFacts(db, { appKeys: [appKey] })).map((facts) => {
        const { cost: _cost, wastedCost: _wasted, ...resources } = costOf(facts, { perCoreHour: null, perGbHour: null, source: '' });
        return resources;
      });
      const [plans = []] = await sqlPlansByApp(db, [appKey]);
      const nodes = plans.flatMap((plan) => planNodes(appKey, Number(plan.executionId), plan.plan, plan.metricValues));
      const jsonRows: Record<string, object[]> = { application_costs: costs, sql_plan_nodes: nodes };
      const written: Array<{ temp: string; final: string }> = [];
      try {
        await db.withConnection(async (connection) => {
        for (const table of exportedTables) {
          const folder = join(root, table, partitionName(appKey));
          mkdirSync(folder, { recursive: true });
          const temp = join(folder, `.${fileName}.${process.pid}.tmp`);
          written.push({ temp, final: join(folder, fileName) });
          const sql = exportTableQueries[table];
          if (sql !== undefined) {
            await copyQueryToParquet(connection, sql, appKey, temp);
          } else {
            const jsonFile = join(scratch, `${table}.jsonl`);
            writeFileSync(jsonFile, jsonRows[table]!.map((row) => JSON.stringify(row)).join('\n') + '\n');
            await copyJsonLinesToParquet(connection, jsonFile, exportJsonTableColumns[table]!, temp);
          }
        }
        });
      } catch (error) {
        // Nothing half-written stays behind: the application's earlier files, if any, are untouched.
        for (const { temp } of written) rmSync(temp, { force: true });
        throw error;
      }
      for (const { temp, final } of written) renameSync(temp, final);
      // A re-ingested application: its previous files go once the new ones are in place.
      for (const { final } of written) {
        const folder = resolve(final, '..');
        for (const entry of readdirSync(folder)) if (entry !== fileName && entry.endsWith('.parquet')) rmSync(join(folder, entry));
      }
      report.exported.push(appKey);
      report.filesWritten += written.length;
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return report;
}
