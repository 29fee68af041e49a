import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { codecFromFileName, openDecodedStream } from '../src/eventlog/codec.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Offsets added to ids and times in the k-th copy of the base log so every copy stays distinct. */
interface Shift {
  job: number;
  stage: number;
  task: number;
  execution: number;
  /** Spark numbers every accumulator (SQL metrics included) once per application. */
  accumulator: number;
  time: number;
}

const timeKeys = new Set(['Timestamp', 'Submission Time', 'Completion Time', 'Launch Time', 'Finish Time', 'time']);
/** Events that describe the application once; copies after the first leave them out. */
const onceOnlyEvents = /ApplicationStart|ApplicationEnd|LogStart|EnvironmentUpdate|ResourceProfileAdded|BlockManagerAdded|ExecutorAdded|MiscellaneousProcessAdded/;

function shiftValue(key: string, value: Json, shift: Shift, inStage: boolean): Json {
  if (typeof value === 'number') {
    if (key === 'Job ID') return value + shift.job;
    if (key === 'Stage ID' || key === 'stageId') return value + shift.stage;
    if (key === 'Task ID') return value + shift.task;
    if (key === 'executionId' || key === 'rootExecutionId') return value + shift.execution;
    if (key === 'ID' || key === 'accumulatorId') return value + shift.accumulator;
    if (timeKeys.has(key) && value > 0) return value + shift.time;
    if (key === 'Getting Result Time' && value > 0) return value + shift.time;
    return value;
  }
  if (Array.isArray(value)) {
    // A driver's SQL metric updates: [accumulator id, value] pairs.
    if (key === 'accumUpdates') {
      return value.map((pair) => (Array.isArray(pair) && typeof pair[0] === 'number' ? [pair[0] + shift.accumulator, ...pair.slice(1)] : pair));
    }
    if (key === 'Stage IDs' || (key === 'Parent IDs' && inStage)) {
      return value.map((id) => (typeof id === 'number' ? id + shift.stage : id));
    }
    return value.map((item) => shiftValue('', item, shift, false));
  }
  if (value !== null && typeof value === 'object') {
    const isStage = 'Stage ID' in value && 'Stage Name' in value;
    const out: { [key: string]: Json } = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === 'spark.sql.execution.id' && typeof v === 'string' ? String(Number(v) + shift.execution) : shiftValue(k, v, shift, isStage);
    }
    return out;
  }
  return value;
}

/** The non-blank lines of a log, decoded. */
async function* lines(path: string): AsyncGenerator<string> {
  const reader = createInterface({ input: openDecodedStream(path, codecFromFileName(path)), crlfDelay: Infinity });
  for await (const text of reader) {
    if (text.trim()) yield text;
  }
}

async function* events(path: string): AsyncGenerator<{ text: string; event: { [key: string]: Json } }> {
  for await (const text of lines(path)) yield { text, event: JSON.parse(text) as { [key: string]: Json } };
}

/** Largest ids and the time span of the base log, which size the per-copy shifts. */
async function measureBase(path: string): Promise<Shift & { bytes: number }> {
  const max = { job: 0, stage: 0, task: 0, execution: 0, accumulator: 0, first: Infinity, last: 0, bytes: 0 };
  for await (const { text, event } of events(path)) {
    max.bytes += Buffer.byteLength(text) + 1;
    const info = event['Task Info'] as { 'Task ID'?: number } | undefined;
    max.job = Math.max(max.job, Number(event['Job ID'] ?? 0));
    max.stage = Math.max(max.stage, Number(event['Stage ID'] ?? (event['Stage Info'] as { 'Stage ID'?: number } | undefined)?.['Stage ID'] ?? 0));
    max.task = Math.max(max.task, Number(info?.['Task ID'] ?? 0));
    max.execution = Math.max(max.execution, Number(event.executionId ?? 0));
    for (const id of text.matchAll(/"(?:ID|accumulatorId)":(\d+)/g)) max.accumulator = Math.max(max.accumulator, Number(id[1]));
    for (const pair of Array.isArray(event.accumUpdates) ? event.accumUpdates : []) {
      if (Array.isArray(pair)) max.accumulator = Math.max(max.accumulator, Number(pair[0] ?? 0));
    }
    const time = Number(event.Timestamp ?? event['Submission Time'] ?? 0);
    if (time > 0) {
      max.first = Math.min(max.first, time);
      max.last = Math.max(max.last, time);
    }
  }
  return {
    job: max.job + 1, stage: max.stage + 1, task: max.task + 1, execution: max.execution + 1, accumulator: max.accumulator + 1,
    time: max.last - max.first + 1000, bytes: max.bytes,
  };
}

