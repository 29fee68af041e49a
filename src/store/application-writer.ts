import type { DuckDBConnection } from '@duckdb/node-api';
import {
  STAGED_EVENTS,
  countTaskEvents,
  dropStagedEvents,
  numberedPlan,
  taskEventsSql,
  type StagingPlan,
} from '../parse/stage-events.js';
import { isVendorMetricNameSql } from '../model/vendor-metrics.js';
import { parsedTaskAccumulablesSql } from '../parse/task-accumulables.js';
import { applicationNumberOf, assignApplicationNumber } from './application-numbers.js';
import { deleteApplicationRows, deleteApplications } from './application-rows.js';
import { precomputeFromRows } from './precompute.js';
import { precomputeResourceFacts } from './cost-store.js';
import { applicationTables, taskMetricNames } from './schema.js';
import { exceptionSummarySql, taskErrorMessageSql, type ExceptionFields } from './task-exceptions.js';
import { withoutInsertionOrder, withThreads } from './database.js';
import { rddIdsSql } from './views.js';
import { logger } from '../logger.js';

/** What the ingest knows of an application attempt before its rows are written. */
export interface ApplicationIdentity {
  appKey: string;
  appId: string;
  attemptId: string | null;
  completed: boolean;
  lastUpdated: number;
  sourceName: string;
  sourceLayout: string;
  eventsRead: number;
  eventsSkipped: number;
  skippedEventTypes: Record<string, number>;
  warnings: ReadonlyArray<{ line: number | null; message: string }>;
}

const staged = STAGED_EVENTS;

/** The stages statement's condition that a stage id lies in `$firstStage`..`$lastStage` (both NULL: every stage id). */
const inStageRange = (stageId: string): string => `AND ($firstStage IS NULL OR ${stageId} BETWEEN $firstStage AND $lastStage)`;

/** Stages whose rows one statement writes when a long log's rows are committed table by table (see writeEventRows). */
const STAGES_PER_INSERT = 2_000;
/** A task metric: 0 when its sub-object is absent (older Spark), NULL when the task has no metrics at all. */
const coalesce0 = (expression: string): string => `CASE WHEN m IS NOT NULL THEN coalesce(${expression}, 0) END`;
/** Order of events in the log, across parts (see STAGED_EVENTS). */
const logOrder = 'seq';

/** Spark's task metrics, flattened under History Server's StageData names (absent sub-objects read as 0). */
const taskMetricsSelect = `
  ${coalesce0('m."Executor Deserialize Time"')} AS executorDeserializeTime,
  ${coalesce0('m."Executor Deserialize CPU Time"')} AS executorDeserializeCpuTime,
  ${coalesce0('m."Executor Run Time"')} AS executorRunTime,
  ${coalesce0('m."Executor CPU Time"')} AS executorCpuTime,
  ${coalesce0('m."Result Size"')} AS resultSize,
  ${coalesce0('m."JVM GC Time"')} AS jvmGcTime,
  ${coalesce0('m."Result Serialization Time"')} AS resultSerializationTime,
  ${coalesce0('m."Memory Bytes Spilled"')} AS memoryBytesSpilled,
  ${coalesce0('m."Disk Bytes Spilled"')} AS diskBytesSpilled,
  ${coalesce0('m."Peak Execution Memory"')} AS peakExecutionMemory,
  ${coalesce0('m."Input Metrics"."Bytes Read"')} AS inputBytes,
  ${coalesce0('m."Input Metrics"."Records Read"')} AS inputRecords,
  ${coalesce0('m."Output Metrics"."Bytes Written"')} AS outputBytes,
  ${coalesce0('m."Output Metrics"."Records Written"')} AS outputRecords,
  ${coalesce0('m."Shuffle Read Metrics"."Remote Blocks Fetched"')} AS shuffleRemoteBlocksFetched,
  ${coalesce0('m."Shuffle Read Metrics"."Local Blocks Fetched"')} AS shuffleLocalBlocksFetched,
  ${coalesce0('m."Shuffle Read Metrics"."Fetch Wait Time"')} AS shuffleFetchWaitTime,
  ${coalesce0('m."Shuffle Read Metrics"."Remote Bytes Read"')} AS shuffleRemoteBytesRead,
  ${coalesce0('m."Shuffle Read Metrics"."Remote Bytes Read To Disk"')} AS shuffleRemoteBytesReadToDisk,
  ${coalesce0('m."Shuffle Read Metrics"."Local Bytes Read"')} AS shuffleLocalBytesRead,
  ${coalesce0('m."Shuffle Read Metrics"."Total Records Read"')} AS shuffleReadRecords,
  ${coalesce0('m."Shuffle Read Metrics"."Remote Requests Duration"')} AS shuffleRemoteReqsDuration,
  ${pushMetric('Corrupt Merged Block Chunks')} AS shuffleCorruptMergedBlockChunks,
  ${coalesce0(`coalesce(${pushField('Merged Fetch Fallback Count')}, ${pushField('Merged Fallback Count')})`)}
    AS shuffleMergedFetchFallbackCount,
  ${pushMetric('Merged Remote Blocks Fetched')} AS shuffleMergedRemoteBlocksFetched,
  ${pushMetric('Merged Local Blocks Fetched')} AS shuffleMergedLocalBlocksFetched,
  ${pushMetric('Merged Remote Chunks Fetched')} AS shuffleMergedRemoteChunksFetched,
  ${pushMetric('Merged Local Chunks Fetched')} AS shuffleMergedLocalChunksFetched,
  ${pushMetric('Merged Remote Bytes Read')} AS shuffleMergedRemoteBytesRead,
  ${pushMetric('Merged Local Bytes Read')} AS shuffleMergedLocalBytesRead,
  ${pushMetric('Merged Remote Requests Duration')} AS shuffleMergedRemoteReqsDuration,
  ${coalesce0('m."Shuffle Write Metrics"."Shuffle Bytes Written"')} AS shuffleWriteBytes,
  ${coalesce0('m."Shuffle Write Metrics"."Shuffle Write Time"')} AS shuffleWriteTime,
  ${coalesce0('m."Shuffle Write Metrics"."Shuffle Records Written"')} AS shuffleWriteRecords`;

/** Push-based shuffle metrics were logged as "Push Based Shuffle" before Spark 3.4 named them. */
function pushField(name: string): string {
  return `coalesce(m."Shuffle Read Metrics"."Shuffle Push Read Metrics"."${name}",
    m."Shuffle Read Metrics"."Push Based Shuffle"."${name}")`;
}
function pushMetric(name: string): string {
  return coalesce0(pushField(name));
}

/**
 * History Server lists only accumulators a user made: internal metrics and SQL metrics are shown elsewhere. The
 * vendor SQL metrics that stand in for task metrics a vendor leaves at 0 (src/model/vendor-metrics.ts) are kept
 * too, for analysis; the task reads filter them out again. An accumulable without an id, which nothing can name, is
 * left out here and in {@link allAccumulables}.
 */
