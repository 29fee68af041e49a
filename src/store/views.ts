import { executorMetricNames } from '../parse/event-schema.js';
import { taskMetricNames } from './schema.js';

/**
 * SQL for a stage's RDD ids from its logged "RDD Info" (JSON text): each id that is a whole number; one a crafted log
 * gives as something else ("", a word) is left out rather than failing every read of the stage.
 */
export const rddIdsSql = (rddInfo: string): string =>
  `list_filter(list_transform(json_extract(coalesce(${rddInfo}, '[]'), '$[*]."RDD ID"'), x -> TRY_CAST(x AS BIGINT)), x -> x IS NOT NULL)`;

/**
 * Views that present jobs, stages, tasks and executors the way Spark History Server aggregates them
 * (AppStatusListener), so the GraphQL and REST layers read one definition of every number.
 *
 * Counting rules follow Spark: a task end counts as completed when its reason is Success, killed when it is
 * TaskKilled or TaskCommitDenied, failed otherwise; a stage's metric totals include failed and killed tasks
 * (their work was done); a job's task estimate is the sum over the stages it planned that had not completed.
 */

const stageMetricSums = taskMetricNames.map((name) => `coalesce(sum(t.${name}), 0)::BIGINT AS ${name}`).join(',\n    ');

/** The end reasons of a killed task. */
const KILLED_REASONS = `('TaskKilled', 'TaskCommitDenied')`;

/** How a task end counts toward stage, job and executor totals. */
const outcome = `CASE
    WHEN status = 'RUNNING' THEN 'active'
    WHEN endReason = 'Success' THEN 'completed'
    WHEN endReason IN ${KILLED_REASONS} THEN 'killed'
    ELSE 'failed'
  END`;

/**
 * Killed tasks, as a filter DuckDB applies while it scans: `outcome` reads two columns, so a filter on it alone runs
 * after the scan, which then reads every task's error detail. A log of 9,500 failed tasks with 20 KB stack traces
 * took 350 MB and a second to find no killed task.
 */
const killedTaskFilter = (alias: string): string => `${alias}endReason IN ${KILLED_REASONS} AND ${alias}outcome = 'killed'`;

/** A StageExecutorMetrics event's JSON metrics as the executor metrics struct (absent metrics read as NULL). */
const executorMetricsFromJson = (json: string): string =>
  `json_transform(${json}, '${JSON.stringify(Object.fromEntries(executorMetricNames.map((name) => [name, 'BIGINT'])))}')`;

/**
 * Spark's peak executor metrics over rows of executor metrics `m` (ExecutorMetrics.compareAndUpdatePeakValues
 * from a fresh peak): each metric's largest value, never below 0; an absent metric counts as 0.
 */
const peakOf = (m: string): string =>
  `{${executorMetricNames.map((name) => `'${name}': greatest(0, max(coalesce(${m}."${name}", 0)))`).join(', ')}}`;

/** Names of the two arguments of every per-application macro below. */
const appKeyArg = 'macro_app_key';
const appNoArg = 'macro_app_no';

/**
 * One application's rows of a table, as a subquery: tasks by application number (an integer, so DuckDB's
 * zonemaps skip other applications' row groups; VARCHAR zonemaps only keep an 8-byte prefix, which every
 * Spark application id shares), every other table by key.
 */
const tasksOfApp = `(FROM v_tasks WHERE appNo = ${appNoArg} AND appKey = ${appKeyArg})`;
const rawTasksOfApp = `(FROM tasks WHERE appNo = ${appNoArg} AND appKey = ${appKeyArg})`;
const ofApp = (table: string): string => `(FROM ${table} WHERE appKey = ${appKeyArg})`;

/**
 * Macros that compute one application's History Server aggregates from its own rows only: the ingest runs
 * them once per application (src/store/precompute.ts) and keeps their answers in the app_* tables.
 */
