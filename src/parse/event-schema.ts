/**
 * The one shape every Spark listener event is read into.
 *
 * DuckDB's JSON reader parses each line once, in parallel, straight into these typed columns; a key absent
 * from an event (older Spark, another event type) becomes NULL. That is what makes ingest fast: no line is
 * ever parsed in JavaScript. The shape is the union of the fields Spark 1.2-4.1 write (JsonProtocol), typed
 * strictly where Spark's type never changed and kept as JSON where it varies by version or vendor. A field the
 * store does not read is left out (the reader skips keys a shape does not name): a task end's "Updated Blocks", for
 * one, lists every block a task cached, and was held for every task only to be dropped.
 */

/**
 * The job and stage properties the store reads. A job's properties hold every SQL configuration its session set
 * (kilobytes per event), so only these are parsed: a log of ten thousand jobs held ~60 MB of them while it was staged.
 */
export const STORED_PROPERTY_KEYS = [
  'spark.job.description',
  'spark.jobGroup.id',
  'spark.job.tags',
  'spark.scheduler.pool',
  'spark.sql.execution.id',
] as const;

const accumulable = `STRUCT("ID" BIGINT, "Name" VARCHAR, "Update" VARCHAR, "Value" VARCHAR,
  "Internal" BOOLEAN, "Count Failed Values" BOOLEAN, "Metadata" VARCHAR)`;

const stageInfo = `STRUCT(
  "Stage ID" BIGINT, "Stage Attempt ID" BIGINT, "Stage Name" VARCHAR, "Number of Tasks" BIGINT,
  "RDD Info" JSON, "Parent IDs" BIGINT[], "Details" VARCHAR, "Submission Time" BIGINT,
  "Completion Time" BIGINT, "Failure Reason" VARCHAR, "Accumulables" ${accumulable}[],
  "Resource Profile Id" BIGINT, "Shuffle Push Enabled" BOOLEAN, "Shuffle Push Mergers Count" BIGINT)`;

const taskInfoFields = `
  "Task ID" BIGINT, "Index" BIGINT, "Attempt" BIGINT, "Partition ID" BIGINT, "Launch Time" BIGINT,
  "Executor ID" VARCHAR, "Host" VARCHAR, "Locality" VARCHAR, "Speculative" BOOLEAN,
  "Getting Result Time" BIGINT, "Finish Time" BIGINT, "Failed" BOOLEAN, "Killed" BOOLEAN`;
/** Task accumulables are read only with task ends (see {@link taskEndColumns}). */
const taskInfo = `STRUCT(${taskInfoFields})`;

/** One accumulable, as a task end's accumulables are parsed (see the task insert in the application writer). */
export const ACCUMULABLE_TYPE = accumulable.replace(/\s+/g, ' ');

const shufflePushReadMetrics = `STRUCT(
  "Corrupt Merged Block Chunks" BIGINT, "Merged Fallback Count" BIGINT, "Merged Fetch Fallback Count" BIGINT,
  "Merged Remote Blocks Fetched" BIGINT, "Merged Local Blocks Fetched" BIGINT,
  "Merged Remote Chunks Fetched" BIGINT, "Merged Local Chunks Fetched" BIGINT,
  "Merged Remote Bytes Read" BIGINT, "Merged Local Bytes Read" BIGINT, "Merged Remote Requests Duration" BIGINT)`;

const taskMetrics = `STRUCT(
  "Host Name" VARCHAR,
  "Executor Deserialize Time" BIGINT, "Executor Deserialize CPU Time" BIGINT,
  "Executor Run Time" BIGINT, "Executor CPU Time" BIGINT,
  "Peak Execution Memory" BIGINT, "Result Size" BIGINT, "JVM GC Time" BIGINT,
  "Result Serialization Time" BIGINT, "Memory Bytes Spilled" BIGINT, "Disk Bytes Spilled" BIGINT,
  "Shuffle Read Metrics" STRUCT(
    "Remote Blocks Fetched" BIGINT, "Local Blocks Fetched" BIGINT, "Fetch Wait Time" BIGINT,
    "Remote Bytes Read" BIGINT, "Remote Bytes Read To Disk" BIGINT, "Local Bytes Read" BIGINT,
    "Total Records Read" BIGINT, "Remote Requests Duration" BIGINT,
    "Shuffle Push Read Metrics" ${shufflePushReadMetrics},
    "Push Based Shuffle" ${shufflePushReadMetrics}),
  "Shuffle Write Metrics" STRUCT(
    "Shuffle Bytes Written" BIGINT, "Shuffle Write Time" BIGINT, "Shuffle Records Written" BIGINT),
  "Input Metrics" STRUCT("Data Read Method" VARCHAR, "Bytes Read" BIGINT, "Records Read" BIGINT),
  "Output Metrics" STRUCT("Data Write Method" VARCHAR, "Bytes Written" BIGINT, "Records Written" BIGINT))`;

