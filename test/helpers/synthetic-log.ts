import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One task of a synthetic stage; every field but the duration has a neutral default. */
export interface SyntheticTask {
  durationMs: number;
  /** Executor run time; defaults to 90% of the duration. */
  runTimeMs?: number;
  executorId?: string;
  shuffleReadBytes?: number;
  shuffleWriteBytes?: number;
  inputBytes?: number;
  outputBytes?: number;
  memoryBytesSpilled?: number;
  diskBytesSpilled?: number;
  gcTimeMs?: number;
  /** Shuffle fetch wait (ms), within the run time. */
  fetchWaitMs?: number;
  /** Spark's standard peak execution memory and shuffle write time (ns); 0 by default, as on Photon. */
  peakExecutionMemory?: number;
  shuffleWriteTimeNs?: number;
  resultSize?: number;
  /**
   * A failure reason ("ExceptionFailure", "ExecutorLostFailure", "FetchFailed", "TaskKilled", "TaskResultLost"), or
   * an exception class name (e.g. "java.lang.OutOfMemoryError") for an ExceptionFailure of that class.
   */
  failure?: string;
  /** The failure's text: the exception description, executor loss reason, fetch message or kill reason. */
  failureDetail?: string;
  /** An exception's full stack trace, as Spark 2.x+ logs it beside the class and description. */
  failureTrace?: string;
  speculative?: boolean;
  /** Partition index; defaults to the task's position in the stage (give a retry the index it retries). */
  index?: number;
  /** Attempt number of this index (0 for the first try). */
  attempt?: number;
  /**
   * Task accumulator updates as logged in Task Info; none by default. A vendor's own SQL metrics (Photon's) carry
   * metadata "sql", as Spark logs every SQL metric; without it an update is a user accumulator.
   */
  accumulables?: Array<{ name: string; update: number; metadata?: 'sql' }>;
  /** Launch delay after the stage's submission (default 1 ms); the stage ends with its last task. */
  launchAfterMs?: number;
}

/** One stage attempt; tasks all launch at submission (slots are not modelled) and it ends with its longest. */
export interface SyntheticStage {
  stageId: number;
  attemptId?: number;
  name?: string;
  details?: string;
  parentIds?: number[];
  tasks: SyntheticTask[];
  failureReason?: string;
  /** Spark's "RDD Info" list as logged (name, callsite, scope...); empty by default. */
  rddInfo?: object[];
  /** Submitted together with the job's previous stage (concurrent stages, e.g. broadcast exchanges). */
  concurrentWithPrevious?: boolean;
}

/** A SQL metric of a plan node; Spark reports it either from a stage's tasks or from the driver. */
export interface SyntheticMetric {
  name: string;
  /** Spark's metric type: "sum", "size", "timing" (ms), "nsTiming", "average". Default "sum". */
  type?: string;
  /** Its final value; a metric without one is in the plan but never reported. */
  value?: number;
  /** The stage whose completion reports the value (as an accumulable); default: a driver accumulator update. */
  stageId?: number;
}

/** A node of a SparkPlanInfo tree. */
export interface SyntheticPlanNode {
  name: string;
  simpleString?: string;
  metrics?: SyntheticMetric[];
  children?: SyntheticPlanNode[];
}

/** A SQL execution: its plan at start, an optional final adaptive plan, and the jobs it ran. */
export interface SyntheticSqlExecution {
  executionId: number;
  description?: string;
  /** Jobs (from `jobs`) that ran for it; they carry spark.sql.execution.id. */
  jobIds: number[];
  plan: SyntheticPlanNode;
  /** Logged as SparkListenerSQLAdaptiveExecutionUpdate after its jobs (latest plan wins). */
  adaptivePlan?: SyntheticPlanNode;
}

/** An exclusion event (Spark 3.1+ names), at `afterMs` from the application start. */
export interface SyntheticExclusion {
  kind: 'executor' | 'executorForStage' | 'node' | 'nodeForStage' | 'executorUnexcluded' | 'nodeUnexcluded';
  afterMs: number;
  executorId?: string;
  host?: string;
  stageId?: number;
  stageAttemptId?: number;
  failures?: number;
}

/** A job and the stages it ran, in order. */
export interface SyntheticJob {
  jobId: number;
  stages: SyntheticStage[];
  failed?: boolean;
  /** The job's failure message (with `failed`). */
  failureReason?: string;
  /** Time with no job running before this one starts (default 100 ms). */
  idleBeforeMs?: number;
  /** Write no JobEnd for it (a job that never finished). */
  unfinished?: boolean;
  /** Job property spark.job.description (what Spark or the user said the job does). */
  description?: string;
}