const macrosSql = `
CREATE OR REPLACE MACRO stage_rows(${appKeyArg}, ${appNoArg}) AS TABLE
WITH task_totals AS (
  SELECT stageId, stageAttemptId,
    count(*) FILTER (WHERE outcome = 'active') AS numActiveTasks,
    count(*) FILTER (WHERE outcome = 'completed') AS numCompleteTasks,
    count(*) FILTER (WHERE outcome = 'failed') AS numFailedTasks,
    count(*) FILTER (WHERE outcome = 'killed') AS numKilledTasks,
    count(DISTINCT "index") FILTER (WHERE outcome = 'completed') AS numCompletedIndices,
    min(launchTime) AS firstTaskLaunchedTime,
    ${stageMetricSums}
  FROM ${tasksOfApp} t GROUP BY ALL
), killed AS (
  -- Killed tasks by reason: a TaskKilled's reason, a TaskCommitDenied's error string (as Spark keys them).
  SELECT stageId, stageAttemptId, map_from_entries(list({'k': errorMessage, 'v': n})) AS killedTasksSummary
  FROM (SELECT stageId, stageAttemptId, errorMessage, count(*) AS n
        FROM ${tasksOfApp} WHERE ${killedTaskFilter('')} GROUP BY ALL)
  GROUP BY ALL
), stage_jobs AS (
  SELECT stageId, list(DISTINCT jobId ORDER BY jobId) AS jobIds FROM ${ofApp('job_stages')} GROUP BY ALL
)
SELECT s.appKey, s.stageId, s.attemptId, s.status, s.name, s.numTasks, s.details, s.description,
  -- Logs before Spark 3.1 have no resource profiles: everything ran in the default one (0).
  s.schedulingPool, coalesce(s.resourceProfileId, 0) AS resourceProfileId, s.parentIds, s.rddInfo,
  s.submissionTime, s.completionTime,
  s.failureReason, s.accumulables, coalesce(s.isShufflePushEnabled, false) AS isShufflePushEnabled,
  coalesce(s.shuffleMergersCount, 0) AS shuffleMergersCount,
  coalesce(j.jobIds, []) AS jobIds,
  ${rddIdsSql('s.rddInfo')} AS rddIds,
  coalesce(t.numActiveTasks, 0) AS numActiveTasks, coalesce(t.numCompleteTasks, 0) AS numCompleteTasks,
  coalesce(t.numFailedTasks, 0) AS numFailedTasks, coalesce(t.numKilledTasks, 0) AS numKilledTasks,
  coalesce(t.numCompletedIndices, 0) AS numCompletedIndices, t.firstTaskLaunchedTime,
  CASE WHEN s.submissionTime IS NOT NULL AND s.completionTime IS NOT NULL
       THEN s.completionTime - s.submissionTime END AS duration,
  ${taskMetricNames.map((name) => `coalesce(t.${name}, 0) AS ${name}`).join(', ')},
  coalesce(t.shuffleRemoteBytesRead, 0) + coalesce(t.shuffleLocalBytesRead, 0) AS shuffleReadBytes,
  coalesce(k.killedTasksSummary, MAP {}) AS killedTasksSummary
FROM ${ofApp('stages')} s
LEFT JOIN task_totals t ON t.stageId = s.stageId AND t.stageAttemptId = s.attemptId
LEFT JOIN killed k ON k.stageId = s.stageId AND k.stageAttemptId = s.attemptId
LEFT JOIN stage_jobs j ON j.stageId = s.stageId;

CREATE OR REPLACE MACRO job_rows(${appKeyArg}, ${appNoArg}) AS TABLE
WITH planned AS (
  SELECT js.jobId,
    -- Spark's own estimate: planned stages that had not completed when the job started.
    sum(js.numTasks) FILTER (WHERE NOT EXISTS (
      SELECT 1 FROM ${ofApp('stages')} s WHERE s.stageId = js.stageId AND s.attemptId = js.attemptId
        AND s.status IN ('COMPLETE') AND s.completionTime IS NOT NULL
        AND s.completionTime <= (SELECT submissionTime FROM ${ofApp('jobs')} j WHERE j.jobId = js.jobId)
    )) AS numTasks
  FROM ${ofApp('job_stages')} js GROUP BY ALL
), job_stage_ids AS (
  SELECT DISTINCT jobId, stageId FROM ${ofApp('job_stages')}
), job_tasks AS (
  SELECT js.jobId,
    count(*) FILTER (WHERE t.outcome = 'active') AS numActiveTasks,
    count(*) FILTER (WHERE t.outcome = 'completed') AS numCompletedTasks,
    count(*) FILTER (WHERE t.outcome = 'failed') AS numFailedTasks,
    count(*) FILTER (WHERE t.outcome = 'killed') AS numKilledTasks,
    count(DISTINCT (t.stageId, t."index")) FILTER (WHERE t.outcome = 'completed') AS numCompletedIndices
  FROM job_stage_ids js JOIN ${tasksOfApp} t ON t.stageId = js.stageId
  GROUP BY ALL
), job_stage_status AS (
  SELECT js.jobId,
    count(DISTINCT s.stageId) FILTER (WHERE s.status = 'ACTIVE') AS numActiveStages,
    count(DISTINCT s.stageId) FILTER (WHERE s.status = 'COMPLETE') AS numCompletedStages,
    count(DISTINCT s.stageId) FILTER (WHERE s.status = 'SKIPPED') AS numSkippedStages,
    count(*) FILTER (WHERE s.status = 'FAILED') AS numFailedStages,
    coalesce(sum(s.numTasks) FILTER (WHERE s.status = 'SKIPPED'), 0) AS numSkippedTasks
  FROM job_stage_ids js JOIN ${ofApp('stages')} s ON s.stageId = js.stageId
  GROUP BY ALL
), killed AS (
  SELECT jobId, map_from_entries(list({'k': reason, 'v': n})) AS killedTasksSummary
  FROM (SELECT js.jobId, t.errorMessage AS reason, count(*) AS n
        FROM job_stage_ids js JOIN ${tasksOfApp} t ON t.stageId = js.stageId AND ${killedTaskFilter('t.')}
        GROUP BY ALL)
  GROUP BY ALL
)
SELECT j.*,
  CASE WHEN j.submissionTime IS NOT NULL AND j.completionTime IS NOT NULL
       THEN j.completionTime - j.submissionTime END AS duration,
  coalesce(p.numTasks, 0) AS numTasks,
  coalesce(t.numActiveTasks, 0) AS numActiveTasks, coalesce(t.numCompletedTasks, 0) AS numCompletedTasks,
  coalesce(ss.numSkippedTasks, 0) AS numSkippedTasks,
  coalesce(t.numFailedTasks, 0) AS numFailedTasks, coalesce(t.numKilledTasks, 0) AS numKilledTasks,
  coalesce(t.numCompletedIndices, 0) AS numCompletedIndices,
  coalesce(ss.numActiveStages, 0) AS numActiveStages, coalesce(ss.numCompletedStages, 0) AS numCompletedStages,
  coalesce(ss.numSkippedStages, 0) AS numSkippedStages, coalesce(ss.numFailedStages, 0) AS numFailedStages,
  coalesce(k.killedTasksSummary, MAP {}) AS killedTasksSummary
FROM ${ofApp('jobs')} j
LEFT JOIN planned p USING (jobId)
LEFT JOIN job_tasks t USING (jobId)
LEFT JOIN job_stage_status ss USING (jobId)
LEFT JOIN killed k USING (jobId);

CREATE OR REPLACE MACRO applied_exclusions(${appKeyArg}) AS TABLE
-- Exclusion events as they reach each executor: its own, and those of its host while it was registered
-- (node events never touch the driver).
SELECT e.executorId, x.seq, x.kind, x.stageId, x.stageAttemptId, x.time
FROM ${ofApp('executors')} e JOIN ${ofApp('executor_exclusions')} x ON true
WHERE ((x.executorId = e.executorId AND x.kind LIKE 'executor%')
    OR (x.hostId = e.host AND x.kind LIKE 'node%' AND e.executorId <> 'driver'))
  AND (x.time IS NULL OR e.addTime IS NULL OR x.time >= e.addTime)
  AND (x.time IS NULL OR e.removeTime IS NULL OR x.time <= e.removeTime);

CREATE OR REPLACE MACRO executor_rows(${appKeyArg}, ${appNoArg}) AS TABLE
WITH task_totals AS (
  SELECT executorId,
    count(*) FILTER (WHERE outcome = 'active') AS activeTasks,
    count(*) FILTER (WHERE outcome = 'failed') AS failedTasks,
    count(*) FILTER (WHERE outcome = 'completed') AS completedTasks,
    count(*) AS totalTasks, -- Spark counts a task when it starts
    coalesce(sum(duration), 0) AS totalDuration,
    coalesce(sum(jvmGcTime), 0) AS totalGCTime,
    coalesce(sum(inputBytes), 0) AS totalInputBytes,
    coalesce(sum(shuffleRemoteBytesRead + shuffleLocalBytesRead), 0) AS totalShuffleRead,
    coalesce(sum(shuffleWriteBytes), 0) AS totalShuffleWrite
  FROM ${tasksOfApp} GROUP BY ALL
), peaks AS (
  -- An executor's peak executor metrics: every task end raises them (to zeros when the log predates task
  -- executor metrics), and so does every StageExecutorMetrics event.
  SELECT executorId, ${peakOf('m')} AS peakMemoryMetrics
  FROM (
    SELECT executorId, peakExecutorMetrics AS m FROM ${rawTasksOfApp} WHERE status <> 'RUNNING'
    UNION ALL
    SELECT executorId, ${executorMetricsFromJson('metrics')} FROM ${ofApp('stage_executor_metrics')}
  ) GROUP BY ALL
), task_cpus AS (
  SELECT coalesce(TRY_CAST(value AS BIGINT), 1) AS cpusPerTask
  FROM ${ofApp('environment')} WHERE section = 'sparkProperties' AND key = 'spark.task.cpus'
), exclusion_state AS (
  SELECT x.executorId,
    arg_max(x.kind IN ('executorExcluded', 'nodeExcluded'), x.seq)
      FILTER (WHERE x.kind IN ('executorExcluded', 'executorUnexcluded', 'nodeExcluded', 'nodeUnexcluded'))
      AS isExcluded,
    -- A stage leaves the list when the attempt the executor was excluded from completes.
    list(DISTINCT x.stageId ORDER BY x.stageId) FILTER (WHERE x.kind LIKE '%ForStage' AND NOT EXISTS (
      SELECT 1 FROM ${ofApp('stages')} s WHERE s.stageId = x.stageId AND s.attemptId = x.stageAttemptId
        AND s.status IN ('COMPLETE', 'FAILED') AND (x.time IS NULL OR x.time <= s.completionTime)
    )) AS excludedInStages
  FROM applied_exclusions(${appKeyArg}) x GROUP BY ALL
)
SELECT e.appKey, e.executorId AS id, e.host,
  CASE WHEN e.port IS NOT NULL THEN e.host || ':' || e.port ELSE e.host END AS hostPort,
  e.removeTime IS NULL AS isActive, e.totalCores,
  e.totalCores // coalesce(c.cpusPerTask, 1) AS maxTasks,
  coalesce(t.activeTasks, 0) AS activeTasks, coalesce(t.failedTasks, 0) AS failedTasks,
  coalesce(t.completedTasks, 0) AS completedTasks, coalesce(t.totalTasks, 0) AS totalTasks,
  -- The driver's run time depends on the clock while the application runs: v_executors adds it when read.
  coalesce(t.totalDuration, 0) AS totalDuration,
  -- History Server reports the driver's GC time as its peak TotalGCTime executor metric when it has one
  -- (AppStatusStore, SPARK-37493).
  CASE WHEN e.executorId = 'driver' AND g.peakMemoryMetrics IS NOT NULL THEN g.peakMemoryMetrics.TotalGCTime
       ELSE coalesce(t.totalGCTime, 0) END AS totalGCTime,
  coalesce(t.totalInputBytes, 0) AS totalInputBytes, coalesce(t.totalShuffleRead, 0) AS totalShuffleRead,
  coalesce(t.totalShuffleWrite, 0) AS totalShuffleWrite,
  coalesce(x.isExcluded, false) AS isExcluded,
  coalesce(x.excludedInStages, []) AS excludedInStages,
  e.maxMemory, e.maxOnHeapMemory, e.maxOffHeapMemory, e.addTime, e.removeTime, e.removeReason,
  e.executorLogs, e.attributes, e.resources, e.resourceProfileId, g.peakMemoryMetrics
FROM ${ofApp('executors')} e
LEFT JOIN task_totals t ON t.executorId = e.executorId
LEFT JOIN peaks g ON g.executorId = e.executorId
LEFT JOIN task_cpus c ON true
LEFT JOIN exclusion_state x ON x.executorId = e.executorId;

CREATE OR REPLACE MACRO stage_executor_rows(${appKeyArg}, ${appNoArg}) AS TABLE
-- History Server's ExecutorStageSummary: what each executor did for one stage attempt. Spark keeps one once a
-- task of the attempt ended on the executor, a StageExecutorMetrics event named it, or it was excluded for
-- the attempt (its own exclusion, or its node's while it was registered there).
WITH task_totals AS (
  SELECT stageId, stageAttemptId, executorId,
    coalesce(sum(duration), 0) AS taskTime,
    count(*) FILTER (WHERE outcome = 'failed') AS failedTasks,
    count(*) FILTER (WHERE outcome = 'completed') AS succeededTasks,
    count(*) FILTER (WHERE outcome = 'killed') AS killedTasks,
    coalesce(sum(inputBytes), 0) AS inputBytes, coalesce(sum(inputRecords), 0) AS inputRecords,
    coalesce(sum(outputBytes), 0) AS outputBytes, coalesce(sum(outputRecords), 0) AS outputRecords,
    coalesce(sum(shuffleRemoteBytesRead + shuffleLocalBytesRead), 0) AS shuffleRead,
    coalesce(sum(shuffleReadRecords), 0) AS shuffleReadRecords,
    coalesce(sum(shuffleWriteBytes), 0) AS shuffleWrite, coalesce(sum(shuffleWriteRecords), 0) AS shuffleWriteRecords,
    coalesce(sum(memoryBytesSpilled), 0) AS memoryBytesSpilled, coalesce(sum(diskBytesSpilled), 0) AS diskBytesSpilled
  FROM ${tasksOfApp} WHERE outcome <> 'active' AND executorId IS NOT NULL GROUP BY ALL
), peaks AS (
  SELECT stageId, stageAttemptId, executorId, ${peakOf('m')} AS peakMemoryMetrics
  FROM (
    SELECT stageId, stageAttemptId, executorId, peakExecutorMetrics AS m FROM ${rawTasksOfApp}
    WHERE status <> 'RUNNING' AND executorId IS NOT NULL
    UNION ALL
    SELECT stageId, stageAttemptId, executorId, ${executorMetricsFromJson('metrics')}
    FROM ${ofApp('stage_executor_metrics')}
  ) GROUP BY ALL
), excluded AS (
  SELECT DISTINCT stageId, stageAttemptId, executorId FROM applied_exclusions(${appKeyArg})
  WHERE kind LIKE '%ForStage' AND stageId IS NOT NULL
), summaries AS (
  SELECT stageId, stageAttemptId, executorId FROM task_totals
  UNION SELECT stageId, stageAttemptId, executorId FROM peaks
  UNION SELECT stageId, coalesce(stageAttemptId, 0), executorId FROM excluded
)
SELECT s.appKey, k.stageId, k.stageAttemptId, k.executorId,
  coalesce(t.taskTime, 0) AS taskTime, coalesce(t.failedTasks, 0) AS failedTasks,
  coalesce(t.succeededTasks, 0) AS succeededTasks, coalesce(t.killedTasks, 0) AS killedTasks,
  coalesce(t.inputBytes, 0) AS inputBytes, coalesce(t.inputRecords, 0) AS inputRecords,
  coalesce(t.outputBytes, 0) AS outputBytes, coalesce(t.outputRecords, 0) AS outputRecords,
  coalesce(t.shuffleRead, 0) AS shuffleRead, coalesce(t.shuffleReadRecords, 0) AS shuffleReadRecords,
  coalesce(t.shuffleWrite, 0) AS shuffleWrite, coalesce(t.shuffleWriteRecords, 0) AS shuffleWriteRecords,
  coalesce(t.memoryBytesSpilled, 0) AS memoryBytesSpilled, coalesce(t.diskBytesSpilled, 0) AS diskBytesSpilled,
  x.executorId IS NOT NULL AS isExcludedForStage,
  p.peakMemoryMetrics
FROM summaries k
-- Spark keeps a summary only while it tracks the stage attempt.
JOIN ${ofApp('stages')} s ON s.stageId = k.stageId AND s.attemptId = k.stageAttemptId
LEFT JOIN task_totals t ON t.stageId = k.stageId AND t.stageAttemptId = k.stageAttemptId AND t.executorId = k.executorId
LEFT JOIN peaks p ON p.stageId = k.stageId AND p.stageAttemptId = k.stageAttemptId AND p.executorId = k.executorId
LEFT JOIN excluded x ON x.stageId = k.stageId AND coalesce(x.stageAttemptId, 0) = k.stageAttemptId
  AND x.executorId = k.executorId;

CREATE OR REPLACE MACRO stage_speculation_rows(${appKeyArg}, ${appNoArg}) AS TABLE
-- History Server's SpeculationStageSummary: the speculative copies of a stage attempt's tasks.
SELECT ${appKeyArg}::VARCHAR AS appKey, stageId, stageAttemptId AS attemptId, count(*) AS numTasks,
  count(*) FILTER (WHERE outcome = 'active') AS numActiveTasks,
  count(*) FILTER (WHERE outcome = 'completed') AS numCompletedTasks,
  count(*) FILTER (WHERE outcome = 'failed') AS numFailedTasks,
  count(*) FILTER (WHERE outcome = 'killed') AS numKilledTasks
FROM ${tasksOfApp} WHERE speculative GROUP BY ALL;

CREATE OR REPLACE MACRO application_totals(${appKeyArg}, ${appNoArg}) AS TABLE
SELECT ${appKeyArg}::VARCHAR AS appKey,
  (SELECT count(*) FROM ${ofApp('jobs')}) AS totalJobs,
  (SELECT count(*) FROM ${ofApp('stages')} WHERE status <> 'SKIPPED') AS totalStages,
  (SELECT count(*) FROM ${rawTasksOfApp}) AS totalTasks,
  (SELECT count(*) FROM ${rawTasksOfApp} WHERE status = 'FAILED') AS totalFailedTasks;
`;

