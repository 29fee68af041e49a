/**
 * Tables of the analysis database. Every row belongs to one application attempt (`appKey`: the app id, or
 * `<appId>/<attemptId>` when Spark gave the attempt an id). Column names follow Spark History Server's REST
 * JSON where the meaning is the same, so the views and the API layers can pass them through. Times are epoch
 * milliseconds (BIGINT), as Spark writes them.
 */

import { INSIGHT_COLUMNS } from '../model/insight.js';
import { executorMetricsType } from '../parse/event-schema.js';
import { exceptionSummaryType, storedExceptionFields, taskErrorMessageSql } from './task-exceptions.js';

/**
 * Bumped whenever a table's layout changes. A file of an older version is brought up to date by the steps of
 * {@link schemaMigrations}, or refused when one is missing; a file of a newer version is refused.
 */
export const SCHEMA_VERSION = 10;

/**
 * SQL that brings a file from the schema version it is keyed by to the next one. Analysis data is derived from event
 * logs, so a change with no step here asks for the file to be deleted and the logs ingested again.
 */
export const schemaMigrations: Readonly<Record<number, string>> = {
  // job_stages kept each planned stage's name, parents, details and RDD info once for every job that planned it, and
  // nothing read them: a job's start lists every stage of its lineage, so an iterative application's grew with jobs
  // times stages.
  5: ['name', 'parentIds', 'details', 'rddInfo', 'resourceProfileId'].map((column) => `ALTER TABLE job_stages DROP COLUMN ${column};`).join('\n'),
  // The failure detectors read each exception's trace to classify it: thousands of 20 KB traces took a failing job's
  // ingest from ~300 to ~530 MB. The classification is now written with the task. Stored tasks keep none (filling it
  // would read every stored trace, and hold every new value, in the one transaction a migration is): the detectors
  // summarize those as they read them.
  6: `ALTER TABLE tasks ADD COLUMN exception ${exceptionSummaryType};`,
  // A query's text (an execution's description) of megabytes was held whole by every stage of an ingest: a hundred of
  // 3 MB ran the default memory limit out. A long one is now kept in plan_texts, as a long plan description is.
  7: 'ALTER TABLE sql_executions ADD COLUMN descriptionText BIGINT;',
  // Which updates hold a plan was found from the plan itself: DuckDB read every plan tree of the application (~20 MB
  // on a log of 560 re-plans) to test it for NULL, for each batch of final plans the detectors read.
  8: `ALTER TABLE sql_plan_updates ADD COLUMN hasPlan BOOLEAN;
      UPDATE sql_plan_updates SET hasPlan = sparkPlanInfo IS NOT NULL;`,
  // A failed task's message was rendered from its stored detail by the task view, and DuckDB binds a view's
  // expressions with every query that reads it: ~3 ms of planning in each query of tasks. It is written with the task
  // now; stored tasks get theirs here (only failed tasks have one), and keep their detail as it was.
  9: `ALTER TABLE tasks ADD COLUMN errorMessage VARCHAR;
      UPDATE tasks SET errorMessage = ${taskErrorMessageSql('endReason', 'endReasonDetail', storedExceptionFields)}
      WHERE endReasonDetail IS NOT NULL;`,
};

/** Names of the per-task metric columns (History Server's StageData names), in table order. */
export const taskMetricNames = [
  'executorDeserializeTime', 'executorDeserializeCpuTime', 'executorRunTime', 'executorCpuTime', 'resultSize',
  'jvmGcTime', 'resultSerializationTime', 'memoryBytesSpilled', 'diskBytesSpilled', 'peakExecutionMemory',
  'inputBytes', 'inputRecords', 'outputBytes', 'outputRecords',
  'shuffleRemoteBlocksFetched', 'shuffleLocalBlocksFetched', 'shuffleFetchWaitTime', 'shuffleRemoteBytesRead',
  'shuffleRemoteBytesReadToDisk', 'shuffleLocalBytesRead', 'shuffleReadRecords', 'shuffleRemoteReqsDuration',
  'shuffleCorruptMergedBlockChunks', 'shuffleMergedFetchFallbackCount', 'shuffleMergedRemoteBlocksFetched',
  'shuffleMergedLocalBlocksFetched', 'shuffleMergedRemoteChunksFetched', 'shuffleMergedLocalChunksFetched',
  'shuffleMergedRemoteBytesRead', 'shuffleMergedLocalBytesRead', 'shuffleMergedRemoteReqsDuration',
  'shuffleWriteBytes', 'shuffleWriteTime', 'shuffleWriteRecords',
] as const;