/** A whole application; the log is deterministic for a given spec. */
export interface SyntheticApp {
  appId: string;
  name?: string;
  sparkVersion?: string;
  /** Which event states the version: Spark's LogStart (default), Databricks' metadata event, or none. */
  versionEvent?: 'SparkListenerLogStart' | 'DBCEventLoggingListenerMetadata' | 'none';
  sparkProperties?: Record<string, string>;
  executors?: Array<{
    id: string;
    host?: string;
    cores?: number;
    /** When it registered, from the application start (default: 10 ms apart from the start). */
    addedAfterMs?: number;
    removedAfterMs?: number;
    removeReason?: string;
  }>;
  jobs: SyntheticJob[];
  sqlExecutions?: SyntheticSqlExecution[];
  exclusions?: SyntheticExclusion[];
  /** The application ends at least this long after its start (default: 100 ms after the last job). */
  durationMs?: number;
  /** Write no SparkListenerApplicationEnd (a running application). */
  running?: boolean;
  startTime?: number;
}

/** `count` copies of one task, each its own object. */
export function repeatTask(count: number, task: SyntheticTask): SyntheticTask[] {
  return Array.from({ length: count }, () => ({ ...task }));
}

/**
 * Builds a Spark event log (JSON lines, the layout Spark 3.x writes) from a small spec, so detector and
 * simulator tests can state exactly the numbers they reason about. No Spark is run.
 */
