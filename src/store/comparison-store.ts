import type { AnalysisDatabase } from './database.js';
import { queryTextsSql } from './plan-texts.js';

/**
 * What one run looks like to a comparison: its stages (all attempts of a stage id together), jobs, SQL
 * executions, Spark properties and executors, read per application (every query filters by appKey first).
 */

/** A stage id of one run with its attempts summed: the unit that is aligned between two runs. */
export interface RunStageRow {
  stageId: number;
  name: string | null;
  /** Spark's call-site details (stack), when logged. */
  details: string | null;
  parentIds: number[];
  /** RDD names and call sites of the stage's lineage, ids left out, sorted: the same code gives the same list. */
  lineage: string[];
  jobIds: number[];
  attempts: number;
  status: string;
  submissionTime: number | null;
  completionTime: number | null;
  tasks: number;
  failedTasks: number;
  killedTasks: number;
  /** Sum of task durations (launch to finish), failed and killed tasks included. */
  taskTimeMs: number;
  executorRunTimeMs: number;
  gcTimeMs: number;
  inputBytes: number;
  outputBytes: number;
  shuffleReadBytes: number;
  shuffleWriteBytes: number;
  memorySpillBytes: number;
  diskSpillBytes: number;
  /** Longest successful task ÷ median successful task of the last attempt (1 when even); null without tasks. */
  skewRatio: number | null;
  maxTaskMs: number | null;
  medianTaskMs: number | null;
}

/** A job of one run. */
export interface RunJobRow {
  jobId: number;
  name: string | null;
  description: string | null;
  stageIds: number[];
  status: string;
  submissionTime: number | null;
  completionTime: number | null;
  sqlExecutionId: number | null;
}

/** A SQL execution of one run, with its initial plan (the shape the optimizer chose before adaptive changes). */
export interface RunSqlRow {
  executionId: number;
  description: string | null;
  planJson: string | null;
  startTime: number | null;
  endTime: number | null;
  failed: boolean;
}

/** The executors of one run (the driver left out unless it ran the tasks, as in local mode). */
export interface RunExecutorsRow {
  executors: number;
  /** The most common core count. */
  coresPerExecutor: number | null;
  /** The largest storage memory an executor reported (bytes). */
  maxStorageMemory: number | null;
  localMode: boolean;
}

/** Everything a comparison reads about one run. */
export interface RunProfileRows {
  stages: RunStageRow[];
  jobs: RunJobRow[];
  sql: RunSqlRow[];
  sparkProperties: Map<string, string>;
  executors: RunExecutorsRow;
}

const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
const nums = (value: unknown): number[] => (Array.isArray(value) ? value.map(Number) : []);