/** One value per task metric, as DuckDB returns BIGINTs (a task's metrics, or their totals over a stage). */
export type TaskMetricValues = Record<(typeof taskMetricNames)[number], bigint>;

// The insight's columns come from the model's one definition (src/model/insight.ts), so they cannot drift from it.
const insightColumns = Object.entries(INSIGHT_COLUMNS).map(([name, type]) => `${name} ${type}`).join(',\n  ');

const taskMetricColumns = taskMetricNames.map((name) => `${name} BIGINT`).join(',\n  ');

const accumulableType = `STRUCT(id BIGINT, name VARCHAR, "update" VARCHAR, "value" VARCHAR,
  internal BOOLEAN, metadata VARCHAR)[]`;

/** Every table the ingest writes, keyed by `appKey`; order matters only for readability. */
export const applicationTables = [
  'applications',
  'jobs',
  'job_stages',
  'stages',
  'tasks',
  'executors',
  'executor_exclusions',
  'stage_executor_metrics',
  'sql_executions',
  'sql_plan_updates',
  'sql_metric_updates',
  'environment',
  'resource_profiles',
  'misc_processes',
  'unpersisted_rdds',
  'ingest_warnings',
  'insights',
  'application_numbers',
  // Precomputed per-application answers (src/store/precompute.ts).
  'app_stages',
  'app_jobs',
  'app_executors',
  'app_stage_executors',
  'app_stage_peaks',
  'app_stage_speculation',
  'app_totals',
  'app_task_quantiles',
  'app_resource_facts',
] as const;