function userAccumulables(list: string): string {
  return `list_transform(
    list_filter(${list}, a -> a."ID" IS NOT NULL AND NOT coalesce(a."Internal", false)
      AND (coalesce(a."Metadata", '') <> 'sql' OR ${isVendorMetricNameSql('a."Name"')})),
    a -> {'id': a."ID", 'name': a."Name", 'update': a."Update", 'value': a."Value", 'internal': false,
          'metadata': a."Metadata"})`;
}
function allAccumulables(list: string): string {
  return `list_transform(list_filter(${list}, a -> a."ID" IS NOT NULL), a -> {'id': a."ID", 'name': a."Name", 'update': a."Update",
    'value': a."Value", 'internal': coalesce(a."Internal", false), 'metadata': a."Metadata"})`;
}

/** One statement per table, each reading only the event types it owns from the staged events. */
const insertStatements: Record<string, string> = {
  jobs: `
    INSERT INTO jobs
    WITH last_starts AS (
      -- Each job's last start, found by row id alone and then read: a window over the starts held every job's stage
      -- infos at once.
      SELECT "Job ID" AS jobId, max(${logOrder}) AS seq
      FROM ${staged} WHERE kind = 'SparkListenerJobStart' AND "Job ID" IS NOT NULL GROUP BY ALL
    ), starts AS (
      SELECT l.jobId, e."Submission Time" AS submissionTime, e."Stage IDs" AS stageIds, e."Stage Infos" AS infos,
        e.Properties AS p
      FROM last_starts l JOIN ${staged} e ON e.${logOrder} = l.seq
    ), ends AS (
      SELECT "Job ID" AS jobId, "Completion Time" AS completionTime, "Job Result" AS result
      FROM ${staged} WHERE kind = 'SparkListenerJobEnd' AND "Job ID" IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY "Job ID" ORDER BY ${logOrder} DESC) = 1
    )
    SELECT $appKey, s.jobId,
      -- A job is named after its last stage, as Spark's UI does.
      (list_sort(list_transform(s.infos, x -> {'id': x."Stage ID", 'name': x."Stage Name"}))[-1]).name,
      s.p."spark.job.description", s.p."spark.jobGroup.id",
      CASE WHEN coalesce(s.p."spark.job.tags", '') = '' THEN []::VARCHAR[]
           ELSE list_sort(string_split(s.p."spark.job.tags", ',')) END,
      coalesce(s.p."spark.scheduler.pool", 'default'),
      TRY_CAST(s.p."spark.sql.execution.id" AS BIGINT),
      s.submissionTime, e.completionTime,
      coalesce(s.stageIds, list_transform(s.infos, x -> x."Stage ID")),
      CASE WHEN e.jobId IS NULL THEN 'RUNNING'
           WHEN e.result->>'Result' = 'JobSucceeded' THEN 'SUCCEEDED'
           ELSE 'FAILED' END,
      e.result->'Exception'->>'Message'
    FROM starts s LEFT JOIN ends e USING (jobId)`,

  job_stages: `
    INSERT INTO job_stages
    SELECT $appKey, jobId, si."Stage ID", coalesce(si."Stage Attempt ID", 0), si."Number of Tasks"
    FROM (SELECT "Job ID" AS jobId, unnest("Stage Infos") AS si
          FROM ${staged} WHERE kind = 'SparkListenerJobStart' AND "Job ID" IS NOT NULL)
    WHERE si."Stage ID" IS NOT NULL`,

  stages: `
    INSERT INTO stages
    WITH runs AS (
      SELECT "Stage Info"."Stage ID" AS stageId, coalesce("Stage Info"."Stage Attempt ID", 0) AS attemptId, kind,
        seq
      FROM ${staged}
      WHERE kind IN ('SparkListenerStageSubmitted', 'SparkListenerStageCompleted')
        AND "Stage Info"."Stage ID" IS NOT NULL ${inStageRange('"Stage Info"."Stage ID"')}
    ), chosen AS (
      -- Which event each attempt's info and properties come from, found by row id alone: an aggregate holding each
      -- stage's info and properties held them all at once (~840 MB for a log of 14,000 stages).
      SELECT stageId, attemptId,
        -- The completion event carries the final info; the submission carries the job's properties.
        arg_max(seq, CASE WHEN kind = 'SparkListenerStageCompleted' THEN 1 ELSE 0 END * 1e12 + seq) AS infoSeq,
        bool_or(kind = 'SparkListenerStageCompleted') AS completed,
        arg_max(seq, CASE WHEN kind = 'SparkListenerStageSubmitted' THEN 1 ELSE 0 END * 1e12 + seq) AS propertiesSeq
      FROM runs GROUP BY ALL
    ), chosen_properties AS MATERIALIZED (
      -- The two properties read, joined before the stage infos: joined after, the infos were the join's build side
      -- (~50 MB for 6,860 stages); materialized, these narrow rows are the build side of the infos' join.
      SELECT c.stageId, c.attemptId, c.completed, c.infoSeq, pr.Properties."spark.job.description" AS description,
        pr.Properties."spark.scheduler.pool" AS pool
      FROM chosen c JOIN ${staged} pr ON pr.seq = c.propertiesSeq
    ), attempts AS (
      SELECT c.stageId, c.attemptId, c.completed, c.description, c.pool, i."Stage Info" AS si
      FROM chosen_properties c JOIN ${staged} i ON i.seq = c.infoSeq
    ), planned_keys AS MATERIALIZED (
      -- Stages that never ran and the last job start that planned each, found from their keys alone: unnested whole,
      -- every planned stage's info was held while the ones that ran were told apart.
      SELECT k.stageId, k.attemptId, max(seq) AS planSeq, arg_max("Job ID", seq) AS jobId
      FROM (SELECT unnest(list_transform("Stage Infos",
                     x -> {'stageId': x."Stage ID", 'attemptId': coalesce(x."Stage Attempt ID", 0)})) AS k, "Job ID", seq
            FROM ${staged} WHERE kind = 'SparkListenerJobStart') j
      WHERE k.stageId IS NOT NULL ${inStageRange('k.stageId')}
        AND NOT EXISTS (SELECT 1 FROM chosen a WHERE a.stageId = k.stageId AND a.attemptId = k.attemptId)
      GROUP BY ALL
    ), planned AS (
      SELECT pk.stageId, pk.attemptId, pk.jobId,
        list_filter(e."Stage Infos",
          x -> x."Stage ID" = pk.stageId AND coalesce(x."Stage Attempt ID", 0) = pk.attemptId)[-1] AS si
      FROM planned_keys pk JOIN ${staged} e ON e.seq = pk.planSeq
    ), ended_jobs AS (
      SELECT DISTINCT "Job ID" AS jobId FROM ${staged} WHERE kind = 'SparkListenerJobEnd'
    ), job_props AS (
      -- A job's last start, as for its row: a log that starts a job twice must not give its planned stages twice.
      SELECT "Job ID" AS jobId, Properties AS p FROM ${staged} WHERE kind = 'SparkListenerJobStart'
      QUALIFY row_number() OVER (PARTITION BY "Job ID" ORDER BY ${logOrder} DESC) = 1
    )
    SELECT $appKey, a.stageId, a.attemptId, a.si."Stage Name", a.si."Number of Tasks", a.si."Parent IDs",
      a.si."RDD Info", a.si."Details", a.description, coalesce(a.pool, 'default'), a.si."Resource Profile Id",
      a.si."Shuffle Push Enabled", a.si."Shuffle Push Mergers Count",
      a.si."Submission Time", a.si."Completion Time", a.si."Failure Reason",
      CASE WHEN NOT a.completed THEN 'ACTIVE'
           WHEN a.si."Failure Reason" IS NOT NULL THEN 'FAILED'
           ELSE 'COMPLETE' END,
      ${allAccumulables('a.si."Accumulables"')}
    FROM attempts a
    UNION ALL
    -- Stages a job planned but never ran: skipped once the job ended (their output already existed).
    SELECT $appKey, pl.stageId, pl.attemptId, pl.si."Stage Name", pl.si."Number of Tasks", pl.si."Parent IDs",
      pl.si."RDD Info", pl.si."Details", jp.p."spark.job.description",
      coalesce(jp.p."spark.scheduler.pool", 'default'), pl.si."Resource Profile Id",
      pl.si."Shuffle Push Enabled", pl.si."Shuffle Push Mergers Count",
      NULL, NULL, NULL,
      CASE WHEN pl.jobId IN (SELECT jobId FROM ended_jobs) THEN 'SKIPPED' ELSE 'PENDING' END,
      []
    FROM planned pl LEFT JOIN job_props jp USING (jobId)`,

  executors: `
    INSERT INTO executors
    WITH added AS (
      SELECT "Executor ID" AS executorId, Timestamp AS addTime, "Executor Info" AS info
      FROM ${staged} WHERE kind = 'SparkListenerExecutorAdded' AND "Executor ID" IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY "Executor ID" ORDER BY ${logOrder} DESC) = 1
    ), removed AS (
      SELECT "Executor ID" AS executorId, Timestamp AS removeTime, "Removed Reason" AS removeReason
      FROM ${staged} WHERE kind = 'SparkListenerExecutorRemoved' AND "Executor ID" IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY "Executor ID" ORDER BY ${logOrder} DESC) = 1
    ), block_managers AS (
      SELECT "Block Manager ID"."Executor ID" AS executorId, "Block Manager ID" AS bm, Timestamp AS bmTime,
        "Maximum Memory" AS maxMemory, "Maximum Onheap Memory" AS maxOnHeap, "Maximum Offheap Memory" AS maxOffHeap
      FROM ${staged} WHERE kind = 'SparkListenerBlockManagerAdded' AND "Block Manager ID"."Executor ID" IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY "Block Manager ID"."Executor ID" ORDER BY ${logOrder} DESC) = 1
    ), block_managers_removed AS (
      SELECT "Block Manager ID"."Executor ID" AS executorId, max(Timestamp) AS bmRemoveTime
      FROM ${staged} WHERE kind = 'SparkListenerBlockManagerRemoved' GROUP BY 1
    ), ids AS (
      SELECT executorId FROM added UNION SELECT executorId FROM block_managers
    )
    SELECT $appKey, ids.executorId, coalesce(a.info."Host", b.bm."Host"), b.bm."Port",
      coalesce(a.info."Total Cores", 0), coalesce(a.addTime, b.bmTime), r.removeTime, r.removeReason,
      coalesce(a.info."Log Urls", '{}'), coalesce(a.info."Attributes", '{}'), coalesce(a.info."Resources", '{}'),
      coalesce(a.info."Resource Profile Id", 0), b.maxMemory, b.maxOnHeap, b.maxOffHeap, br.bmRemoveTime
    FROM ids LEFT JOIN added a USING (executorId) LEFT JOIN block_managers b USING (executorId)
      LEFT JOIN removed r USING (executorId) LEFT JOIN block_managers_removed br USING (executorId)`,

  // Spark 2.1-3.0 wrote "...Unblacklisted" (lower-case b), which the "Blacklisted" → "Excluded" renaming of
  // event names misses; both spellings are read here.
  executor_exclusions: `
    INSERT INTO executor_exclusions
    SELECT $appKey, seq,
      CASE kind
        WHEN 'SparkListenerExecutorExcluded' THEN 'executorExcluded'
        WHEN 'SparkListenerExecutorUnexcluded' THEN 'executorUnexcluded'
        WHEN 'SparkListenerExecutorUnblacklisted' THEN 'executorUnexcluded'
        WHEN 'SparkListenerExecutorExcludedForStage' THEN 'executorExcludedForStage'
        WHEN 'SparkListenerNodeExcluded' THEN 'nodeExcluded'
        WHEN 'SparkListenerNodeUnexcluded' THEN 'nodeUnexcluded'
        WHEN 'SparkListenerNodeUnblacklisted' THEN 'nodeUnexcluded'
        WHEN 'SparkListenerNodeExcludedForStage' THEN 'nodeExcludedForStage'
      END,
      time, executorId, hostId, stageId, stageAttemptId, coalesce(taskFailures, executorFailures)
    FROM ${staged}
    WHERE kind IN ('SparkListenerExecutorExcluded', 'SparkListenerExecutorUnexcluded',
      'SparkListenerExecutorUnblacklisted', 'SparkListenerExecutorExcludedForStage', 'SparkListenerNodeExcluded',
      'SparkListenerNodeUnexcluded', 'SparkListenerNodeUnblacklisted', 'SparkListenerNodeExcludedForStage')
      AND coalesce(executorId, hostId) IS NOT NULL`,

  stage_executor_metrics: `
    INSERT INTO stage_executor_metrics
    SELECT $appKey, "Stage ID", coalesce("Stage Attempt ID", 0), "Executor ID", "Executor Metrics"
    FROM ${staged} WHERE kind = 'SparkListenerStageExecutorMetrics'
      AND "Stage ID" IS NOT NULL AND "Executor ID" IS NOT NULL`,

  sql_executions: `
    INSERT INTO sql_executions
    WITH last_starts AS (
      SELECT executionId, max(${logOrder}) AS seq
      FROM ${staged} WHERE kind = 'SparkListenerSQLExecutionStart' AND executionId IS NOT NULL GROUP BY ALL
    ), ends AS (
      SELECT executionId, time AS endTime, errorMessage FROM ${staged}
      WHERE kind = 'SparkListenerSQLExecutionEnd' AND executionId IS NOT NULL
      QUALIFY row_number() OVER (PARTITION BY executionId ORDER BY ${logOrder} DESC) = 1
    ), chosen AS MATERIALIZED (
      -- Each execution's last start and its end, found by row id alone and joined before the start's text is read: a
      -- window over the starts held every description (a hundred 1 MB query texts took the insert to 580 MB).
      SELECT l.executionId, l.seq, e.endTime, e.errorMessage FROM last_starts l LEFT JOIN ends e USING (executionId)
    )
    SELECT $appKey, c.executionId, s.rootExecutionId, s.description, s.details, s.physicalPlanDescription, s.planText,
      s.sparkPlanInfo, s.modifiedConfigs, s.time, c.endTime, c.errorMessage, s.descriptionText
    FROM chosen c JOIN ${staged} s ON s.${logOrder} = c.seq`,

  // Every version's plan tree is kept (stages ran under the version of their time), but only an execution's last
  // description: it is the one shown, as in History Server, and on Databricks logs each one is megabytes.
  sql_plan_updates: `
    INSERT INTO sql_plan_updates
    SELECT $appKey, u.executionId, u.seq, CASE WHEN u.seq = l.lastDescribed THEN u.physicalPlanDescription END,
      CASE WHEN u.seq = l.lastDescribed THEN u.planText END, u.sparkPlanInfo, u.sparkPlanInfo IS NOT NULL
    FROM ${staged} u
    LEFT JOIN (
      SELECT executionId, max(seq) AS lastDescribed FROM ${staged}
      WHERE kind = 'SparkListenerSQLAdaptiveExecutionUpdate' AND (physicalPlanDescription IS NOT NULL OR planText IS NOT NULL)
      GROUP BY ALL
    ) l USING (executionId)
    WHERE u.kind = 'SparkListenerSQLAdaptiveExecutionUpdate' AND u.executionId IS NOT NULL`,

  sql_metric_updates: `
    INSERT INTO sql_metric_updates
    SELECT $appKey, executionId, seq,
      CASE kind WHEN 'SparkListenerDriverAccumUpdates' THEN 'driverAccumUpdates' ELSE 'adaptiveMetrics' END,
      coalesce(accumUpdates, sqlPlanMetrics)
    FROM ${staged}
    WHERE kind IN ('SparkListenerDriverAccumUpdates', 'SparkListenerSQLAdaptiveSQLMetricUpdates')
      AND executionId IS NOT NULL`,

  environment: `
    INSERT INTO environment
    WITH env AS (
      SELECT "JVM Information", "Spark Properties", "Hadoop Properties", "System Properties", "Metrics Properties",
        "Classpath Entries"
      FROM ${staged} WHERE kind = 'SparkListenerEnvironmentUpdate'
      QUALIFY row_number() OVER (ORDER BY ${logOrder} DESC) = 1
    ), sections AS (
      SELECT 'runtime' AS section, "JVM Information" AS j FROM env
      UNION ALL SELECT 'sparkProperties', "Spark Properties" FROM env
      UNION ALL SELECT 'hadoopProperties', "Hadoop Properties" FROM env
      UNION ALL SELECT 'systemProperties', "System Properties" FROM env
      UNION ALL SELECT 'metricsProperties', "Metrics Properties" FROM env
      UNION ALL SELECT 'classpathEntries', "Classpath Entries" FROM env
    )
    -- An object (what Spark writes) is read as a map: json_each took ~35 ms and ~60 MB of memory, never given
    -- back, on a thousand properties.
    SELECT $appKey, section, unnest(map_keys(m)), unnest(map_values(m))
    FROM (SELECT section, j::MAP(VARCHAR, VARCHAR) AS m FROM sections WHERE json_type(j) = 'OBJECT')
    UNION ALL
    SELECT $appKey, section, e.key, e.value->>'$'
    FROM sections, json_each(sections.j) e
    WHERE json_type(sections.j) <> 'OBJECT'`,

  resource_profiles: `
    INSERT INTO resource_profiles
    SELECT $appKey, "Resource Profile Id", "Executor Resource Requests", "Task Resource Requests"
    FROM ${staged} WHERE kind = 'SparkListenerResourceProfileAdded' AND "Resource Profile Id" IS NOT NULL`,

  misc_processes: `
    INSERT INTO misc_processes
    SELECT $appKey, processId, info, time FROM ${staged}
    WHERE kind = 'SparkListenerMiscellaneousProcessAdded' AND processId IS NOT NULL`,

  unpersisted_rdds: `
    INSERT INTO unpersisted_rdds
    SELECT DISTINCT $appKey, "RDD ID" FROM ${staged}
    WHERE kind = 'SparkListenerUnpersistRDD' AND "RDD ID" IS NOT NULL`,
};