/** Executor memory and GC peaks (Spark 3.0+), by the names Spark logs them under, in Spark's order. */
export const executorMetricNames: readonly string[] = [
  'JVMHeapMemory', 'JVMOffHeapMemory', 'OnHeapExecutionMemory', 'OffHeapExecutionMemory', 'OnHeapStorageMemory',
  'OffHeapStorageMemory', 'OnHeapUnifiedMemory', 'OffHeapUnifiedMemory', 'DirectPoolMemory', 'MappedPoolMemory',
  'ProcessTreeJVMVMemory', 'ProcessTreeJVMRSSMemory', 'ProcessTreePythonVMemory', 'ProcessTreePythonRSSMemory',
  'ProcessTreeOtherVMemory', 'ProcessTreeOtherRSSMemory', 'MinorGCCount', 'MinorGCTime', 'MajorGCCount',
  'MajorGCTime', 'TotalGCTime', 'ConcurrentGCCount', 'ConcurrentGCTime',
];

/** The executor metrics as one struct, a field per metric. */
export const executorMetricsType = `STRUCT(${executorMetricNames.map((name) => `"${name}" BIGINT`).join(', ')})`;

/** Every field any TaskEndReason logs (ExceptionFailure, ExecutorLostFailure, FetchFailed, TaskKilled...). */
const taskEndReason = `STRUCT(
  "Reason" VARCHAR, "Class Name" VARCHAR, "Description" VARCHAR, "Full Stack Trace" VARCHAR, "Stack Trace" JSON,
  "Kill Reason" VARCHAR, "Executor ID" VARCHAR, "Exit Caused By App" BOOLEAN, "Loss Reason" VARCHAR,
  "Block Manager Address" STRUCT("Executor ID" VARCHAR, "Host" VARCHAR, "Port" BIGINT),
  "Shuffle ID" BIGINT, "Map ID" BIGINT, "Map Index" BIGINT, "Reduce ID" BIGINT, "Message" VARCHAR,
  "Job ID" BIGINT, "Partition ID" BIGINT, "Attempt Number" BIGINT)`;