/** Reads one application's comparison rows; `appKey` must exist. */
export async function loadRunProfileRows(db: AnalysisDatabase, appKey: string): Promise<RunProfileRows> {
  return db.withConnection(async (connection) => {
    const read = async (sql: string): Promise<Array<Record<string, unknown>>> =>
      (await connection.runAndReadAll(sql, { appKey })).getRowObjectsJS() as Array<Record<string, unknown>>;
    const stageRows = await read(`
      WITH t AS (
        SELECT stageId, stageAttemptId, finishTime - launchTime AS duration, executorRunTime, jvmGcTime, inputBytes,
          outputBytes, shuffleRemoteBytesRead + shuffleLocalBytesRead AS shuffleRead, shuffleWriteBytes,
          memoryBytesSpilled, diskBytesSpilled, status, endReason
        FROM tasks WHERE appNo = (SELECT appNo FROM application_numbers WHERE appKey = $appKey) AND appKey = $appKey AND status <> 'RUNNING'
      ), last_attempt AS (
        SELECT stageId, max(attemptId) AS attemptId FROM stages WHERE appKey = $appKey GROUP BY ALL
      ), spread AS (
        SELECT t.stageId, max(t.duration) AS maxTask, median(t.duration) AS medianTask
        FROM t JOIN last_attempt l ON l.stageId = t.stageId AND l.attemptId = t.stageAttemptId
        WHERE t.endReason = 'Success' GROUP BY ALL
      ), totals AS (
        SELECT stageId, count(*) AS tasks,
          count(*) FILTER (WHERE endReason NOT IN ('Success', 'TaskKilled', 'TaskCommitDenied')) AS failedTasks,
          count(*) FILTER (WHERE endReason IN ('TaskKilled', 'TaskCommitDenied')) AS killedTasks,
          coalesce(sum(duration), 0) AS taskTime, coalesce(sum(executorRunTime), 0) AS runTime,
          coalesce(sum(jvmGcTime), 0) AS gc, coalesce(sum(inputBytes), 0) AS input, coalesce(sum(outputBytes), 0) AS output,
          coalesce(sum(shuffleRead), 0) AS shuffleRead, coalesce(sum(shuffleWriteBytes), 0) AS shuffleWrite,
          coalesce(sum(memoryBytesSpilled), 0) AS memSpill, coalesce(sum(diskBytesSpilled), 0) AS diskSpill
        FROM t GROUP BY ALL
      ), stage_jobs AS (
        SELECT stageId, list(DISTINCT jobId ORDER BY jobId) AS jobIds FROM job_stages WHERE appKey = $appKey GROUP BY ALL
      ), s AS (
        SELECT stageId, count(*) AS attempts, arg_max(name, attemptId) AS name, arg_max(details, attemptId) AS details,
          arg_max(coalesce(parentIds, []), attemptId) AS parentIds, arg_max(status, attemptId) AS status,
          arg_max(rddInfo, attemptId)::VARCHAR AS rddInfo,
          min(submissionTime) AS submissionTime, max(completionTime) AS completionTime
        FROM stages WHERE appKey = $appKey GROUP BY ALL
      )
      SELECT s.*, coalesce(j.jobIds, []) AS jobIds, coalesce(x.tasks, 0) AS tasks, coalesce(x.failedTasks, 0) AS failedTasks,
        coalesce(x.killedTasks, 0) AS killedTasks, coalesce(x.taskTime, 0) AS taskTime, coalesce(x.runTime, 0) AS runTime,
        coalesce(x.gc, 0) AS gc, coalesce(x.input, 0) AS input, coalesce(x.output, 0) AS output,
        coalesce(x.shuffleRead, 0) AS shuffleRead, coalesce(x.shuffleWrite, 0) AS shuffleWrite,
        coalesce(x.memSpill, 0) AS memSpill, coalesce(x.diskSpill, 0) AS diskSpill,
        p.maxTask, p.medianTask::DOUBLE AS medianTask
      FROM s LEFT JOIN totals x USING (stageId) LEFT JOIN stage_jobs j USING (stageId) LEFT JOIN spread p USING (stageId)
      ORDER BY s.stageId`);
    const stages = stageRows.map((row): RunStageRow => {
      const maxTask = num(row.maxTask);
      const medianTask = num(row.medianTask);
      return {
        stageId: Number(row.stageId),
        name: (row.name as string | null) ?? null,
        details: (row.details as string | null) ?? null,
        parentIds: nums(row.parentIds),
        lineage: lineageOf(row.rddInfo as string | null),
        jobIds: nums(row.jobIds),
        attempts: Number(row.attempts),
        status: String(row.status),
        submissionTime: num(row.submissionTime),
        completionTime: num(row.completionTime),
        tasks: Number(row.tasks),
        failedTasks: Number(row.failedTasks),
        killedTasks: Number(row.killedTasks),
        taskTimeMs: Number(row.taskTime),
        executorRunTimeMs: Number(row.runTime),
        gcTimeMs: Number(row.gc),
        inputBytes: Number(row.input),
        outputBytes: Number(row.output),
        shuffleReadBytes: Number(row.shuffleRead),
        shuffleWriteBytes: Number(row.shuffleWrite),
        memorySpillBytes: Number(row.memSpill),
        diskSpillBytes: Number(row.diskSpill),
        maxTaskMs: maxTask,
        medianTaskMs: medianTask,
        skewRatio: maxTask === null || medianTask === null ? null : medianTask > 0 ? maxTask / medianTask : maxTask > 0 ? null : 1,
      };
    });
    const jobs = (await read(`
      SELECT jobId, name, description, coalesce(stageIds, []) AS stageIds, status, submissionTime, completionTime, sqlExecutionId
      FROM jobs WHERE appKey = $appKey ORDER BY jobId`)).map((row): RunJobRow => ({
      jobId: Number(row.jobId),
      name: (row.name as string | null) ?? null,
      description: (row.description as string | null) ?? null,
      stageIds: nums(row.stageIds),
      status: String(row.status),
      submissionTime: num(row.submissionTime),
      completionTime: num(row.completionTime),
      sqlExecutionId: num(row.sqlExecutionId),
    }));
    const sql = (await read(`
      SELECT executionId, q.description, sparkPlanInfo::VARCHAR AS plan, startTime, endTime,
        nullif(errorMessage, '') IS NOT NULL AS failed
      FROM sql_executions s JOIN (${queryTextsSql('appKey = $appKey')}) q USING (appKey, executionId)
      WHERE s.appKey = $appKey ORDER BY executionId`)).map((row): RunSqlRow => ({
      executionId: Number(row.executionId),
      description: (row.description as string | null) ?? null,
      planJson: (row.plan as string | null) ?? null,
      startTime: num(row.startTime),
      endTime: num(row.endTime),
      failed: Boolean(row.failed),
    }));
    const properties = await read(`SELECT key, value FROM environment WHERE appKey = $appKey AND section = 'sparkProperties'`);
    const [executorRow] = await read(`
      WITH e AS (SELECT executorId, totalCores, maxMemory FROM executors WHERE appKey = $appKey),
      workers AS (SELECT * FROM e WHERE executorId <> 'driver')
      SELECT (SELECT count(*) FROM workers) AS workers,
        (SELECT mode(totalCores) FROM workers) AS workerCores, (SELECT max(maxMemory) FROM workers) AS workerMemory,
        (SELECT max(totalCores) FROM e WHERE executorId = 'driver') AS driverCores,
        (SELECT max(maxMemory) FROM e WHERE executorId = 'driver') AS driverMemory`);
    const workers = Number(executorRow?.workers ?? 0);
    const localMode = workers === 0;
    return {
      stages,
      jobs,
      sql,
      sparkProperties: new Map(properties.map((row) => [String(row.key), String(row.value ?? '')])),
      executors: {
        executors: localMode ? (executorRow?.driverCores === null || executorRow?.driverCores === undefined ? 0 : 1) : workers,
        coresPerExecutor: num(localMode ? executorRow?.driverCores : executorRow?.workerCores),
        maxStorageMemory: num(localMode ? executorRow?.driverMemory : executorRow?.workerMemory),
        localMode,
      },
    };
  }, { readOnly: true });
}

/** The RDD names and call sites of a stage's logged RDD Info, without ids, sorted. */
function lineageOf(rddInfo: string | null): string[] {
  if (!rddInfo) return [];
  try {
    const parsed: unknown = JSON.parse(rddInfo);
    if (!Array.isArray(parsed)) return [];
    return parsed
      // A cached RDD is named after its plan text, whose expression ids (#15L) and literals (random seeds, ranges)
      // change from run to run: numbers in names are masked; call sites keep their line numbers.
      .map((rdd: { Name?: unknown; Callsite?: unknown }) => `${String(rdd.Name ?? '').replace(/-?\d+/g, 'N')}@${String(rdd.Callsite ?? '')}`)
      .sort();
  } catch {
    return [];
  }
}