/** Task ends, read from the log itself, each with the accumulables the store keeps of it. */
function insertTaskEndsSql(plan: StagingPlan): string {
  return `
    INSERT INTO tasks
    SELECT $appKey, $appNo, "Stage ID", coalesce("Stage Attempt ID", 0), ti."Task ID", ti."Index", ti."Attempt",
      coalesce(ti."Partition ID", -1), ti."Launch Time", nullif(ti."Finish Time", 0),
      nullif(ti."Getting Result Time", 0), ti."Executor ID", ti."Host", ti."Locality",
      coalesce(ti."Speculative", false), "Task Type",
      CASE WHEN ti."Failed" THEN 'FAILED' WHEN coalesce(ti."Killed", false) THEN 'KILLED' ELSE 'SUCCESS' END,
      r."Reason",
      -- An exception's trace is kept once, as its message (the last column): its frames and full trace are left out here.
      CASE WHEN r."Reason" <> 'Success' THEN to_json(CASE WHEN r."Reason" = 'ExceptionFailure'
        THEN struct_update(r, "Stack Trace" := NULL::JSON, "Full Stack Trace" := NULL::VARCHAR) ELSE r END) END,
      m IS NOT NULL,
      ${taskMetricsSelect},
      coalesce(${userAccumulables(parsedTaskAccumulablesSql('ti."Accumulables"'))}, []),
      "Task Executor Metrics",
      CASE WHEN r."Reason" = 'ExceptionFailure' THEN ${exceptionSummarySql(stagedExceptionFields)} END,
      ${taskErrorMessageSql('r."Reason"', 'to_json(r)', stagedExceptionFields)}
    FROM (SELECT *, "Task Info" AS ti, "Task Metrics" AS m, "Task End Reason" AS r
          FROM (${taskEventsSql(plan, 'SparkListenerTaskEnd')})) t
    WHERE ti."Task ID" IS NOT NULL AND "Stage ID" IS NOT NULL`;
}