/** Column name → DuckDB type, in the order the staging table gets them. */
export const eventColumns: Readonly<Record<string, string>> = {
  Event: 'VARCHAR',
  // Scalars shared by several event types.
  Timestamp: 'BIGINT',
  'Spark Version': 'VARCHAR',
  'App Name': 'VARCHAR',
  'App ID': 'VARCHAR',
  'App Attempt ID': 'VARCHAR',
  User: 'VARCHAR',
  'Driver Logs': 'JSON',
  'Driver Attributes': 'JSON',
  'Job ID': 'BIGINT',
  'Submission Time': 'BIGINT',
  'Completion Time': 'BIGINT',
  'Stage IDs': 'BIGINT[]',
  'Stage Infos': `${stageInfo}[]`,
  Properties: `STRUCT(${STORED_PROPERTY_KEYS.map((key) => `"${key}" VARCHAR`).join(', ')})`,
  'Job Result': 'JSON',
  'Stage Info': stageInfo,
  'Stage ID': 'BIGINT',
  'Stage Attempt ID': 'BIGINT',
  'Task Type': 'VARCHAR',
  'Task End Reason': taskEndReason,
  'Task Info': taskInfo,
  'Task Metrics': taskMetrics,
  'Task Executor Metrics': executorMetricsType,
  'Executor ID': 'VARCHAR',
  'Executor Info': `STRUCT("Host" VARCHAR, "Total Cores" BIGINT, "Log Urls" JSON, "Attributes" JSON,
    "Resources" JSON, "Resource Profile Id" BIGINT, "Registration Time" BIGINT, "Request Time" BIGINT)`,
  'Removed Reason': 'VARCHAR',
  'Block Manager ID': 'STRUCT("Executor ID" VARCHAR, "Host" VARCHAR, "Port" BIGINT)',
  'Maximum Memory': 'BIGINT',
  'Maximum Onheap Memory': 'BIGINT',
  'Maximum Offheap Memory': 'BIGINT',
  'Executor Metrics': 'JSON',
  'RDD ID': 'BIGINT',
  'Resource Profile Id': 'BIGINT',
  'Executor Resource Requests': 'JSON',
  'Task Resource Requests': 'JSON',
  'JVM Information': 'JSON',
  'Spark Properties': 'JSON',
  'Hadoop Properties': 'JSON',
  'System Properties': 'JSON',
  'Metrics Properties': 'JSON',
  'Classpath Entries': 'JSON',
  // Exclusion (formerly blacklisting) events use camelCase keys.
  time: 'BIGINT',
  executorId: 'VARCHAR',
  hostId: 'VARCHAR',
  taskFailures: 'BIGINT',
  executorFailures: 'BIGINT',
  stageId: 'BIGINT',
  stageAttemptId: 'BIGINT',
  // SQL execution events (org.apache.spark.sql.execution.ui.*).
  executionId: 'BIGINT',
  rootExecutionId: 'BIGINT',
  description: 'VARCHAR',
  details: 'VARCHAR',
  physicalPlanDescription: 'VARCHAR',
  sparkPlanInfo: 'JSON',
  modifiedConfigs: 'JSON',
  errorMessage: 'VARCHAR',
  accumUpdates: 'JSON',
  sqlPlanMetrics: 'JSON',
  // Miscellaneous processes (e.g. a Spark Connect or Python worker registered with the driver).
  processId: 'VARCHAR',
  info: 'JSON',
};

function pick(names: readonly string[]): Readonly<Record<string, string>> {
  return Object.fromEntries(names.map((name) => [name, eventColumns[name]!]));
}

/**
 * Task ends, most of a big log's bytes, are read in their own narrow shape. Their accumulables come as text, to be
 * parsed only where they may hold one the store keeps: most are internal and SQL metrics (hundreds on Photon and
 * RAPIDS task ends), while a counter in every task puts a user accumulator on every task end.
 */
export const taskEndColumns: Readonly<Record<string, string>> = {
  ...pick(['Stage ID', 'Stage Attempt ID', 'Task Type', 'Task End Reason', 'Task Metrics', 'Task Executor Metrics']),
  'Task Info': `STRUCT(${taskInfoFields}, "Accumulables" JSON)`,
};

/**
 * The shape of every staged event: all of {@link eventColumns} but the task end's own fields. Task starts and
 * ends are read straight from the log in their own shapes and never staged; leaving their ~90 nested fields
 * out of the staged shape halves what each parsed batch of other events holds.
 */
export const stagedEventColumns: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(eventColumns).filter(
    ([name]) => !['Task Type', 'Task End Reason', 'Task Metrics', 'Task Executor Metrics'].includes(name),
  ),
);

/** Task starts only say which tasks were launched. */
export const taskStartColumns = pick(['Stage ID', 'Stage Attempt ID', 'Task Info']);

/** The `columns` argument of DuckDB's read_json for a column map, as SQL text. */
export function readJsonColumnsSql(columns: Readonly<Record<string, string>>): string {
  const entries = Object.entries(columns).map(
    ([name, type]) => `'${name.replaceAll("'", "''")}': '${type.replaceAll("'", "''").replace(/\s+/g, ' ')}'`,
  );
  return `{${entries.join(', ')}}`;
}

/** A `json_transform` structure argument (SQL string literal) for a column map. */
export function jsonShapeSql(columns: Readonly<Record<string, string>>): string {
  const shape = Object.fromEntries(Object.entries(columns).map(([name, type]) => [name, type.replace(/\s+/g, ' ')]));
  return `'${JSON.stringify(shape).replaceAll("'", "''")}'`;
}