export function buildEventLog(spec: SyntheticApp): string {
  const events: object[] = [];
  const start = spec.startTime ?? 1_700_000_000_000;
  let now = start;
  const executors = spec.executors ?? [{ id: '1', host: 'host-1', cores: 4 }];
  const versionEvent = spec.versionEvent ?? 'SparkListenerLogStart';
  if (versionEvent === 'SparkListenerLogStart') events.push({ Event: versionEvent, 'Spark Version': spec.sparkVersion ?? '3.5.1' });
  if (versionEvent === 'DBCEventLoggingListenerMetadata') {
    events.push({ Event: versionEvent, 'Spark Version': spec.sparkVersion ?? '3.5.1', Timestamp: start, 'Rollover Number': 0 });
  }
  events.push({
    Event: 'SparkListenerEnvironmentUpdate',
    'JVM Information': { 'Java Home': '/usr/lib/jvm/java-17', 'Java Version': '17.0.9', 'Scala Version': 'version 2.12.18' },
    'Spark Properties': { 'spark.app.id': spec.appId, 'spark.app.name': spec.name ?? 'synthetic', ...spec.sparkProperties },
    'Hadoop Properties': {},
    'System Properties': {},
    'Metrics Properties': {},
    'Classpath Entries': {},
  });
  events.push({
    Event: 'SparkListenerApplicationStart',
    'App Name': spec.name ?? 'synthetic',
    'App ID': spec.appId,
    Timestamp: start,
    User: 'tester',
  });
  events.push({
    Event: 'SparkListenerBlockManagerAdded',
    'Block Manager ID': { 'Executor ID': 'driver', Host: 'driver-host', Port: 7000 },
    'Maximum Memory': 1_000_000_000,
    Timestamp: start,
  });
  for (const executor of executors) {
    now += 10;
    events.push({
      Event: 'SparkListenerExecutorAdded',
      Timestamp: executor.addedAfterMs === undefined ? now : start + executor.addedAfterMs,
      'Executor ID': executor.id,
      'Executor Info': { Host: executor.host ?? `host-${executor.id}`, 'Total Cores': executor.cores ?? 4, 'Log Urls': {} },
    });
  }
  const sql = sqlEvents(spec.sqlExecutions ?? []);
  const executionOfJob = new Map<number, SyntheticSqlExecution>();
  for (const execution of spec.sqlExecutions ?? []) for (const jobId of execution.jobIds) executionOfJob.set(jobId, execution);
  const started = new Set<number>();
  const startExecution = (execution: SyntheticSqlExecution): void => {
    if (started.has(execution.executionId)) return;
    started.add(execution.executionId);
    events.push(sql.start(execution, now));
  };
  const endExecution = (execution: SyntheticSqlExecution): void => {
    events.push(...sql.end(execution, now));
  };
  let taskId = 0;
  for (const job of spec.jobs) {
    now += job.idleBeforeMs ?? 100;
    const execution = executionOfJob.get(job.jobId);
    if (execution) startExecution(execution);
    const stageInfos = job.stages.map((stage) => stageInfo(stage));
    events.push({
      Event: 'SparkListenerJobStart',
      'Job ID': job.jobId,
      'Submission Time': now,
      'Stage Infos': stageInfos,
      'Stage IDs': job.stages.map((stage) => stage.stageId),
      Properties: {
        ...(execution ? { 'spark.sql.execution.id': String(execution.executionId) } : {}),
        ...(job.description !== undefined ? { 'spark.job.description': job.description } : {}),
      },
    });
    let previousSubmitted = now;
    let jobEnd = now;
    for (const stage of job.stages) {
      if (!stage.concurrentWithPrevious) now = jobEnd + 10;
      const submitted = stage.concurrentWithPrevious ? previousSubmitted : now;
      previousSubmitted = submitted;
      events.push({ Event: 'SparkListenerStageSubmitted', 'Stage Info': { ...stageInfo(stage), 'Submission Time': submitted }, Properties: {} });
      let longest = 0;
      stage.tasks.forEach((task, index) => {
        const executor = task.executorId ?? executors[index % executors.length]!.id;
        const host = executors.find((e) => e.id === executor)?.host ?? `host-${executor}`;
        const launch = submitted + (task.launchAfterMs ?? 1);
        const finish = launch + task.durationMs;
        longest = Math.max(longest, finish - submitted);
        const info = {
          'Task ID': taskId,
          Index: task.index ?? index,
          Attempt: task.attempt ?? 0,
          'Partition ID': task.index ?? index,
          'Launch Time': launch,
          'Executor ID': executor,
          Host: host,
          Locality: 'PROCESS_LOCAL',
          Speculative: task.speculative ?? false,
          'Getting Result Time': 0,
          'Finish Time': 0,
          Failed: false,
          Killed: false,
          Accumulables: [],
        };
        events.push({ Event: 'SparkListenerTaskStart', 'Stage ID': stage.stageId, 'Stage Attempt ID': stage.attemptId ?? 0, 'Task Info': info });
        const failed = task.failure !== undefined && task.failure !== 'TaskKilled';
        const killed = task.failure === 'TaskKilled';
        events.push({
          Event: 'SparkListenerTaskEnd',
          'Stage ID': stage.stageId,
          'Stage Attempt ID': stage.attemptId ?? 0,
          'Task Type': 'ResultTask',
          'Task End Reason': task.failure ? endReason(task.failure, executor, task.failureDetail, task.failureTrace) : { Reason: 'Success' },
          'Task Info': {
            ...info,
            'Finish Time': finish,
            Failed: failed,
            Killed: killed,
            Accumulables: (task.accumulables ?? []).map((a, i) => ({
              ID: 10_000 + i, Name: a.name, Update: String(a.update), Value: String(a.update), Internal: false, 'Count Failed Values': true,
              ...(a.metadata ? { Metadata: a.metadata } : {}),
            })),
          },
          'Task Metrics': {
            'Executor Deserialize Time': 1,
            'Executor Deserialize CPU Time': 1000,
            'Executor Run Time': task.runTimeMs ?? Math.round(task.durationMs * 0.9),
            'Executor CPU Time': 1000,
            'Peak Execution Memory': task.peakExecutionMemory ?? 0,
            'Result Size': task.resultSize ?? 1000,
            'JVM GC Time': task.gcTimeMs ?? 0,
            'Result Serialization Time': 0,
            'Memory Bytes Spilled': task.memoryBytesSpilled ?? 0,
            'Disk Bytes Spilled': task.diskBytesSpilled ?? 0,
            'Shuffle Read Metrics': {
              'Remote Blocks Fetched': 0,
              'Local Blocks Fetched': 1,
              'Fetch Wait Time': task.fetchWaitMs ?? 0,
              'Remote Bytes Read': 0,
              'Remote Bytes Read To Disk': 0,
              'Local Bytes Read': task.shuffleReadBytes ?? 0,
              'Total Records Read': 0,
            },
            'Shuffle Write Metrics': {
              'Shuffle Bytes Written': task.shuffleWriteBytes ?? 0,
              'Shuffle Write Time': task.shuffleWriteTimeNs ?? 0,
              'Shuffle Records Written': 0,
            },
            'Input Metrics': { 'Bytes Read': task.inputBytes ?? 0, 'Records Read': 0 },
            'Output Metrics': { 'Bytes Written': task.outputBytes ?? 0, 'Records Written': 0 },
            'Updated Blocks': [],
          },
        });
        taskId += 1;
      });
      now = submitted + longest + 1;
      jobEnd = Math.max(jobEnd, now);
      events.push({
        Event: 'SparkListenerStageCompleted',
        'Stage Info': {
          ...stageInfo(stage),
          Accumulables: sql.stageAccumulables(stage.stageId),
          'Submission Time': submitted,
          'Completion Time': now,
          ...(stage.failureReason ? { 'Failure Reason': stage.failureReason } : {}),
        },
      });
    }
    now = jobEnd + 5;
    if (!job.unfinished) events.push({
      Event: 'SparkListenerJobEnd',
      'Job ID': job.jobId,
      'Completion Time': now,
      'Job Result': job.failed
        ? { Result: 'JobFailed', Exception: { Message: job.failureReason ?? 'Job aborted' } }
        : { Result: 'JobSucceeded' },
    });
    if (execution && execution.jobIds[execution.jobIds.length - 1] === job.jobId) endExecution(execution);
  }
  for (const execution of spec.sqlExecutions ?? []) {
    if (!started.has(execution.executionId)) {
      startExecution(execution);
      endExecution(execution);
    }
  }
  for (const exclusion of spec.exclusions ?? []) events.push(exclusionEvent(exclusion, start));
  for (const executor of executors) {
    if (executor.removedAfterMs !== undefined) {
      events.push({
        Event: 'SparkListenerExecutorRemoved',
        Timestamp: start + executor.removedAfterMs,
        'Executor ID': executor.id,
        'Removed Reason': executor.removeReason ?? 'test',
      });
    }
  }
  const end = Math.max(now + 100, start + (spec.durationMs ?? 0));
  if (!spec.running) events.push({ Event: 'SparkListenerApplicationEnd', Timestamp: end });
  return `${events.map((event) => JSON.stringify(event)).join('\n')}\n`;
}