/** The fields of a task end's reason as the task is written (`r`, its "Task End Reason"). */
const stagedExceptionFields: ExceptionFields = {
  className: `r."Class Name"`,
  description: `r."Description"`,
  fullStackTrace: `r."Full Stack Trace"`,
  stackTrace: `r."Stack Trace"`,
};

/** Tasks that started and never ended (a running application): read only when there are more starts than ends. */
function insertRunningTasksSql(plan: StagingPlan): string {
  return `
    INSERT INTO tasks BY NAME
    SELECT $appKey AS appKey, $appNo AS appNo, "Stage ID" AS stageId, coalesce("Stage Attempt ID", 0) AS stageAttemptId,
      ti."Task ID" AS taskId, ti."Index" AS "index", ti."Attempt" AS attempt,
      coalesce(ti."Partition ID", -1) AS partitionId, ti."Launch Time" AS launchTime,
      ti."Executor ID" AS executorId, ti."Host" AS host, ti."Locality" AS taskLocality,
      coalesce(ti."Speculative", false) AS speculative, 'RUNNING' AS status, false AS hasMetrics,
      [] AS accumulables
    FROM (SELECT *, "Task Info" AS ti FROM (${taskEventsSql(plan, 'SparkListenerTaskStart')})) s
    WHERE ti."Task ID" IS NOT NULL AND "Stage ID" IS NOT NULL
      AND ti."Task ID" NOT IN (SELECT taskId FROM tasks WHERE appNo = $appNo)`;
}

