/**
 * The one shape every Spark listener event is read into.
 *
 * DuckDB's JSON reader parses each line once, in parallel, straight into these typed columns; a key absent
 * from an event (older Spark, another event type) becomes NULL. That is what makes ingest fast: no line is
 * ever parsed in JavaScript. The shape is the union of the fields Spark 1.2-4.1 write (JsonProtocol), typed
 * strictly where Spark's type never changed and kept as JSON where it varies by version or vendor.
 */

const accumulable = `STRUCT("ID" BIGINT, "Name" VARCHAR, "Update" VARCHAR, "Value" VARCHAR,
  "Internal" BOOLEAN, "Count Failed Values" BOOLEAN, "Metadata" VARCHAR)`;

const stageInfo = `STRUCT(
  "Stage ID" BIGINT, "Stage Attempt ID" BIGINT, "Stage Name" VARCHAR, "Number of Tasks" BIGINT,
  "RDD Info" JSON, "Parent IDs" BIGINT[], "Details" VARCHAR, "Submission Time" BIGINT,
  "Completion Time" BIGINT, "Failure Reason" VARCHAR, "Accumulables" ${accumulable}[],
  "Resource Profile Id" BIGINT, "Shuffle Push Enabled" BOOLEAN, "Shuffle Push Mergers Count" BIGINT)`;

const taskInfo = `STRUCT(
  "Task ID" BIGINT, "Index" BIGINT, "Attempt" BIGINT, "Partition ID" BIGINT, "Launch Time" BIGINT,
  "Executor ID" VARCHAR, "Host" VARCHAR, "Locality" VARCHAR, "Speculative" BOOLEAN,
  "Getting Result Time" BIGINT, "Finish Time" BIGINT, "Failed" BOOLEAN, "Killed" BOOLEAN,
  "Accumulables" ${accumulable}[])`;

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
  "Output Metrics" STRUCT("Data Write Method" VARCHAR, "Bytes Written" BIGINT, "Records Written" BIGINT),
  "Updated Blocks" JSON)`;

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
  ExitCode: 'BIGINT',
  'Job ID': 'BIGINT',
  'Submission Time': 'BIGINT',
  'Completion Time': 'BIGINT',
  'Stage IDs': 'BIGINT[]',
  'Stage Infos': `${stageInfo}[]`,
  Properties: 'JSON',
  'Job Result': 'JSON',
  'Stage Info': stageInfo,
  'Stage ID': 'BIGINT',
  'Stage Attempt ID': 'BIGINT',
  'Task Type': 'VARCHAR',
  'Task End Reason': 'JSON',
  'Task Info': taskInfo,
  'Task Metrics': taskMetrics,
  'Task Executor Metrics': 'JSON',
  'Executor ID': 'VARCHAR',
  'Executor Info': `STRUCT("Host" VARCHAR, "Total Cores" BIGINT, "Log Urls" JSON, "Attributes" JSON,
    "Resources" JSON, "Resource Profile Id" BIGINT, "Registration Time" BIGINT, "Request Time" BIGINT)`,
  'Removed Reason': 'VARCHAR',
  'Block Manager ID': 'STRUCT("Executor ID" VARCHAR, "Host" VARCHAR, "Port" BIGINT)',
  'Maximum Memory': 'BIGINT',
  'Maximum Onheap Memory': 'BIGINT',
  'Maximum Offheap Memory': 'BIGINT',
  'Executor Metrics': 'JSON',
  'Executor Metrics Updated': 'JSON',
  'Block Updated Info': 'JSON',
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

/** The `columns` argument of DuckDB's read_json for {@link eventColumns}, as SQL text. */
export function readJsonColumnsSql(): string {
  const entries = Object.entries(eventColumns).map(
    ([name, type]) => `'${name.replaceAll("'", "''")}': '${type.replaceAll("'", "''").replace(/\s+/g, ' ')}'`,
  );
  return `{${entries.join(', ')}}`;
}
