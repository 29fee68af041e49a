/**
 * Spark's event names as the ingest knows them, and what each needs to be usable.
 *
 * SQL events carry their class's full name from Spark 2.2 on (`org.apache.spark.sql.execution.ui.
 * SparkListenerSQLExecutionStart`) and blacklisting became exclusion in Spark 3.1; both are folded into one
 * short vocabulary here so the store's SQL matches one name per concept.
 */

/** An event type the ingest stores, with the fields without which the event cannot be used. */
export interface HandledEvent {
  /** Normalized name: the class name without its package, "Blacklisted" spelled "Excluded". */
  name: string;
  /** SQL condition over the staged columns that holds when the event has what the store needs. */
  usableWhen: string;
  /** What is missing, for the warning shown when `usableWhen` fails. */
  missing: string;
}

/** Every event type the store reads; all others are skipped and counted per type. */
export const handledEvents: readonly HandledEvent[] = [
  { name: 'SparkListenerLogStart', usableWhen: '"Spark Version" IS NOT NULL', missing: '"Spark Version"' },
  // Databricks writes the Spark version in its own metadata event instead of SparkListenerLogStart.
  { name: 'DBCEventLoggingListenerMetadata', usableWhen: '"Spark Version" IS NOT NULL', missing: '"Spark Version"' },
  { name: 'SparkListenerApplicationStart', usableWhen: '"App Name" IS NOT NULL', missing: '"App Name"' },
  { name: 'SparkListenerApplicationEnd', usableWhen: 'Timestamp IS NOT NULL', missing: '"Timestamp"' },
  {
    name: 'SparkListenerEnvironmentUpdate',
    usableWhen: '"Spark Properties" IS NOT NULL',
    missing: '"Spark Properties"',
  },
  { name: 'SparkListenerResourceProfileAdded', usableWhen: '"Resource Profile Id" IS NOT NULL', missing: '"Resource Profile Id"' },
  { name: 'SparkListenerJobStart', usableWhen: '"Job ID" IS NOT NULL', missing: '"Job ID"' },
  { name: 'SparkListenerJobEnd', usableWhen: '"Job ID" IS NOT NULL', missing: '"Job ID"' },
  ...['SparkListenerStageSubmitted', 'SparkListenerStageCompleted'].map((name) => ({
    name,
    usableWhen: '"Stage Info"."Stage ID" IS NOT NULL',
    missing: '"Stage Info"."Stage ID"',
  })),
  ...['SparkListenerTaskStart', 'SparkListenerTaskEnd'].map((name) => ({
    name,
    usableWhen: '"Stage ID" IS NOT NULL AND "Task Info"."Task ID" IS NOT NULL',
    missing: '"Stage ID" or "Task Info"."Task ID"',
  })),
  { name: 'SparkListenerTaskGettingResult', usableWhen: '"Task Info"."Task ID" IS NOT NULL', missing: '"Task Info"' },
  ...['SparkListenerExecutorAdded', 'SparkListenerExecutorRemoved'].map((name) => ({
    name,
    usableWhen: '"Executor ID" IS NOT NULL',
    missing: '"Executor ID"',
  })),
  ...['SparkListenerBlockManagerAdded', 'SparkListenerBlockManagerRemoved'].map((name) => ({
    name,
    usableWhen: '"Block Manager ID"."Executor ID" IS NOT NULL',
    missing: '"Block Manager ID"',
  })),
  {
    name: 'SparkListenerStageExecutorMetrics',
    usableWhen: '"Executor ID" IS NOT NULL AND "Stage ID" IS NOT NULL',
    missing: '"Executor ID" or "Stage ID"',
  },
  ...['SparkListenerExecutorExcluded', 'SparkListenerExecutorUnexcluded', 'SparkListenerExecutorExcludedForStage'].map(
    (name) => ({ name, usableWhen: 'executorId IS NOT NULL', missing: '"executorId"' }),
  ),
  ...['SparkListenerNodeExcluded', 'SparkListenerNodeUnexcluded', 'SparkListenerNodeExcludedForStage'].map(
    (name) => ({ name, usableWhen: 'hostId IS NOT NULL', missing: '"hostId"' }),
  ),
  ...[
    'SparkListenerSQLExecutionStart',
    'SparkListenerSQLExecutionEnd',
    'SparkListenerSQLAdaptiveExecutionUpdate',
    'SparkListenerSQLAdaptiveSQLMetricUpdates',
    'SparkListenerDriverAccumUpdates',
  ].map((name) => ({ name, usableWhen: 'executionId IS NOT NULL', missing: '"executionId"' })),
  { name: 'SparkListenerMiscellaneousProcessAdded', usableWhen: 'processId IS NOT NULL', missing: '"processId"' },
  { name: 'SparkListenerUnpersistRDD', usableWhen: '"RDD ID" IS NOT NULL', missing: '"RDD ID"' },
];