/** Lines of task events that lack what a task row needs (a numbered read; run only when some were left out). */
function unusableTaskEventLinesSql(numbered: StagingPlan): string {
  // Each kind is read in its own shape, so they are united by name.
  return `SELECT line, Event AS kind FROM (
      SELECT * FROM (${taskEventsSql(numbered, 'SparkListenerTaskEnd')})
      UNION ALL BY NAME SELECT * FROM (${taskEventsSql(numbered, 'SparkListenerTaskStart')}))
    WHERE "Task Info"."Task ID" IS NULL OR "Stage ID" IS NULL ORDER BY part, line`;
}

/**
 * What the application row takes from the staged events, kept apart (temp table `staged_application`) so the staged
 * events can go once the log's rows are committed: they held ~60 MB of a 1.3 GB log's analysis.
 */
const stagedApplicationSql = `
  CREATE OR REPLACE TEMP TABLE staged_application AS
  WITH app_start AS (
    SELECT "App Name", "User", Timestamp, "Driver Logs", "Driver Attributes" FROM ${staged}
    WHERE kind = 'SparkListenerApplicationStart'
    QUALIFY row_number() OVER (ORDER BY ${logOrder}) = 1
  ), app_end AS (
    SELECT max(Timestamp) AS endTime FROM ${staged} WHERE kind = 'SparkListenerApplicationEnd'
  ), log_start AS (
    SELECT max("Spark Version") AS sparkVersion FROM ${staged}
    WHERE kind IN ('SparkListenerLogStart', 'DBCEventLoggingListenerMetadata')
  )
  SELECT s."App Name" AS appName, l.sparkVersion, s."User" AS sparkUser, s.Timestamp AS startTime, e.endTime,
    s."Driver Logs" AS driverLogs, s."Driver Attributes" AS driverAttributes
  FROM (SELECT 1) one LEFT JOIN app_start s ON true CROSS JOIN app_end e CROSS JOIN log_start l`;

/**
 * Temp table (per connection) holding the application row until its answers are committed: it is clamped there, so a
 * new application's precomputed answers, derived from clamped rows, can be committed before the row that shows them.
 */
const PENDING_APPLICATION = 'pending_application';

const applicationInsert = `
  INSERT INTO ${PENDING_APPLICATION}
  SELECT $appKey, $appId, $attemptId, appName, sparkVersion, sparkUser, startTime,
    CASE WHEN $completed THEN endTime END, $completed, $lastUpdated, driverLogs, driverAttributes,
    $sourceName, $sourceLayout, $eventsRead, $eventsSkipped, $skippedEventTypes, current_timestamp
  FROM staged_application`;

/**
 * Largest magnitude a stored number may have: the largest time, in ms since 1970, a JavaScript Date holds (and so an
 * answer can write as a date); below 2^53, so JSON readers and JavaScript hold it exactly, and sums and differences
 * stay within 64-bit arithmetic in the views. No count or size Spark logs for one task or event comes near it.
 */
const MAX_STORED_MAGNITUDE = 8_640_000_000_000_000;
/** Out-of-range values named one by one in warnings; the rest are counted. */
const MAX_CLAMP_WARNINGS = 20;

type Warning = { line: number | null; message: string };

/**
 * Each nullable BIGINT column of the tables read from a log that an out-of-range value makes unknown (task metrics
 * become 0 instead, see {@link clampOutOfRange}): fixed by the schema, so listed once per process. The precomputed
 * app_* tables and the insights are derived after the clamp, from clamped rows.
 */
let bigintColumns: Promise<Map<string, string[]>> | null = null;