/** DDL for every table; idempotent. */
export const createTablesSql = `
CREATE TABLE IF NOT EXISTS applications (
  appKey VARCHAR PRIMARY KEY,
  appId VARCHAR NOT NULL,
  attemptId VARCHAR,
  name VARCHAR,
  sparkVersion VARCHAR,
  sparkUser VARCHAR,
  startTime BIGINT,
  endTime BIGINT,
  completed BOOLEAN NOT NULL,
  lastUpdated BIGINT NOT NULL,
  driverLogs JSON,
  driverAttributes JSON,
  sourceName VARCHAR NOT NULL,
  sourceLayout VARCHAR NOT NULL,
  eventsRead BIGINT NOT NULL,
  eventsSkipped BIGINT NOT NULL,
  skippedEventTypes JSON,
  ingestedAt TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE IF NOT EXISTS jobs (
  appKey VARCHAR NOT NULL,
  jobId BIGINT NOT NULL,
  name VARCHAR,
  description VARCHAR,
  jobGroup VARCHAR,
  jobTags VARCHAR[],
  schedulingPool VARCHAR,
  sqlExecutionId BIGINT,
  submissionTime BIGINT,
  completionTime BIGINT,
  stageIds BIGINT[],
  status VARCHAR NOT NULL,
  failureReason VARCHAR,
  PRIMARY KEY (appKey, jobId)
);

-- The stages a job planned (from JobStart), whether or not they ran: skipped stages are found here.
CREATE TABLE IF NOT EXISTS job_stages (
  appKey VARCHAR NOT NULL,
  jobId BIGINT NOT NULL,
  stageId BIGINT NOT NULL,
  attemptId BIGINT NOT NULL,
  numTasks BIGINT
);

CREATE TABLE IF NOT EXISTS stages (
  appKey VARCHAR NOT NULL,
  stageId BIGINT NOT NULL,
  attemptId BIGINT NOT NULL,
  name VARCHAR,
  numTasks BIGINT,
  parentIds BIGINT[],
  rddInfo JSON,
  details VARCHAR,
  description VARCHAR,
  schedulingPool VARCHAR,
  resourceProfileId BIGINT,
  isShufflePushEnabled BOOLEAN,
  shuffleMergersCount BIGINT,
  submissionTime BIGINT,
  completionTime BIGINT,
  failureReason VARCHAR,
  status VARCHAR NOT NULL,
  accumulables ${accumulableType},
  PRIMARY KEY (appKey, stageId, attemptId)
);

-- appNo (application_numbers) keeps one application's tasks findable by zonemap: see application_numbers.
CREATE TABLE IF NOT EXISTS tasks (
  appKey VARCHAR NOT NULL,
  appNo BIGINT NOT NULL,
  stageId BIGINT NOT NULL,
  stageAttemptId BIGINT NOT NULL,
  taskId BIGINT NOT NULL,
  "index" BIGINT,
  attempt BIGINT,
  partitionId BIGINT,
  launchTime BIGINT,
  finishTime BIGINT,
  gettingResultStartTime BIGINT,
  executorId VARCHAR,
  host VARCHAR,
  taskLocality VARCHAR,
  speculative BOOLEAN,
  taskType VARCHAR,
  status VARCHAR NOT NULL,
  endReason VARCHAR,
  endReasonDetail JSON,
  hasMetrics BOOLEAN NOT NULL,
  ${taskMetricColumns},
  accumulables ${accumulableType},
  peakExecutorMetrics ${executorMetricsType},
  -- An ExceptionFailure's class, memory cause and message start, found as the task is written (see task-exceptions).
  exception ${exceptionSummaryType},
  -- Spark's error string for the task's end reason (History Server's errorMessage), NULL for a success.
  errorMessage VARCHAR
);

CREATE TABLE IF NOT EXISTS executors (
  appKey VARCHAR NOT NULL,
  executorId VARCHAR NOT NULL,
  host VARCHAR,
  port BIGINT,
  totalCores BIGINT,
  addTime BIGINT,
  removeTime BIGINT,
  removeReason VARCHAR,
  executorLogs JSON,
  attributes JSON,
  resources JSON,
  resourceProfileId BIGINT,
  maxMemory BIGINT,
  maxOnHeapMemory BIGINT,
  maxOffHeapMemory BIGINT,
  blockManagerRemoveTime BIGINT,
  PRIMARY KEY (appKey, executorId)
);

-- Spark 2.1-3.0 called exclusion "blacklisting"; both event families land here with one vocabulary.
CREATE TABLE IF NOT EXISTS executor_exclusions (
  appKey VARCHAR NOT NULL,
  seq BIGINT NOT NULL,
  kind VARCHAR NOT NULL,
  time BIGINT,
  executorId VARCHAR,
  hostId VARCHAR,
  stageId BIGINT,
  stageAttemptId BIGINT,
  failures BIGINT
);

CREATE TABLE IF NOT EXISTS stage_executor_metrics (
  appKey VARCHAR NOT NULL,
  stageId BIGINT NOT NULL,
  stageAttemptId BIGINT NOT NULL,
  executorId VARCHAR NOT NULL,
  metrics JSON
);

CREATE TABLE IF NOT EXISTS sql_executions (
  appKey VARCHAR NOT NULL,
  executionId BIGINT NOT NULL,
  rootExecutionId BIGINT,
  description VARCHAR,
  details VARCHAR,
  physicalPlanDescription VARCHAR,
  -- A long description is kept in plan_texts instead, under this id (the column above is then NULL).
  planText BIGINT,
  sparkPlanInfo JSON,
  modifiedConfigs JSON,
  startTime BIGINT,
  endTime BIGINT,
  errorMessage VARCHAR,
  -- A long query text (description) is kept in plan_texts instead, under this id (description is then NULL).
  descriptionText BIGINT,
  PRIMARY KEY (appKey, executionId)
);

-- Adaptive query execution re-plans: every version is kept, in log order; the last is the final plan.
CREATE TABLE IF NOT EXISTS sql_plan_updates (
  appKey VARCHAR NOT NULL,
  executionId BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  physicalPlanDescription VARCHAR,
  planText BIGINT,
  sparkPlanInfo JSON,
  -- Whether sparkPlanInfo holds a plan: tested on the tree itself, a filter read every tree of the application.
  hasPlan BOOLEAN
);

-- Plan descriptions too long to travel with their rows (see src/store/plan-texts.ts): written and committed a
-- batch at a time while a log is read, in pieces of a few dozen characters, and reached through the planText ids of
-- the rows that show them. Ids only grow, so one application's texts lie together and zonemaps skip the rest.
CREATE SEQUENCE IF NOT EXISTS plan_text_ids START 1;
CREATE TABLE IF NOT EXISTS plan_texts (
  textId BIGINT NOT NULL,
  piece INTEGER NOT NULL,
  text VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS sql_metric_updates (
  appKey VARCHAR NOT NULL,
  executionId BIGINT NOT NULL,
  seq BIGINT NOT NULL,
  kind VARCHAR NOT NULL,
  payload JSON
);

CREATE TABLE IF NOT EXISTS environment (
  appKey VARCHAR NOT NULL,
  section VARCHAR NOT NULL,
  key VARCHAR NOT NULL,
  value VARCHAR
);

CREATE TABLE IF NOT EXISTS resource_profiles (
  appKey VARCHAR NOT NULL,
  id BIGINT NOT NULL,
  executorResources JSON,
  taskResources JSON
);

CREATE TABLE IF NOT EXISTS misc_processes (
  appKey VARCHAR NOT NULL,
  processId VARCHAR NOT NULL,
  info JSON,
  addTime BIGINT
);

-- RDDs the application unpersisted (SparkListenerUnpersistRDD): no longer cached, History Server forgets them.
CREATE TABLE IF NOT EXISTS unpersisted_rdds (
  appKey VARCHAR NOT NULL,
  rddId BIGINT NOT NULL
);

-- Findings of the detectors (src/analysis), computed once after each ingest so queries read them instantly.
CREATE TABLE IF NOT EXISTS insights (
  appKey VARCHAR NOT NULL,
  ${insightColumns},
  PRIMARY KEY (appKey, id)
);

-- Who uploaded each application attempt (src/store/application-uploads.ts): the principal's subject
-- (\`token:<name>\`, \`google:<email>\`, \`local\`). Not an application table: an attempt ingested by the CLI
-- has no uploader, and deleting an attempt forgets its uploader itself (forgetUploaders).
CREATE TABLE IF NOT EXISTS application_uploads (
  appKey VARCHAR PRIMARY KEY,
  uploadedBy VARCHAR NOT NULL,
  uploadedAt TIMESTAMP NOT NULL
);

-- A number per stored application, new at every write. DuckDB's zonemaps keep only an 8-byte prefix of a
-- VARCHAR, which every Spark application id shares ("applicati", "local-17"), so filtering tasks by appKey
-- reads every row group; filtering by this integer reads only the application's own.
CREATE SEQUENCE IF NOT EXISTS application_number START 1;
CREATE TABLE IF NOT EXISTS application_numbers (
  appKey VARCHAR PRIMARY KEY,
  appNo BIGINT NOT NULL
);

-- History Server's task quantiles of each stage attempt at the quantiles every client asks for by default
-- (src/store/task-summary.ts): metricValues[i] holds metric i's values at \`quantiles\`.
CREATE TABLE IF NOT EXISTS app_task_quantiles (
  appKey VARCHAR NOT NULL,
  stageId BIGINT NOT NULL,
  stageAttemptId BIGINT NOT NULL,
  quantiles DOUBLE[] NOT NULL,
  metricValues DOUBLE[][] NOT NULL
);

-- What cost and fleet questions read of each application (src/store/cost-store.ts): executor time held,
-- with and without cores, task time, failed task time (ms), and the Spark properties cost needs.
CREATE TABLE IF NOT EXISTS app_resource_facts (
  appKey VARCHAR PRIMARY KEY,
  durationMs BIGINT NOT NULL,
  executors BIGINT NOT NULL,
  executorCoreMs DOUBLE NOT NULL,
  executorMs DOUBLE NOT NULL,
  driverExecutorCores BIGINT,
  taskMs DOUBLE NOT NULL,
  failedTaskMs DOUBLE NOT NULL,
  tasks BIGINT NOT NULL,
  properties JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS ingest_warnings (
  appKey VARCHAR NOT NULL,
  line BIGINT,
  message VARCHAR NOT NULL
);
`;