/** Writes {@link buildEventLog}'s output as `<dir>/<appId>` and returns the path. */
export function writeEventLog(dir: string, spec: SyntheticApp): string {
  const path = join(dir, spec.appId);
  writeFileSync(path, buildEventLog(spec));
  return path;
}

function stageInfo(stage: SyntheticStage): object {
  return {
    'Stage ID': stage.stageId,
    'Stage Attempt ID': stage.attemptId ?? 0,
    'Stage Name': stage.name ?? `stage ${stage.stageId}`,
    'Number of Tasks': stage.tasks.length,
    'RDD Info': stage.rddInfo ?? [],
    'Parent IDs': stage.parentIds ?? [],
    Details: stage.details ?? '',
    Accumulables: [],
    'Resource Profile Id': 0,
  };
}

function endReason(reason: string, executorId: string, detail: string | undefined, trace: string | undefined): object {
  switch (reason) {
    case 'ExecutorLostFailure':
      return {
        Reason: reason,
        'Executor ID': executorId,
        'Exit Caused By App': true,
        'Loss Reason': detail ?? 'Container killed: exceeding memory limits',
      };
    case 'FetchFailed':
      return {
        Reason: reason,
        'Block Manager Address': { 'Executor ID': executorId, Host: 'h', Port: 1 },
        'Shuffle ID': 0,
        'Map ID': 0,
        'Reduce ID': 0,
        Message: detail ?? 'Connection refused',
      };
    case 'TaskKilled':
      return { Reason: reason, 'Kill Reason': detail ?? 'another attempt succeeded' };
    case 'TaskResultLost':
    case 'Resubmitted':
      return { Reason: reason };
    default:
      return {
        Reason: 'ExceptionFailure',
        'Class Name': reason === 'ExceptionFailure' ? 'java.lang.RuntimeException' : reason,
        Description: detail ?? 'boom',
        'Stack Trace': [],
        ...(trace !== undefined ? { 'Full Stack Trace': trace } : {}),
      };
  }
}

const exclusionEvents: Record<SyntheticExclusion['kind'], string> = {
  executor: 'SparkListenerExecutorExcluded',
  executorForStage: 'SparkListenerExecutorExcludedForStage',
  node: 'SparkListenerNodeExcluded',
  nodeForStage: 'SparkListenerNodeExcludedForStage',
  executorUnexcluded: 'SparkListenerExecutorUnexcluded',
  nodeUnexcluded: 'SparkListenerNodeUnexcluded',
};