async function unknowableBigintColumns(connection: DuckDBConnection): Promise<Map<string, string[]>> {
  bigintColumns ??= connection
    .runAndReadAll(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = 'main' AND data_type = 'BIGINT' AND is_nullable = 'YES'
         AND table_name IN (${applicationTables
           .filter((table) => !table.startsWith('app_') && table !== 'insights')
           .map((table) => `'${table}'`)
           .join(', ')})
         AND NOT (table_name = 'tasks' AND column_name IN (${taskMetricNames.map((name) => `'${name}'`).join(', ')}))
       ORDER BY table_name, ordinal_position`,
    )
    .then((reader) => {
      const byTable = new Map<string, string[]>();
      for (const { t, c } of reader.getRowObjectsJS() as Array<{ t: string; c: string }>) {
        byTable.set(t, [...(byTable.get(t) ?? []), c]);
      }
      return byTable;
    });
  return bigintColumns.catch((error: unknown) => {
    bigintColumns = null;
    throw error;
  });
}

/**
 * Clamps values no field can usefully hold, with a warning for each kind: every nullable BIGINT beyond
 * ±{@link MAX_STORED_MAGNITUDE} becomes NULL (unknown), except a task metric, which becomes 0 as a negative one does
 * (History Server shows every metric of a task that reported metrics, so none of them can be unknown), and a task that
 * finished before it launched, or an application, job, stage, SQL execution or executor that ended before it started,
 * is given a zero duration. A crafted or corrupted log then can never make a
 * query fail, for its own application or another one. `relationOf` names where a table's rows are (the application
 * row is clamped before it is stored: see {@link PENDING_APPLICATION}).
 */
async function clampOutOfRange(connection: DuckDBConnection, appKey: string, relationOf: (table: string) => string): Promise<Warning[]> {
  const byTable = await unknowableBigintColumns(connection);
  const found: Array<{ table: string; column: string; value: string; where: string }> = [];
  const out = (name: string): string => `"${name}" NOT BETWEEN -${MAX_STORED_MAGNITUDE} AND ${MAX_STORED_MAGNITUDE}`;
  // One query tells which columns of which tables hold such values at all (almost always none); only those are listed.
  const countsByTable = new Map(
    (
      await connection.runAndReadAll(
        [...byTable]
          .map(([table, names]) => `SELECT '${table}' AS t,
            [${names.map((name) => `count(*) FILTER (WHERE ${out(name)})::DOUBLE`).join(', ')}] AS counts
            FROM ${relationOf(table)} WHERE appKey = $appKey`)
          .join('\nUNION ALL\n'),
        { appKey },
      )
    )
      .getRowObjectsJS()
      .map((row) => [row.t as string, row.counts as number[]]),
  );
  for (const [table, names] of byTable) {
    const counts = countsByTable.get(table) ?? [];
    const offending = names.filter((_name, i) => counts[i]! > 0);
    if (offending.length === 0) continue;
    const where = table === 'tasks' ? `'task ' || taskId || ' of stage ' || stageId` : `NULL`;
    const rows = (
      await connection.runAndReadAll(
        offending
          .map((name) => `SELECT '${name}' AS c, "${name}"::VARCHAR AS v, ${where} AS w FROM ${relationOf(table)}
            WHERE appKey = $appKey AND ${out(name)}`)
          .join(' UNION ALL '),
        { appKey },
      )
    ).getRowObjectsJS() as Array<{ c: string; v: string; w: string | null }>;
    found.push(...rows.map((row) => ({ table, column: row.c, value: row.v, where: row.w ?? table })));
    for (const name of offending) {
      await connection.run(`UPDATE ${relationOf(table)} SET "${name}" = NULL WHERE appKey = $appKey AND ${out(name)}`, { appKey });
    }
  }
  const warnings: Warning[] = found.slice(0, MAX_CLAMP_WARNINGS).map((f) => ({
    line: null,
    message: `${f.where}: ${f.column} = ${f.value} is outside what the field can hold (±8.64e15); it was stored as unknown`,
  }));
  if (found.length > MAX_CLAMP_WARNINGS) {
    warnings.push({ line: null, message: `${found.length - MAX_CLAMP_WARNINGS} more values outside ±8.64e15 were stored as unknown` });
  }
  const negative = taskMetricNames.map((name) => `${name} < 0`).join(' OR ');
  const tooLarge = taskMetricNames.map((name) => `${name} > ${MAX_STORED_MAGNITUDE}`).join(' OR ');
  const [impossible] = (
    await connection.runAndReadAll(`SELECT count(*) FILTER (WHERE ${negative})::INTEGER AS negatives,
        arg_min('task ' || taskId || ' of stage ' || stageId, taskId) FILTER (WHERE ${negative}) AS firstNegative,
        count(*) FILTER (WHERE ${tooLarge})::INTEGER AS tooLarge,
        arg_min('task ' || taskId || ' of stage ' || stageId, taskId) FILTER (WHERE ${tooLarge}) AS firstTooLarge
      FROM tasks WHERE appKey = $appKey AND (${negative} OR ${tooLarge})`, { appKey })
  ).getRowObjectsJS() as Array<{ negatives: number; firstNegative: string | null; tooLarge: number; firstTooLarge: string | null }>;
  if (impossible!.negatives + impossible!.tooLarge > 0) {
    await connection.run(
      `UPDATE tasks SET ${taskMetricNames.map((name) => `${name} = CASE WHEN ${name} < 0 OR ${name} > ${MAX_STORED_MAGNITUDE} THEN 0 ELSE ${name} END`).join(', ')}
       WHERE appKey = $appKey AND (${negative} OR ${tooLarge})`,
      { appKey },
    );
  }
  if (impossible!.negatives > 0) {
    warnings.push({ line: null, message: `${counted(impossible!.negatives, 'task', impossible!.firstNegative!)} logged a negative time, size or count; stored as 0` });
  }
  if (impossible!.tooLarge > 0) {
    warnings.push({
      line: null,
      message: `${counted(impossible!.tooLarge, 'task', impossible!.firstTooLarge!)} logged a time, size or count past what the field can hold (±8.64e15); stored as 0`,
    });
  }
  // One query finds every kind of end before its start; only the kinds found are updated.
  const ended = (
    await connection.runAndReadAll(
      `SELECT kind, count(*)::INTEGER AS n, arg_min(name, ordered)::VARCHAR AS first FROM (
        ${ENDS_AFTER_STARTS.map(({ table, start, end, name, order }, kind) =>
          `SELECT ${kind} AS kind, ${name} AS name, ${order} AS ordered FROM ${relationOf(table)} WHERE appKey = $appKey AND ${end} < ${start}`).join(
          '\nUNION ALL\n',
        )}) GROUP BY kind ORDER BY kind`,
      { appKey },
    )
  ).getRowObjectsJS() as Array<{ kind: number; n: number; first: string }>;
  for (const { kind, n, first } of ended) {
    const { table, start, end, warning } = ENDS_AFTER_STARTS[kind]!;
    await connection.run(`UPDATE ${relationOf(table)} SET ${end} = ${start} WHERE appKey = $appKey AND ${end} < ${start}`, { appKey });
    warnings.push({ line: null, message: `${warning(n, first)}; stored with a duration of 0` });
  }
  return warnings;
}

/** "3 jobs (first: job 7)": how many of a kind, and the first. */
const counted = (n: number, noun: string, first: string): string => `${n} ${noun}${n > 1 ? 's' : ''} (first: ${first})`;

/**
 * What has a start and an end in the log: its columns, how one is named (`name`, the first by `order`) and the warning
 * for those that end before they start, whose end is clamped to the start.
 */
const ENDS_AFTER_STARTS: ReadonlyArray<{ table: string; start: string; end: string; name: string; order: string; warning: (n: number, first: string) => string }> = [
  {
    table: 'tasks', start: 'launchTime', end: 'finishTime', name: `'task ' || taskId || ' of stage ' || stageId`, order: 'taskId',
    warning: (n, first) => `${counted(n, 'task', first)} finished before launching`,
  },
  { table: 'applications', start: 'startTime', end: 'endTime', name: 'appKey', order: 'startTime', warning: () => 'the application ended before it started' },
  ...[
    { table: 'jobs', start: 'submissionTime', end: 'completionTime', noun: 'job', name: `'job ' || jobId` },
    { table: 'stages', start: 'submissionTime', end: 'completionTime', noun: 'stage', name: `'stage ' || stageId || '.' || attemptId` },
    { table: 'sql_executions', start: 'startTime', end: 'endTime', noun: 'SQL execution', name: `'execution ' || executionId` },
    { table: 'executors', start: 'addTime', end: 'removeTime', noun: 'executor', name: `'executor ' || executorId` },
  ].map(({ noun, ...what }) => ({
    ...what,
    order: what.start,
    warning: (n: number, first: string) => `${counted(n, noun, first)} ended before ${n > 1 ? 'they' : 'it'} started`,
  })),
];

/**
 * A stored id or count outside the 32-bit range Spark logs it in (job, stage and stage-attempt ids, task indexes,
 * attempts and partitions, a stage's number of tasks and an executor's cores are Ints in Spark's JsonProtocol; SQL
 * execution ids count up from 0). No Spark wrote such a log, the API serves these fields as 32-bit integers, and the
 * analysis would fail on them: the write is refused.
 */
export class OutOfRangeIdError extends Error {
  override readonly name = 'OutOfRangeIdError';
  constructor(
    /** The key the value is logged under ("Stage ID", "Stage IDs", "spark.sql.execution.id"...). */
    readonly key: string,
    /** The value, as DuckDB prints it. */
    readonly value: string,
  ) {
    super(`${key} ${value}, outside the 32-bit range Spark writes it in`);
  }
}

/** Each stored id or count Spark logs as a 32-bit integer: where it is stored and the key it is logged under. */
const INT32_FIELDS: ReadonlyArray<{ table: string; value: string; key: string }> = [
  { table: 'jobs', value: 'jobId', key: 'Job ID' },
  { table: 'jobs', value: 'unnest(stageIds)', key: 'Stage IDs' },
  { table: 'jobs', value: 'sqlExecutionId', key: 'spark.sql.execution.id' },
  { table: 'job_stages', value: 'stageId', key: 'Stage ID' },
  { table: 'job_stages', value: 'attemptId', key: 'Stage Attempt ID' },
  { table: 'job_stages', value: 'numTasks', key: 'Number of Tasks' },
  { table: 'stages', value: 'stageId', key: 'Stage ID' },
  { table: 'stages', value: 'attemptId', key: 'Stage Attempt ID' },
  { table: 'stages', value: 'numTasks', key: 'Number of Tasks' },
  { table: 'tasks', value: 'stageId', key: 'Stage ID' },
  { table: 'tasks', value: 'stageAttemptId', key: 'Stage Attempt ID' },
  { table: 'tasks', value: '"index"', key: 'Index' },
  { table: 'tasks', value: 'attempt', key: 'Attempt' },
  { table: 'tasks', value: 'partitionId', key: 'Partition ID' },
  { table: 'sql_executions', value: 'executionId', key: 'executionId' },
  { table: 'executors', value: 'totalCores', key: 'Total Cores' },
  // Served as GraphQL Int too: a stage's parents, RDDs and resource profile, and the profiles themselves.
  { table: 'stages', value: 'unnest(parentIds)', key: 'Parent IDs' },
  { table: 'stages', value: `unnest(${rddIdsSql('rddInfo')})`, key: 'RDD ID' },
  { table: 'stages', value: 'resourceProfileId', key: 'Resource Profile Id' },
  { table: 'stages', value: 'shuffleMergersCount', key: 'Shuffle Push Mergers Count' },
  { table: 'executors', value: 'resourceProfileId', key: 'Resource Profile Id' },
  { table: 'resource_profiles', value: 'id', key: 'Resource Profile Id' },
];

/** Throws {@link OutOfRangeIdError} for the first stored id or count of the application outside 32 bits. */
async function refuseOutOfRangeIds(connection: DuckDBConnection, appKey: string): Promise<void> {
  const [found] = (
    await connection.runAndReadAll(
      `SELECT key, value::VARCHAR AS value FROM (
        ${INT32_FIELDS.map(({ table, value, key }) => `SELECT '${key}' AS key, ${value} AS value FROM ${table} WHERE appKey = $appKey`).join(
          '\nUNION ALL\n',
        )}) WHERE value NOT BETWEEN ${-(2 ** 31)} AND ${2 ** 31 - 1} LIMIT 1`,
      { appKey },
    )
  ).getRowObjectsJS() as Array<{ key: string; value: string }>;
  if (found) throw new OutOfRangeIdError(found.key, found.value);
}

/** Warnings and counts the write adds to what staging knew (task events are only read while writing). */
export interface WriteOutcome {
  warnings: Array<{ line: number | null; message: string }>;
  eventsRead: number;
  eventsSkipped: number;
}

/** Options of {@link writeApplication}. */
export interface WriteOptions {
  /** Work on the written rows that must become visible with them, run in the transaction of the application row before its COMMIT. */
  beforeCommit?: (connection: DuckDBConnection) => Promise<void>;
  /** DuckDB threads for reading the log's task events (the database's own count when unset). */
  taskReadThreads?: number;
  /** Called when a new application's rows are committed, before what is derived from them (see writeApplication). */
  afterRowsCommitted?: () => void | Promise<void>;
  /** Staged events past which a new application's event rows are committed table by table (default 10,000). */
  commitEachTableEvents?: number;
  /** Stages one statement writes when the event rows are committed table by table (default {@link STAGES_PER_INSERT}). */
  stagesPerInsert?: number;
}

/**
 * Replaces one application attempt with the staged events and the log's task events, atomically: readers
 * see either the previous rows or all of the new ones, and a failure (or a killed process) leaves the
 * previous rows in place.
 *
 * A new application is written in four steps, each committed: its rows from the log's other events, then its task rows,
 * then the answers precomputed from its rows (for a long log, these first and last table by table), then its
 * application row (which every read goes through, so nothing of it is visible before) with its findings. Each step
 * reads with only what it needs in memory: the staged events are gone before the task read (they and the other events'
 * uncommitted rows held ~90 MB of a 1.3 GB log's), and analysis reads committed rows and answers, faster and with less
 * memory than rows still held by their transaction. A failure in a later step removes what the earlier ones committed,
 * and rows a killed process left behind are removed when the database is next opened (removeUnfinishedApplications). An
 * application already stored is replaced in one transaction, so readers keep its previous version until the new one is
 * whole.
 */
export async function writeApplication(
  connection: DuckDBConnection,
  app: ApplicationIdentity,
  plan: StagingPlan,
  options: WriteOptions = {},
): Promise<WriteOutcome> {
  // Every write is whole, so an application without a number has no rows anywhere: a new one skips ~30 deletes.
  const replacing = (await applicationNumberOf(connection, app.appKey)) !== null;
  let rowsCommitted = false;
  // A new application's rows are invisible until its application row is committed, so its steps commit one by one;
  // what a step read is dropped between transactions, where dropping a temp table frees its memory at once.
  const commitStep = async (afterCommit?: () => void | Promise<void>): Promise<void> => {
    if (replacing) return;
    await connection.run('COMMIT');
    rowsCommitted = true;
    await afterCommit?.();
    await connection.run('BEGIN TRANSACTION');
  };
  await connection.run('BEGIN TRANSACTION');
  try {
    if (replacing) await deleteApplicationRows(connection, app.appKey);
    // A long log's rows, and later its precomputed answers, are let go of table by table: held until the last one, a
    // log of 14,000 jobs and stages held them all beside the staged events (~50 MB more). A small log's 14 more commits
    // would be ~10 ms for nothing.
    const eachTable = !replacing && (await stagedEventCount(connection)) > (options.commitEachTableEvents ?? COMMIT_EACH_TABLE_EVENTS);
    const afterTable = (): Promise<void> => (eachTable ? commitStep() : Promise.resolve());
    const appNo = await writeEventRows(connection, app.appKey, afterTable, eachTable ? (options.stagesPerInsert ?? STAGES_PER_INSERT) : null);
    await commitStep(async () => {
      await dropStagedEvents(connection);
    });
    const { warnings, eventsRead, eventsSkipped } = await writeTaskRows(connection, app, appNo, plan, options);
    await refuseOutOfRangeIds(connection, app.appKey);
    await commitStep(options.afterRowsCommitted);
    // Two statements in one text, so never kept prepared: a kept CREATE ... AS, run again, made a table of no columns.
    await connection.run(`DROP TABLE IF EXISTS ${PENDING_APPLICATION}; CREATE TEMP TABLE ${PENDING_APPLICATION} AS FROM applications LIMIT 0`);
    await connection.run(applicationInsert, {
      appKey: app.appKey,
      appId: app.appId,
      attemptId: app.attemptId,
      completed: app.completed,
      lastUpdated: app.lastUpdated,
      sourceName: app.sourceName,
      sourceLayout: app.sourceLayout,
      eventsRead,
      eventsSkipped,
      skippedEventTypes: JSON.stringify(app.skippedEventTypes),
    });
    warnings.push(...(await clampOutOfRange(connection, app.appKey, (table) => (table === 'applications' ? PENDING_APPLICATION : table))));
    // What is derived from the rows alone: committed before the application row, as the rows are, a new application's
    // answers are not held by the transaction that analyses it (88 MB of a log of 6,860 stages' analysis).
    await precomputeFromRows(connection, app.appKey, afterTable);
    await commitStep();
    await connection.run(`INSERT INTO applications FROM ${PENDING_APPLICATION}`);
    await connection.run(`DROP TABLE ${PENDING_APPLICATION}`);
    for (const warning of warnings) {
      await connection.run('INSERT INTO ingest_warnings VALUES ($appKey, $line, $message)', {
        appKey: app.appKey,
        line: warning.line,
        message: warning.message,
      });
    }
    // The answers that read the application row, then its findings, become visible with it, or not at all.
    await precomputeResourceFacts(connection, app.appKey, appNo);
    await options.beforeCommit?.(connection);
    await connection.run('COMMIT');
    return { warnings, eventsRead, eventsSkipped };
  } catch (error) {
    // A failed statement may already have ended the transaction; the original error is the one to report.
    await connection.run('ROLLBACK').catch(() => undefined);
    if (rowsCommitted) await removeCommittedRows(connection, app.appKey);
    throw error;
  }
}

/** Staged events past which a new application's event rows are committed table by table (see writeApplication). */
const COMMIT_EACH_TABLE_EVENTS = 10_000;

async function stagedEventCount(connection: DuckDBConnection): Promise<number> {
  const [row] = (await connection.runAndReadAll(`SELECT count(*)::DOUBLE AS n FROM ${STAGED_EVENTS}`)).getRowObjectsJS();
  return row!.n as number;
}

/**
 * Writes an application's rows from the staged events (every table but tasks, the application row and what is
 * derived), in the caller's transaction (`afterTable` runs after each table: it may commit), and keeps what the
 * application row takes from them; returns the application's number. Given `stagesPerInsert` (a long log, committed
 * table by table), stages are written that many at a time: each stage row carries its RDD info, details and
 * accumulables (~8 KB), and the 6,860 stages of the event-heavy bench log held ~55 MB uncommitted at once.
 */
async function writeEventRows(
  connection: DuckDBConnection,
  appKey: string,
  afterTable: () => Promise<void>,
  stagesPerInsert: number | null,
): Promise<number> {
  const appNo = await assignApplicationNumber(connection, appKey);
  await connection.run(stagedApplicationSql);
  for (const [table, statement] of Object.entries(insertStatements)) {
    const ranges = table === 'stages' ? await stagedStageRanges(connection, stagesPerInsert) : [{}];
    for (const range of ranges) {
      await connection.run(statement, { appKey, ...range });
      await afterTable();
    }
  }
  return appNo;
}

/** The range of every stage id, for the stages statement's `$firstStage` and `$lastStage`. */
const EVERY_STAGE = { firstStage: null, lastStage: null };

/**
 * The staged log's stage ids (of stage events and of the stages job starts planned) cut into ranges of at most
 * `stagesPerInsert` ids each, in order; one range of every id when there is none, or no `stagesPerInsert`.
 */
async function stagedStageRanges(
  connection: DuckDBConnection,
  stagesPerInsert: number | null,
): Promise<Array<{ firstStage: number | null; lastStage: number | null }>> {
  if (stagesPerInsert === null) return [EVERY_STAGE];
  const reader = await connection.runAndReadAll(
    `SELECT min(stageId)::DOUBLE AS firstStage, max(stageId)::DOUBLE AS lastStage
     FROM (SELECT stageId, (dense_rank() OVER (ORDER BY stageId) - 1) // ${Math.max(1, Math.trunc(stagesPerInsert))} AS part
           FROM (SELECT "Stage Info"."Stage ID" AS stageId FROM ${staged}
                 WHERE kind IN ('SparkListenerStageSubmitted', 'SparkListenerStageCompleted')
                 UNION ALL
                 SELECT unnest(list_transform("Stage Infos", x -> x."Stage ID")) FROM ${staged} WHERE kind = 'SparkListenerJobStart')
           WHERE stageId IS NOT NULL)
     GROUP BY part ORDER BY firstStage`,
  );
  const ranges = reader.getRowObjectsJS() as Array<{ firstStage: number; lastStage: number }>;
  return ranges.length > 0 ? ranges : [EVERY_STAGE];
}

/**
 * Writes an application's task rows from its log, in the caller's transaction; returns the warnings so far and the
 * event counts, task events included.
 */
async function writeTaskRows(
  connection: DuckDBConnection,
  app: ApplicationIdentity,
  appNo: number,
  plan: StagingPlan,
  options: WriteOptions,
): Promise<WriteOutcome> {
  const taskCounts = await countTaskEvents(connection);
  const threads = options.taskReadThreads;
  // Several threads read at once only with the rows unordered (see withoutInsertionOrder); one keeps the log's order.
  const inAnyOrder = <T>(read: () => Promise<T>): Promise<T> => (threads === 1 ? read() : withoutInsertionOrder(connection, read));
  const readTasks = <T>(read: () => Promise<T>): Promise<T> =>
    threads === undefined ? inAnyOrder(read) : withThreads(connection, threads, () => inAnyOrder(read));
  const { endsStored, runningStored } = await readTasks(async () => {
    const ends = (await connection.run(insertTaskEndsSql(plan), { appKey: app.appKey, appNo })).rowsChanged;
    // In Spark every started task ends; more starts than ends means some tasks were still running.
    const running =
      taskCounts.starts > ends ? (await connection.run(insertRunningTasksSql(plan), { appKey: app.appKey, appNo })).rowsChanged : 0;
    return { endsStored: ends, runningStored: running };
  });
  const warnings = [...app.warnings];
  let unusableTaskEvents = 0;
  if (endsStored < taskCounts.ends || (runningStored > 0 && endsStored + runningStored < taskCounts.starts)) {
    const rows = (await connection.runAndReadAll(unusableTaskEventLinesSql(await numberedPlan(plan)))).getRowObjectsJS();
    for (const { line, kind } of rows as Array<{ line: bigint; kind: string }>) {
      warnings.push({
        line: Number(line),
        message: `line ${line}: ${kind} has no "Stage ID" or "Task Info"."Task ID"; the event was skipped`,
      });
    }
    unusableTaskEvents = rows.length;
  }
  return {
    warnings,
    eventsRead: app.eventsRead + taskCounts.starts + taskCounts.ends,
    eventsSkipped: app.eventsSkipped + unusableTaskEvents,
  };
}

/**
 * Deletes the rows a failed write of a new application had committed. If even that fails (a full disk), they stay
 * invisible and the next open of the database removes them.
 */
async function removeCommittedRows(connection: DuckDBConnection, appKey: string): Promise<void> {
  try {
    await deleteApplications(connection, [appKey]);
  } catch (error) {
    logger.warn({ err: error, appKey }, 'could not remove the rows of a failed write; the next start removes them');
  }
}