/**
 * The precomputed tables, shaped by the macros that fill them; one application's rows are written together
 * at ingest, so they sit in the same row groups.
 */
const precomputedTablesSql = `
CREATE TABLE IF NOT EXISTS app_stages AS FROM stage_rows(NULL, NULL) LIMIT 0;
CREATE TABLE IF NOT EXISTS app_jobs AS FROM job_rows(NULL, NULL) LIMIT 0;
CREATE TABLE IF NOT EXISTS app_executors AS FROM executor_rows(NULL, NULL) LIMIT 0;
CREATE TABLE IF NOT EXISTS app_stage_executors AS FROM stage_executor_rows(NULL, NULL) LIMIT 0;
CREATE TABLE IF NOT EXISTS app_stage_peaks AS
  SELECT appKey, stageId, stageAttemptId AS attemptId, ${peakOf('peakMemoryMetrics')} AS peakExecutorMetrics
  FROM stage_executor_rows(NULL, NULL) GROUP BY ALL LIMIT 0;
CREATE TABLE IF NOT EXISTS app_stage_speculation AS FROM stage_speculation_rows(NULL, NULL) LIMIT 0;
CREATE TABLE IF NOT EXISTS app_totals AS FROM application_totals(NULL, NULL) LIMIT 0;
`;

