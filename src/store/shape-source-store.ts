import { listValue } from '@duckdb/node-api';
import type { AnalysisDatabase } from './database.js';

/** The executors an application ran its tasks on: how many and their cores (the driver alone in local mode). */
export interface ExecutorFootprint {
  executors: number;
  coresPerExecutor: number;
}

/** One stage of a SQL execution as it ran: its last attempt's task count and status. */
export interface ExecutedStage {
  stageId: number;
  tasks: number;
  status: string;
}

/** How many executors (not the driver, unless it is the only one: local mode) ran the application, and their most cores. */
export async function executorFootprint(db: AnalysisDatabase, appKey: string): Promise<ExecutorFootprint> {
  const [row] = await db.query(
    `SELECT count(*) FILTER (WHERE executorId <> 'driver')::INTEGER AS executors,
            coalesce(max(totalCores) FILTER (WHERE executorId <> 'driver'), 0)::INTEGER AS cores,
            coalesce(max(totalCores) FILTER (WHERE executorId = 'driver'), 0)::INTEGER AS driverCores
     FROM executors WHERE appKey = $appKey`,
    { appKey },
  );
  const executors = Number(row?.executors ?? 0);
  if (executors > 0) return { executors, coresPerExecutor: Math.max(1, Number(row?.cores ?? 1)) };
  return { executors: 1, coresPerExecutor: Math.max(1, Number(row?.driverCores ?? 1)) };
}

/** The stages of the given ids that ran (a stage a later job skipped is left out), each by its last attempt. */
export async function executedStages(db: AnalysisDatabase, appKey: string, stageIds: readonly bigint[]): Promise<ExecutedStage[]> {
  if (stageIds.length === 0) return [];
  const rows = await db.query(
    `SELECT stageId::INTEGER AS stageId, arg_max(numTasks, attemptId)::INTEGER AS tasks, arg_max(status, attemptId) AS status
     FROM stages WHERE appKey = $appKey AND stageId IN (SELECT unnest($ids::BIGINT[]))
     GROUP BY stageId HAVING arg_max(status, attemptId) <> 'SKIPPED' ORDER BY stageId`,
    { appKey, ids: listValue(stageIds.map((id) => BigInt(id))) },
  );
  return rows.map((row) => ({ stageId: Number(row.stageId), tasks: Number(row.tasks), status: String(row.status) }));
}
