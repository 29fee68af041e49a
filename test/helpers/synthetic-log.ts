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
  resultSize?: number;
  /** A failure reason ("ExceptionFailure", "ExecutorLostFailure", "FetchFailed", "TaskKilled"...). */
  failure?: string;
  speculative?: boolean;
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
}

/** A job and the stages it ran, in order. */
export interface SyntheticJob {
  jobId: number;
  stages: SyntheticStage[];
  failed?: boolean;
}

/** A whole application; the log is deterministic for a given spec. */
export interface SyntheticApp {
  appId: string;
  name?: string;
  sparkVersion?: string;
  sparkProperties?: Record<string, string>;
  executors?: Array<{ id: string; host?: string; cores?: number; removedAfterMs?: number }>;
  jobs: SyntheticJob[];
  /** Write no SparkListenerApplicationEnd (a running application). */
  running?: boolean;
  startTime?: number;
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
  events.push({ Event: 'SparkListenerLogStart', 'Spark Version': spec.sparkVersion ?? '3.5.1' });
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
      Timestamp: now,
      'Executor ID': executor.id,
      'Executor Info': { Host: executor.host ?? `host-${executor.id}`, 'Total Cores': executor.cores ?? 4, 'Log Urls': {} },
    });
  }
  let taskId = 0;
  for (const job of spec.jobs) {
    now += 100;
    const stageInfos = job.stages.map((stage) => stageInfo(stage));
    events.push({
      Event: 'SparkListenerJobStart',
      'Job ID': job.jobId,
      'Submission Time': now,
      'Stage Infos': stageInfos,
      'Stage IDs': job.stages.map((stage) => stage.stageId),
      Properties: {},
    });
    for (const stage of job.stages) {
      now += 10;
      const submitted = now;
      events.push({ Event: 'SparkListenerStageSubmitted', 'Stage Info': { ...stageInfo(stage), 'Submission Time': submitted }, Properties: {} });
      let longest = 0;
      stage.tasks.forEach((task, index) => {
        const executor = task.executorId ?? executors[index % executors.length]!.id;
        const host = executors.find((e) => e.id === executor)?.host ?? `host-${executor}`;
        const launch = submitted + 1;
        const finish = launch + task.durationMs;
        longest = Math.max(longest, task.durationMs + 1);
        const info = {
          'Task ID': taskId,
          Index: index,
          Attempt: 0,
          'Partition ID': index,
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
          'Task End Reason': task.failure ? endReason(task.failure, executor) : { Reason: 'Success' },
          'Task Info': { ...info, 'Finish Time': finish, Failed: failed, Killed: killed },
          'Task Metrics': {
            'Executor Deserialize Time': 1,
            'Executor Deserialize CPU Time': 1000,
            'Executor Run Time': task.runTimeMs ?? Math.round(task.durationMs * 0.9),
            'Executor CPU Time': 1000,
            'Peak Execution Memory': 0,
            'Result Size': task.resultSize ?? 1000,
            'JVM GC Time': task.gcTimeMs ?? 0,
            'Result Serialization Time': 0,
            'Memory Bytes Spilled': task.memoryBytesSpilled ?? 0,
            'Disk Bytes Spilled': task.diskBytesSpilled ?? 0,
            'Shuffle Read Metrics': {
              'Remote Blocks Fetched': 0,
              'Local Blocks Fetched': 1,
              'Fetch Wait Time': 0,
              'Remote Bytes Read': 0,
              'Remote Bytes Read To Disk': 0,
              'Local Bytes Read': task.shuffleReadBytes ?? 0,
              'Total Records Read': 0,
            },
            'Shuffle Write Metrics': {
              'Shuffle Bytes Written': task.shuffleWriteBytes ?? 0,
              'Shuffle Write Time': 0,
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
      events.push({
        Event: 'SparkListenerStageCompleted',
        'Stage Info': {
          ...stageInfo(stage),
          'Submission Time': submitted,
          'Completion Time': now,
          ...(stage.failureReason ? { 'Failure Reason': stage.failureReason } : {}),
        },
      });
    }
    now += 5;
    events.push({
      Event: 'SparkListenerJobEnd',
      'Job ID': job.jobId,
      'Completion Time': now,
      'Job Result': job.failed ? { Result: 'JobFailed', Exception: { Message: 'Job aborted' } } : { Result: 'JobSucceeded' },
    });
  }
  for (const executor of executors) {
    if (executor.removedAfterMs !== undefined) {
      events.push({ Event: 'SparkListenerExecutorRemoved', Timestamp: start + executor.removedAfterMs, 'Executor ID': executor.id, 'Removed Reason': 'test' });
    }
  }
  if (!spec.running) events.push({ Event: 'SparkListenerApplicationEnd', Timestamp: now + 100 });
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
    'RDD Info': [],
    'Parent IDs': stage.parentIds ?? [],
    Details: stage.details ?? '',
    Accumulables: [],
    'Resource Profile Id': 0,
  };
}

function endReason(reason: string, executorId: string): object {
  switch (reason) {
    case 'ExecutorLostFailure':
      return { Reason: reason, 'Executor ID': executorId, 'Exit Caused By App': true, 'Loss Reason': 'Container killed: exceeding memory limits' };
    case 'FetchFailed':
      return { Reason: reason, 'Block Manager Address': { 'Executor ID': executorId, Host: 'h', Port: 1 }, 'Shuffle ID': 0, 'Map ID': 0, 'Reduce ID': 0, Message: 'Connection refused' };
    case 'TaskKilled':
      return { Reason: reason, 'Kill Reason': 'another attempt succeeded' };
    default:
      return { Reason: 'ExceptionFailure', 'Class Name': reason === 'ExceptionFailure' ? 'java.lang.RuntimeException' : reason, Description: 'boom', 'Stack Trace': [] };
  }
}