function exclusionEvent(exclusion: SyntheticExclusion, start: number): object {
  const node = exclusion.kind.startsWith('node');
  return {
    Event: `org.apache.spark.scheduler.${exclusionEvents[exclusion.kind]}`,
    time: start + exclusion.afterMs,
    ...(node ? { hostId: exclusion.host } : { executorId: exclusion.executorId }),
    ...(exclusion.kind.endsWith('ForStage') ? { stageId: exclusion.stageId, stageAttemptId: exclusion.stageAttemptId ?? 0 } : {}),
    ...(exclusion.kind.endsWith('nexcluded') ? {} : node ? { executorFailures: exclusion.failures ?? 2 } : { taskFailures: exclusion.failures ?? 2 }),
  };
}

/**
 * The SQL events of the executions: their start (with the plan's SparkPlanInfo, accumulator ids numbered from
 * 10,000), their end (adaptive plan update, driver metric updates, SQLExecutionEnd), and the metric values each
 * stage reports at completion.
 */
function sqlEvents(executions: readonly SyntheticSqlExecution[]) {
  let nextId = 10_000;
  const ids = new Map<SyntheticMetric, number>();
  const idOf = (metric: SyntheticMetric): number => {
    let id = ids.get(metric);
    if (id === undefined) ids.set(metric, (id = nextId++));
    return id;
  };
  const planInfo = (node: SyntheticPlanNode): object => ({
    nodeName: node.name,
    simpleString: node.simpleString ?? node.name,
    children: (node.children ?? []).map(planInfo),
    metadata: {},
    metrics: (node.metrics ?? []).map((metric) => ({ name: metric.name, accumulatorId: idOf(metric), metricType: metric.type ?? 'sum' })),
  });
  const metricsOf = (node: SyntheticPlanNode | undefined): SyntheticMetric[] =>
    node ? [...(node.metrics ?? []), ...(node.children ?? []).flatMap(metricsOf)] : [];
  const sqlClass = 'org.apache.spark.sql.execution.ui';
  // Number every metric up front so a metric shared by both plans keeps one accumulator.
  for (const execution of executions) {
    planInfo(execution.plan);
    if (execution.adaptivePlan) planInfo(execution.adaptivePlan);
  }
  const allMetrics = [...new Set(executions.flatMap((e) => [...metricsOf(e.plan), ...metricsOf(e.adaptivePlan)]))];
  return {
    start: (execution: SyntheticSqlExecution, time: number): object => ({
      Event: `${sqlClass}.SparkListenerSQLExecutionStart`,
      executionId: execution.executionId,
      description: execution.description ?? `query ${execution.executionId}`,
      details: '',
      physicalPlanDescription: '== Physical Plan ==',
      sparkPlanInfo: planInfo(execution.plan),
      time,
      modifiedConfigs: {},
    }),
    end: (execution: SyntheticSqlExecution, time: number): object[] => {
      const driverUpdates = [...new Set([...metricsOf(execution.plan), ...metricsOf(execution.adaptivePlan)])]
        .filter((metric) => metric.value !== undefined && metric.stageId === undefined)
        .map((metric) => [idOf(metric), metric.value]);
      return [
        ...(execution.adaptivePlan
          ? [{
              Event: `${sqlClass}.SparkListenerSQLAdaptiveExecutionUpdate`,
              executionId: execution.executionId,
              physicalPlanDescription: '== Physical Plan ==\nAdaptiveSparkPlan isFinalPlan=true',
              sparkPlanInfo: planInfo(execution.adaptivePlan),
            }]
          : []),
        ...(driverUpdates.length > 0
          ? [{ Event: `${sqlClass}.SparkListenerDriverAccumUpdates`, executionId: execution.executionId, accumUpdates: driverUpdates }]
          : []),
        { Event: `${sqlClass}.SparkListenerSQLExecutionEnd`, executionId: execution.executionId, time },
      ];
    },
    stageAccumulables: (stageId: number): object[] =>
      allMetrics
        .filter((metric) => metric.stageId === stageId && metric.value !== undefined)
        .map((metric) => ({
          ID: idOf(metric),
          Name: metric.name,
          Value: String(metric.value),
          Internal: true,
          'Count Failed Values': true,
          Metadata: 'sql',
        })),
  };
}