/**
 * DDL for every view; re-created at every open so a new build's definitions always apply. The views the API
 * reads are thin: each reads a precomputed table, so a query for one application reaches only its rows.
 */
export const createViewsSql = `
CREATE OR REPLACE VIEW v_tasks AS
SELECT *,
  CASE WHEN finishTime IS NOT NULL THEN finishTime - launchTime END AS duration,
  CASE WHEN gettingResultStartTime IS NOT NULL AND finishTime IS NOT NULL
       THEN finishTime - gettingResultStartTime ELSE 0 END AS gettingResultTime,
  CASE WHEN hasMetrics AND finishTime IS NOT NULL THEN greatest(0,
    (finishTime - launchTime) - executorRunTime - executorDeserializeTime - resultSerializationTime -
    CASE WHEN gettingResultStartTime IS NOT NULL THEN finishTime - gettingResultStartTime ELSE 0 END)
  ELSE 0 END AS schedulerDelay,
  shuffleRemoteBytesRead + shuffleLocalBytesRead AS shuffleTotalBytesRead,
  shuffleRemoteBlocksFetched + shuffleLocalBlocksFetched AS shuffleTotalBlocksFetched,
  ${outcome} AS outcome
FROM tasks;

-- One application's tasks for code that reads them by key (the detectors): its number is looked up first so
-- DuckDB's zonemaps skip other applications' row groups, as the precomputed answers do.
CREATE OR REPLACE MACRO app_tasks(${appKeyArg}) AS TABLE
  FROM v_tasks WHERE appNo = (SELECT appNo FROM application_numbers WHERE appKey = ${appKeyArg}) AND appKey = ${appKeyArg};
${macrosSql}
${precomputedTablesSql}
CREATE OR REPLACE VIEW v_stages AS FROM app_stages;

CREATE OR REPLACE VIEW v_jobs AS FROM app_jobs;

CREATE OR REPLACE VIEW v_executors AS
-- History Server reports the driver's time as the application's run time (until now while it runs).
SELECT x.* REPLACE (
  CASE WHEN x.id = 'driver' AND a.startTime IS NOT NULL
       THEN coalesce(a.endTime, epoch_ms(now())) - a.startTime
       ELSE x.totalDuration END AS totalDuration)
FROM app_executors x LEFT JOIN applications a ON a.appKey = x.appKey;

CREATE OR REPLACE VIEW v_stage_executors AS FROM app_stage_executors;

CREATE OR REPLACE VIEW v_stage_peaks AS FROM app_stage_peaks;

CREATE OR REPLACE VIEW v_stage_speculation AS FROM app_stage_speculation;

CREATE OR REPLACE VIEW v_applications AS
SELECT a.*,
  CASE WHEN a.startTime IS NOT NULL AND a.endTime IS NOT NULL THEN a.endTime - a.startTime END AS duration,
  coalesce(s.totalJobs, 0) AS totalJobs, coalesce(s.totalStages, 0) AS totalStages,
  coalesce(s.totalTasks, 0) AS totalTasks, coalesce(s.totalFailedTasks, 0) AS failedTasks
FROM applications a LEFT JOIN app_totals s ON s.appKey = a.appKey;
`;