/**
 * Writes `target`: the base log repeated until it is at least `minBytes` long, each copy's job, stage, task
 * and SQL ids and its times shifted past the previous copy's, so the result reads as one long application.
 * Reuses an existing target of the right size.
 */
export async function makeBenchLog(basePath: string, target: string, minBytes: number): Promise<string> {
  if (existsSync(target) && statSync(target).size >= minBytes) return target;
  const base = await measureBase(basePath);
  return writeCopies(() => lines(basePath), target, base, Math.ceil(minBytes / base.bytes));
}

/** How the event-heavy log repeats its base: copies, and which share of task events it keeps (one in `taskEventsKept`). */
export interface EventHeavyLogOptions {
  copies: number;
  taskEventsKept: number;
}

/**
 * Writes `target`: the base log repeated `copies` times as {@link makeBenchLog} does, keeping only the task events of
 * one task in `taskEventsKept`. Most of its bytes are then jobs, stages and SQL executions (their plans and properties),
 * as in the log of a long streaming or scheduled application running thousands of small queries. Reuses an existing
 * target.
 */
export async function makeEventHeavyBenchLog(basePath: string, target: string, options: EventHeavyLogOptions): Promise<string> {
  if (existsSync(target)) return target;
  const taskLine = /^\{"Event":"SparkListenerTask(?:Start|End)".*?"Task ID":(\d+)/;
  // The lines kept are few (~1.5 MB of the base's 46 MB): read once, not decoded again for every copy.
  const kept: string[] = [];
  for await (const text of lines(basePath)) {
    const task = taskLine.exec(text);
    if (task === null || Number(task[1]) % options.taskEventsKept === 0) kept.push(text);
  }
  return writeCopies(async function* () { yield* kept; }, target, await measureBase(basePath), options.copies);
}

/**
 * Writes `copies` copies of the base log's `baseLines` to `target` (through a partial file, so an interrupted run leaves
 * none), ids and times shifted per copy; one application start and end for all.
 */
async function writeCopies(baseLines: () => AsyncIterable<string>, target: string, base: Shift, copies: number): Promise<string> {
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  const out = createWriteStream(partial);
  const write = async (line: string): Promise<void> => {
    if (!out.write(`${line}\n`)) await once(out, 'drain');
  };
  let applicationEnd: string | undefined;
  for (let copy = 0; copy < copies; copy += 1) {
    const shift: Shift = {
      job: base.job * copy, stage: base.stage * copy, task: base.task * copy, execution: base.execution * copy,
      accumulator: base.accumulator * copy, time: base.time * copy,
    };
    for await (const text of baseLines()) {
      const event = JSON.parse(text) as { [key: string]: Json };
      const name = String(event.Event);
      if (name === 'SparkListenerApplicationEnd') {
        applicationEnd = JSON.stringify(shiftValue('', event, shift, false));
        continue;
      }
      if (copy > 0 && onceOnlyEvents.test(name)) continue;
      await write(copy === 0 ? text : JSON.stringify(shiftValue('', event, shift, false)));
    }
  }
  if (applicationEnd) await write(applicationEnd);
  out.end();
  await once(out, 'finish');
  renameSync(partial, target);
  return target;
}

/** How the wide log widens its base: accumulables per task end, and the size a SQL plan update is padded to. */
export interface WideLogOptions {
  accumulablesPerTask: number;
  planUpdateBytes: number;
}

/** A SQL metric accumulable as Spark logs one (not internal, metadata "sql"), as Photon and RAPIDS tasks carry hundreds. */
function sqlAccumulable(id: number, value: number): Json {
  return {
    ID: id, Name: `number of output rows ${id % 97}`, Update: String(value), Value: String(value * 3),
    Internal: false, 'Count Failed Values': true, Metadata: 'sql',
  };
}

/** A plan tree padded with operator nodes until its JSON is about `bytes` long, as wide AQE plans are. */
function widePlan(plan: Json, bytes: number): Json {
  const node = (i: number): Json => ({
    nodeName: `PhotonShuffleExchangeSink ${i}`, simpleString: `PhotonShuffleExchangeSink hashpartitioning(col_${i}, 200)`,
    children: [], metadata: {}, metrics: Array.from({ length: 6 }, (_, k) => ({ name: `metric ${k}`, accumulatorId: i * 10 + k, metricType: 'sum' })),
  });
  const perNode = JSON.stringify(node(100_000)).length + 1;
  const children = Array.from({ length: Math.max(1, Math.ceil(bytes / perNode)) }, (_, i) => node(i));
  const base = plan !== null && typeof plan === 'object' && !Array.isArray(plan) ? plan : {};
  return { ...base, children: [...(Array.isArray(base.children) ? base.children : []), ...children] };
}

/**
 * Writes `target` line by line from the base log, each line replaced by the lines `rewrite` makes of it. Reuses an
 * existing target; writes to a partial file first so an interrupted run leaves none.
 */
async function rewriteLog(
  basePath: string,
  target: string,
  rewrite: (text: string, event: { [key: string]: Json }) => string[],
): Promise<string> {
  if (existsSync(target)) return target;
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial`;
  const out = createWriteStream(partial);
  for await (const { text, event } of events(basePath)) {
    for (const line of rewrite(text, event)) {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    }
  }
  out.end();
  await once(out, 'finish');
  renameSync(partial, target);
  return target;
}

/**
 * Writes `target`: the base log with each task end given `accumulablesPerTask` SQL accumulables (~25 KB
 * lines) and each SQL adaptive plan update padded to about `planUpdateBytes`, the shape of Databricks Photon
 * and RAPIDS logs. One copy of the base: the size comes from the width of its lines. Reuses an existing target.
 */
export function makeWideBenchLog(basePath: string, target: string, options: WideLogOptions): Promise<string> {
  let nextId = 1_000_000;
  return rewriteLog(basePath, target, (text, event) => {
    const name = String(event.Event);
    if (name === 'SparkListenerTaskEnd') {
      const info = event['Task Info'] as { [key: string]: Json };
      const existing = Array.isArray(info.Accumulables) ? info.Accumulables : [];
      const added = Array.from({ length: options.accumulablesPerTask }, (_, k) => sqlAccumulable(nextId + k, (k * 7919) % 100_000));
      nextId += options.accumulablesPerTask;
      return [JSON.stringify({ ...event, 'Task Info': { ...info, Accumulables: [...existing, ...added] } })];
    }
    if (name.endsWith('SparkListenerSQLAdaptiveExecutionUpdate')) {
      return [JSON.stringify({ ...event, sparkPlanInfo: widePlan(event.sparkPlanInfo ?? null, options.planUpdateBytes) })];
    }
    return [text];
  });
}

/** How the plan-heavy log repeats its base's SQL plan updates: copies of each, and the size each is padded to. */
export interface PlanHeavyLogOptions {
  copiesPerUpdate: number;
  planUpdateBytes: number;
}

/**
 * Writes `target`: the base log with each SQL adaptive plan update logged `copiesPerUpdate` times, its plan tree
 * padded to about `planUpdateBytes` and its description to as much again: the re-plans of long Databricks queries,
 * the class of log that ran DuckDB out of memory while it was staged whole. Reuses an existing target.
 */
export function makePlanHeavyBenchLog(basePath: string, target: string, options: PlanHeavyLogOptions): Promise<string> {
  return rewriteLog(basePath, target, (text, event) => {
    if (!String(event.Event).endsWith('SparkListenerSQLAdaptiveExecutionUpdate')) return [text];
    return Array.from({ length: options.copiesPerUpdate }, (_, copy) =>
      JSON.stringify({
        ...event,
        physicalPlanDescription: `${String(event.physicalPlanDescription ?? '')}\n(re-plan ${copy})`.padEnd(options.planUpdateBytes, ' '),
        sparkPlanInfo: widePlan(event.sparkPlanInfo ?? null, options.planUpdateBytes),
      }),
    );
  });
}

/** How the failing-job log fails its base's task ends: one in `every`, each with a trace of `frames` frames. */
export interface FailingLogOptions {
  every: number;
  frames: number;
}

/**
 * Writes `target`: the base log with one task end in `every` failed with an ExceptionFailure as Spark logs one, its
 * frame list and its full trace (~20 KB at 60 frames): a job that fails and retries. Reuses an existing target.
 */
export function makeFailingBenchLog(basePath: string, target: string, options: FailingLogOptions): Promise<string> {
  const frames = Array.from({ length: options.frames }, (_, i) => ({
    'Declaring Class': 'org.apache.spark.sql.execution.datasources.FileScanRDD$$anon$1',
    'Method Name': `nextIterator${i}`, 'File Name': 'FileScanRDD.scala', 'Line Number': 100 + i,
  }));
  const trace = (file: number): string =>
    `java.io.IOException: Failed to read part-${String(file).padStart(5, '0')}.parquet\n` +
    Array.from({ length: options.frames * 2 }, (_, i) => `\tat org.apache.spark.sql.execution.datasources.FileScanRDD$$anon$1.nextIterator${i}(FileScanRDD.scala:${100 + i})`).join('\n');
  let taskEnds = 0;
  return rewriteLog(basePath, target, (text, event) => {
    if (event.Event !== 'SparkListenerTaskEnd') return [text];
    taskEnds += 1;
    if (taskEnds % options.every !== 0) return [text];
    const info = event['Task Info'] as { [key: string]: Json };
    const reason = {
      Reason: 'ExceptionFailure', 'Class Name': 'java.io.IOException', Description: `Failed to read part-${taskEnds % 1000}.parquet`,
      'Stack Trace': frames, 'Full Stack Trace': trace(taskEnds % 1000), 'Accumulator Updates': [], Killed: false,
    };
    return [JSON.stringify({ ...event, 'Task End Reason': reason, 'Task Info': { ...info, Failed: true } })];
  });
}

/** How many of its session's settings each job start and stage submission of the settings-heavy log carries. */
export interface SettingsHeavyLogOptions {
  settingsPerEvent: number;
}

/**
 * Writes `target`: `basePath` with `settingsPerEvent` session settings (~100 bytes each) in the properties of each job
 * start and stage submission, as a notebook's jobs carry every setting its session changed (tens of KB on Databricks).
 * Reuses an existing target.
 */
export function makeSettingsHeavyBenchLog(basePath: string, target: string, options: SettingsHeavyLogOptions): Promise<string> {
  const settings = Object.fromEntries(Array.from({ length: options.settingsPerEvent }, (_, i) =>
    [`spark.databricks.session.setting${String(i).padStart(4, '0')}`, `value-${i}-${'x'.repeat(48)}`]));
  return rewriteLog(basePath, target, (text, event) => {
    if (event.Event !== 'SparkListenerJobStart' && event.Event !== 'SparkListenerStageSubmitted') return [text];
    const properties = event.Properties !== null && typeof event.Properties === 'object' && !Array.isArray(event.Properties) ? event.Properties : {};
    return [JSON.stringify({ ...event, Properties: { ...settings, ...properties } })];
  });
}

/** How the streaming log adds events the store does not read: block updates per task end, progress reports per job. */
export interface StreamingLogOptions {
  blockUpdatesPerTask: number;
  progressReportsPerJob: number;
}

/**
 * Writes `target`: the base log with the events a Structured Streaming application with block updates logged adds,
 * which the store does not read: `blockUpdatesPerTask` SparkListenerBlockUpdated after each task end and
 * `progressReportsPerJob` progress reports (~3 KB, sixty Kafka partitions' offsets) after each job end. Reuses an
 * existing target.
 */
export function makeStreamingBenchLog(basePath: string, target: string, options: StreamingLogOptions): Promise<string> {
  let blocks = 0;
  let batches = 0;
  const offsets = (batch: number): Json => ({ orders: Object.fromEntries(Array.from({ length: 60 }, (_, p) => [String(p), 1_000_000 + batch * 10 + p])) });
  const progress = (batch: number, time: number): string => JSON.stringify({
    Event: 'org.apache.spark.sql.streaming.StreamingQueryListener$QueryProgressEvent',
    progress: {
      id: '5e1b7c1e-8f7e-4c55-9c77-4c0a7d4a1b2c', runId: '0f0f0f0f-1111-2222-3333-444455556666', name: 'orders',
      timestamp: new Date(time).toISOString(), batchId: batch, numInputRows: 1200, inputRowsPerSecond: 120.5, processedRowsPerSecond: 300.2,
      durationMs: { addBatch: 3000, getBatch: 2, latestOffset: 5, queryPlanning: 40, triggerExecution: 3100, walCommit: 30 },
      stateOperators: [{ operatorName: 'stateStoreSave', numRowsTotal: 100_000, numRowsUpdated: 1200, memoryUsedBytes: 50_000_000 }],
      sources: [{ description: 'KafkaV2[Subscribe[orders]]', startOffset: offsets(batch), endOffset: offsets(batch + 1), latestOffset: offsets(batch + 1), numInputRows: 1200 }],
      sink: { description: 'DeltaSink[s3://bucket/orders]', numOutputRows: -1 },
    },
  });
  const blockUpdate = (executorId: Json): string => {
    blocks += 1;
    return JSON.stringify({
      Event: 'SparkListenerBlockUpdated',
      'Block Updated Info': {
        'Block Manager ID': { 'Executor ID': executorId, Host: 'worker', Port: 40000 }, 'Block ID': `rdd_${blocks >> 10}_${blocks & 1023}`,
        'Storage Level': { 'Use Disk': false, 'Use Memory': true, Deserialized: true, Replication: 1 }, 'Memory Size': 123_456, 'Disk Size': 0,
      },
    });
  };
  return rewriteLog(basePath, target, (text, event) => {
    if (event.Event === 'SparkListenerTaskEnd') {
      const executorId = (event['Task Info'] as { [key: string]: Json })['Executor ID'] ?? '1';
      return [text, ...Array.from({ length: options.blockUpdatesPerTask }, () => blockUpdate(executorId))];
    }
    if (event.Event === 'SparkListenerJobEnd') {
      const time = Number(event['Completion Time'] ?? 0);
      return [text, ...Array.from({ length: options.progressReportsPerJob }, () => progress((batches += 1), time))];
    }
    return [text];
  });
}
