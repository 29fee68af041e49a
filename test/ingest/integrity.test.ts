import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { buildEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';
import { plain } from '../helpers/database.js';
import { everyBrokenRule } from '../helpers/insight-invariants.js';
import { insightsByApp } from '../../src/store/insights-store.js';
import { writeZip } from '../helpers/zip.js';
import { gql, gqlUpload, useServerWithLogs } from '../helpers/server.js';
import {
  ApplicationEnvironmentDocument,
  ApplicationExecutorsDocument,
  ApplicationSqlExecutionsDocument,
  ApplicationStagesDocument,
  DeleteApplicationDocument,
  SqlPlansDocument,
  StageTasksDocument,
  UploadEventLogDocument,
} from '../generated/graphql.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** A small application with a skewed stage (so a detector fires) and a second, even one. */
function app(appId: string, taskCount = 12): SyntheticApp {
  return {
    appId,
    executors: [{ id: '1', cores: 4 }, { id: '2', cores: 4 }],
    jobs: [
      {
        jobId: 0,
        stages: [
          { stageId: 0, tasks: Array.from({ length: taskCount }, (_, i) => ({
            durationMs: i === 0 ? 60_000 : 1_000,
            shuffleReadBytes: i === 0 ? 2 ** 30 : 2 ** 20,
            executorId: String((i % 2) + 1),
          })) },
          { stageId: 1, parentIds: [0], tasks: Array.from({ length: taskCount }, () => ({ durationMs: 2_000 })) },
        ],
      },
    ],
  };
}

/** The log of `spec` with `value` written, as is, in place of every task end's launch time and run time. */
function withTaskNumbers(spec: SyntheticApp, value: string): string {
  return buildEventLog(spec)
    .split('\n')
    .map((line) =>
      line.startsWith('{"Event":"SparkListenerTaskEnd"')
        ? line.replace(/"Launch Time":-?\d+/, `"Launch Time":${value}`).replace(/"Executor Run Time":-?\d+/, `"Executor Run Time":${value}`)
        : line,
    )
    .join('\n');
}

const anotherApp = parse(`query AnotherApp($id: ID!) {
  application(id: $id) { id stats { totalTasks } stages { stageId numTasks duration executorRunTime } jobs { jobId }
    executors { id } insights(first: 5) { type } }
}`) as unknown as TypedDocumentNode<{ application: { id: string; stages: unknown[] } | null }, { id: string }>;

const durations = parse(`query Durations($id: ID!) {
  application(id: $id) { duration stages { duration } jobs { duration } sqlExecutions { duration } }
}`) as unknown as TypedDocumentNode<{
  application: { duration: string; stages: Array<{ duration: string }>; jobs: Array<{ duration: string }>; sqlExecutions: Array<{ duration: string }> } | null;
}, { id: string }>;

describe('ingest integrity: values no field can hold, and isolation between applications', () => {
  const suite = useServerWithLogs('integrity', { 'good.json': buildEventLog(app('app-good')) });

  it('stores a log whose task times are -2^63 as unknown times, with a warning, and every query of another application still answers', async () => {
    const crafted = join(suite.scratch(), 'min-long.json');
    writeFileSync(crafted, withTaskNumbers(app('app-min-long'), '-9223372036854775808'));
    const report = await ingestPaths(suite.server().temp.database, [crafted]);
    expect(report.failures).toEqual([]);
    const [stored] = report.applications;
    expect(stored!.warnings.map((w) => w.message)).toContainEqual(
      expect.stringMatching(/task \d+ of stage \d+: launchTime = -9223372036854775808 is outside what the field can hold/),
    );
    const times = plain(await suite.server().temp.database.query(
      "SELECT count(*) FILTER (WHERE launchTime IS NULL) AS unknown, count(*) AS n FROM tasks WHERE appKey = 'app-min-long'",
    ));
    expect(times[0]).toEqual({ unknown: 24, n: 24 });

    for (const id of ['app-good', 'app-min-long']) {
      const answer = await gql(suite.server().graphqlUrl, anotherApp, { id });
      expect({ status: answer.status, errors: answer.errors }).toEqual({ status: 200, errors: undefined });
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.application!.stages).toHaveLength(2);
      for (const path of ['stages', 'jobs', 'allexecutors', 'executors', 'stages/0/0/taskList']) {
        const response = await fetch(`${suite.server().url}/api/v1/applications/${id}/${path}`);
        expect({ id, path, status: response.status }).toEqual({ id, path, status: 200 });
      }
    }
  });

  it.each([
    ['2^63', '9223372036854775808'],
    ['2^64', '18446744073709551616'],
    ['1e308', '1e308'],
    // Named as the log writes them, not as DuckDB prints the double it read (-10000000000000000000.0).
    ['-1e19', '-1e19'],
    ['2.5E+19', '2.5E+19'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
  ])('rejects a log holding %s in a task time, naming the line, and stores nothing of it', async (_label, value) => {
    const crafted = join(suite.scratch(), `overflow-${_label}.json`);
    const log = withTaskNumbers(app('app-overflow'), value);
    writeFileSync(crafted, log);
    const firstTaskEnd = log.split('\n').findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"')) + 1;
    const report = await ingestPaths(suite.server().temp.database, [crafted]);
    expect(report.applications).toEqual([]);
    expect(report.failures).toHaveLength(1);
    expect(report.failures[0]!.error).toBeInstanceOf(BadInputError);
    expect(report.failures[0]!.error.message).toMatch(new RegExp(`line ${firstTaskEnd} holds the number ${value.replace('+', '\\+')}`));
    const rows = plain(await suite.server().temp.database.query(
      "SELECT (SELECT count(*) FROM applications WHERE appKey = 'app-overflow') + (SELECT count(*) FROM tasks WHERE appKey = 'app-overflow') AS n",
    ));
    expect(rows[0]!.n).toBe(0);
    // The task insert that failed turned insertion order off for the whole database; it must be back on, or
    // the next log's events would be staged out of order (and "the last event wins" would pick any one).
    const order = plain(await suite.server().temp.database.query("SELECT current_setting('preserve_insertion_order') AS on"));
    expect(order).toEqual([{ on: true }]);
  });

  it.each([
    ['an empty string', '""'],
    ['a word', '"x"'],
    ['a list', '[1,2]'],
    ['an object', '{"a":1}'],
  ])('rejects a log holding %s where a task time is a number, naming the line and the value as no number', async (_label, value) => {
    const crafted = join(suite.scratch(), `not-a-number-${_label.replaceAll(' ', '-')}.json`);
    const log = withTaskNumbers(app('app-not-a-number'), value);
    writeFileSync(crafted, log);
    const firstTaskEnd = log.split('\n').findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"')) + 1;
    const report = await ingestPaths(suite.server().temp.database, [crafted]);
    expect(report.applications).toEqual([]);
    expect(report.failures[0]!.error).toBeInstanceOf(BadInputError);
    expect(report.failures[0]!.error.message).toBe(
      `${crafted.split('/').pop()}: line ${firstTaskEnd} holds ${value} where its event has a number (a 64-bit integer); nothing was stored`,
    );
  });

  // Spark logs job, stage and task-attempt ids, task indexes and partitions, stages' task counts and executors' cores as
  // 32-bit integers (and SQL execution ids start at 0): a value past 2^31 is no log Spark wrote, and the API serves
  // these fields as GraphQL Int.
  it.each([
    ['SparkListenerJobStart', 'Job ID', '2147483648'],
    ['SparkListenerJobStart', 'Stage IDs', '-9223372036854775808'],
    ['SparkListenerStageSubmitted', 'Stage ID', '2147483648'],
    ['SparkListenerStageCompleted', 'Stage Attempt ID', '-9223372036854775808'],
    ['SparkListenerTaskEnd', 'Stage ID', '4294967296'],
    ['SparkListenerTaskEnd', 'Index', '2147483648'],
    ['SparkListenerTaskEnd', 'Attempt', '-2147483649'],
    ['SparkListenerTaskEnd', 'Partition ID', '2147483648'],
    ['SparkListenerSQLExecutionStart', 'executionId', '2147483648'],
    ['SparkListenerStageCompleted', 'Number of Tasks', '2147483648'],
    ['SparkListenerExecutorAdded', 'Total Cores', '-2147483649'],
    ['SparkListenerStageCompleted', 'Resource Profile Id', '2147483648'],
    ['SparkListenerStageCompleted', 'Parent IDs', '-2147483649'],
  ])('rejects a log whose %s holds %s = %s, naming the line, and stores nothing of it', async (event, key, value) => {
    const { name, line, message } = await ingestWithValue('app-wide-id', event, key, value);
    expect(message).toBe(`${name}: line ${line} holds ${key} ${value}, outside the 32-bit range Spark writes it in; nothing was stored`);
  });

  // Task events are read by DuckDB's reader, which names such a line (above); the other events are parsed leniently,
  // which stored these fields as unknown without a word.
  it.each([
    ['SparkListenerJobStart', 'Submission Time', '1e300'],
    ['SparkListenerStageCompleted', 'Completion Time', '18446744073709551616'],
    ['SparkListenerSQLExecutionStart', 'time', '9223372036854775808'],
    ['SparkListenerExecutorAdded', 'Timestamp', '-1.5e19'],
    ['SparkListenerApplicationStart', 'Timestamp', '1E400'],
  ])('rejects a log whose %s holds %s = %s, past any 64-bit integer, naming the line, and stores nothing of it', async (event, key, value) => {
    const { name, line, message } = await ingestWithValue('app-wide-time', event, key, value);
    expect(message).toBe(`${name}: line ${line} holds the number ${value}, which no field of its event can hold (a 64-bit integer); nothing was stored`);
  });

  /**
   * Ingests the log of `appId` with `value` written in place of the first `key` of its first `event`, expects it refused
   * with a BadInputError and nothing of it stored; returns the file's name, that line and the error's message.
   */
  async function ingestWithValue(appId: string, event: string, key: string, value: string): Promise<{ name: string; line: number; message: string }> {
    const lines = buildEventLog({ ...app(appId), sqlExecutions: [{ executionId: 0, jobIds: [0], plan: { name: 'Scan parquet' } }] }).split('\n');
    const list = key === 'Stage IDs' || key === 'Parent IDs';
    const pattern = list ? new RegExp(`"${key}":\\[-?\\d+`) : new RegExp(`"${key}":-?\\d+`);
    // The first line of the event that logs the key with a value (a first stage has no parents).
    const index = lines.findIndex((line) => (line.includes(`"Event":"${event}"`) || line.includes(`.${event}"`)) && pattern.test(line));
    expect(index).toBeGreaterThanOrEqual(0);
    lines[index] = lines[index]!.replace(pattern, list ? `"${key}":[${value}` : `"${key}":${value}`);
    const name = `${appId}-${event}-${key}.json`;
    writeFileSync(join(suite.scratch(), name), lines.join('\n'));
    const report = await ingestPaths(suite.server().temp.database, [join(suite.scratch(), name)]);
    expect(report.applications).toEqual([]);
    expect(report.failures[0]!.error).toBeInstanceOf(BadInputError);
    const rows = plain(await suite.server().temp.database.query(
      'SELECT (SELECT count(*) FROM applications WHERE appKey = $k) + (SELECT count(*) FROM tasks WHERE appKey = $k) AS n',
      { k: appId },
    ));
    expect(rows[0]!.n).toBe(0);
    return { name, line: index + 1, message: report.failures[0]!.error.message };
  }

  it('stores every entry of an environment section, even repeated keys, values that are no strings and a section that is a list', async () => {
    const log = join(suite.scratch(), 'odd-environment.json');
    writeFileSync(
      log,
      buildEventLog(app('app-odd-env'))
        .replace('"Hadoop Properties":{}', '"Hadoop Properties":{"k":"x","k":"y","n":1,"o":{"d":2},"z":null,"t":true}')
        .replace('"System Properties":{}', '"System Properties":["p","q"]'),
    );
    const report = await ingestPaths(suite.server().temp.database, [log]);
    expect(report.failures).toEqual([]);
    const rows = await suite.server().temp.database.query(
      `SELECT section, key, value FROM environment WHERE appKey = 'app-odd-env' AND section IN ('hadoopProperties', 'systemProperties')
       ORDER BY section, key, value NULLS LAST`,
    );
    expect(plain(rows)).toEqual([
      { section: 'hadoopProperties', key: 'k', value: 'x' },
      { section: 'hadoopProperties', key: 'k', value: 'y' },
      { section: 'hadoopProperties', key: 'n', value: '1' },
      { section: 'hadoopProperties', key: 'o', value: '{"d":2}' },
      { section: 'hadoopProperties', key: 't', value: 'true' },
      { section: 'hadoopProperties', key: 'z', value: null },
      { section: 'systemProperties', key: '0', value: 'p' },
      { section: 'systemProperties', key: '1', value: 'q' },
    ]);
    const sparkProperties = await suite.server().temp.database.query(
      `SELECT value FROM environment WHERE appKey = 'app-odd-env' AND section = 'sparkProperties' AND key = 'spark.app.id'`,
    );
    expect(plain(sparkProperties)).toEqual([{ value: 'app-odd-env' }]);
  });

  /** Ingests a small application of 4 tasks a stage with each task end line edited by `edit`; returns its warnings. */
  async function warningsWithTaskEnds(appId: string, edit: (line: string) => string): Promise<string[]> {
    const log = buildEventLog(app(appId, 4))
      .split('\n')
      .map((line) => (line.startsWith('{"Event":"SparkListenerTaskEnd"') ? edit(line) : line))
      .join('\n');
    const path = join(suite.scratch(), `${appId}.json`);
    writeFileSync(path, log);
    const [stored] = (await ingestPaths(suite.server().temp.database, [path])).applications;
    return stored!.warnings.map((w) => w.message);
  }

  it('stores task metrics past what a field holds as 0, as History Server shows a metric, with a warning', async () => {
    const messages = await warningsWithTaskEnds('app-huge-metrics', (line) =>
      line.replace(/"Executor Run Time":\d+/, '"Executor Run Time":9223372036854775807').replace(/"JVM GC Time":\d+/, '"JVM GC Time":-9223372036854775808'),
    );
    expect(messages).toContainEqual('8 tasks (first: task 0 of stage 0) logged a time, size or count past what the field can hold (±8.64e15); stored as 0');
    const rows = plain(await suite.server().temp.database.query(
      "SELECT max(executorRunTime) AS run, max(jvmGcTime) AS gc, count(*) FILTER (WHERE executorRunTime IS NULL) AS unknown FROM tasks WHERE appKey = 'app-huge-metrics'",
    ));
    expect(rows[0]).toEqual({ run: 0, gc: 0, unknown: 0 });
  });

  // JSON has no NaN or Infinity, but DuckDB's reader takes them inside maps and lists; the stored text then failed every
  // query that reads it back (an executor's attributes failed the application list of every application).
  it.each([
    ['an executor attribute', 'SparkListenerExecutorAdded', '"Log Urls":{}', '"Log Urls":{},"Attributes":{"CLUSTER_ID":Infinity}', 'Infinity'],
    ['a stage RDD', 'SparkListenerStageCompleted', '"RDD Info":[]', '"RDD Info":[{"RDD ID":1,"Disk Size":NaN}]', 'NaN'],
    ['a job property', 'SparkListenerJobStart', '"Properties":{', '"Properties":{"x":-inf,', '-inf'],
  ])('rejects a log holding a NaN or infinity in %s, naming the line, and stores nothing of it', async (_label, event, from, to, value) => {
    const lines = buildEventLog(app('app-not-json')).split('\n');
    const index = lines.findIndex((line) => line.startsWith(`{"Event":"${event}"`) && line.includes(from));
    expect(index).toBeGreaterThanOrEqual(0);
    lines[index] = lines[index]!.replace(from, to);
    const name = `not-json-${event}.json`;
    writeFileSync(join(suite.scratch(), name), lines.join('\n'));
    const report = await ingestPaths(suite.server().temp.database, [join(suite.scratch(), name)]);
    expect(report.applications).toEqual([]);
    expect(report.failures[0]!.error).toBeInstanceOf(BadInputError);
    expect(report.failures[0]!.error.message).toBe(
      `${name}: line ${index + 1} holds the number ${value}, which no field of its event can hold (a 64-bit integer); nothing was stored`,
    );
  });

  it('leaves out of a stage\'s RDD ids one the log gives as no whole number, and the stage still answers', async () => {
    const spec = app('app-odd-rdd');
    spec.jobs[0]!.stages[0]!.rddInfo = [{ 'RDD ID': '', Name: 'a' }, { 'RDD ID': 'x', Name: 'b' }, { 'RDD ID': 4, Name: 'c' }];
    const path = join(suite.scratch(), 'odd-rdd.json');
    writeFileSync(path, buildEventLog(spec));
    expect((await ingestPaths(suite.server().temp.database, [path])).failures.map((failure) => failure.error.message)).toEqual([]);
    const answer = await gql(suite.server().graphqlUrl, ApplicationStagesDocument, { id: 'app-odd-rdd' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.application!.stages.find((stage) => stage.stageId === 0)!.rddIds).toEqual([4]);
  });

  it('answers the SQL of a log whose plan metric names are numbers and whose driver updates name no accumulator', async () => {
    const spec = {
      ...app('app-odd-sql'),
      sqlExecutions: [{
        executionId: 0,
        jobIds: [0],
        plan: { name: 'Exchange', metrics: [{ name: 'shuffle records written', value: 5 }, { name: 'data size', type: 'size', value: 64 }] },
      }],
    };
    const log = buildEventLog(spec)
      .split('\n')
      .map((line) =>
        line.includes('SparkListenerSQLExecutionStart')
          ? line.replace('"name":"shuffle records written"', '"name":42')
          : line.includes('SparkListenerDriverAccumUpdates')
            ? line.replace(/"accumUpdates":\[(\[\d+,\d+\]),\[\d+,/, '"accumUpdates":[$1,[{},')
            : line,
      )
      .join('\n');
    expect(log).toContain('"name":42');
    expect(log).toMatch(/"accumUpdates":\[\[\d+,\d+\],\[\{\},/);
    const path = join(suite.scratch(), 'odd-sql.json');
    writeFileSync(path, log);
    expect((await ingestPaths(suite.server().temp.database, [path])).failures.map((failure) => failure.error.message)).toEqual([]);
    for (const document of [ApplicationSqlExecutionsDocument, SqlPlansDocument] as Array<TypedDocumentNode<unknown, { id: string }>>) {
      const answer = await gql(suite.server().graphqlUrl, document, { id: 'app-odd-sql' });
      expect(answer.errors).toBeUndefined();
    }
    const response = await fetch(`${suite.server().url}/api/v1/applications/app-odd-sql/sql?details=true`);
    expect(response.status).toBe(200);
    const [execution] = (await response.json()) as Array<{ nodes: Array<{ metrics: Array<{ name: string }> }> }>;
    // The metric whose name was a number keeps it as text; the one whose update named no accumulator has no value to show.
    expect(execution!.nodes.flatMap((node) => node.metrics.map((metric) => metric.name))).toEqual(['42']);
  });

  it('answers the executors of an application stored with an attribute map JavaScript cannot parse, as empty', async () => {
    const path = join(suite.scratch(), 'unparsable-attributes.json');
    writeFileSync(path, buildEventLog(app('app-unparsable-attributes')));
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    // What an ingest before NaN was refused could store.
    await suite.server().temp.database.query(
      `UPDATE app_executors SET attributes = '{"CLUSTER_ID":NaN}' WHERE appKey = 'app-unparsable-attributes' AND id = '1'`,
    );
    const answer = await gql(suite.server().graphqlUrl, ApplicationExecutorsDocument, { id: 'app-unparsable-attributes' });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.application!.executors.find((executor) => executor.id === '1')!.attributes).toEqual([]);
  });

  it('answers an executor whose log links, attributes and resources hold values that are no strings: as JSON text, a null one left out', async () => {
    const log = buildEventLog(app('app-odd-executor'))
      .split('\n')
      .map((line) =>
        line.startsWith('{"Event":"SparkListenerExecutorAdded"') && line.includes('"Executor ID":"1"')
          ? line.replace(
              '"Log Urls":{}',
              '"Log Urls":{"stdout":"http://h/stdout","stderr":[],"n":5,"z":null},"Attributes":{"o":{"d":2}},' +
                '"Resources":{"gpu":{"name":[1,2],"addresses":["0",1]},"fpga":"x"}',
            )
          : line,
      )
      .join('\n');
    const path = join(suite.scratch(), 'odd-executor.json');
    writeFileSync(path, log);
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const answer = await gql(suite.server().graphqlUrl, ApplicationExecutorsDocument, { id: 'app-odd-executor' });
    expect(answer.errors).toBeUndefined();
    const executor = answer.data!.application!.executors.find((candidate) => candidate.id === '1')!;
    expect(executor.executorLogs).toEqual([
      { key: 'n', value: '5' },
      { key: 'stderr', value: '[]' },
      { key: 'stdout', value: 'http://h/stdout' },
    ]);
    expect(executor.attributes).toEqual([{ key: 'o', value: '{"d":2}' }]);
    expect(executor.resources).toEqual([{ name: 'gpu', addresses: ['0', '1'] }]);
  });

  it('answers the persisted RDDs of a log whose storage levels, RDD ids and counts hold values of other types', async () => {
    const spec = app('app-odd-types', 2);
    const stage = spec.jobs[0]!.stages[0]!;
    stage.rddInfo = [
      { 'RDD ID': 1, Name: 'odd', 'Number of Partitions': 'x', 'Storage Level': { 'Use Disk': '\u0000', 'Use Memory': 'yes', 'Use Off Heap': {}, Deserialized: [], Replication: 'two' } },
      { 'RDD ID': 'x', Name: 'no id', 'Number of Partitions': 2, 'Storage Level': { 'Use Disk': true, 'Use Memory': true, Replication: 1 } },
      { 'RDD ID': 3, Name: 'cached', 'Number of Partitions': 2, 'Storage Level': { 'Use Disk': false, 'Use Memory': true, 'Use Off Heap': false, Deserialized: true, Replication: 1 } },
    ];
    const log = buildEventLog(spec);
    const path = join(suite.scratch(), 'odd-types.json');
    writeFileSync(path, log);
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const rdd = (path: string) => fetch(`${suite.server().url}/api/v1/applications/app-odd-types/storage/rdd${path}`);
    // No partition is known to be cached without block updates: History Server's list is empty too.
    expect([(await rdd('')).status, await (await rdd('')).json()]).toEqual([200, []]);
    const cached = await rdd('/3');
    expect(cached.status).toBe(200);
    expect(await cached.json()).toMatchObject({ id: 3, name: 'cached', numPartitions: 2, storageLevel: 'Memory Deserialized 1x Replicated' });
    // A value that is no boolean or number reads as unknown, so as Spark's default, never as a failed query.
    expect([200, 404]).toContain((await rdd('/1')).status);
  });

  it('answers the task errors and resource profiles of a log whose stack frames and resource amounts hold other types', async () => {
    const spec = app('app-odd-frames', 2);
    spec.jobs[0]!.stages[0]!.tasks[1] = { ...spec.jobs[0]!.stages[0]!.tasks[1]!, failure: 'ExceptionFailure', failureDetail: 'boom' };
    const profile = {
      Event: 'SparkListenerResourceProfileAdded', 'Resource Profile Id': 0,
      'Executor Resource Requests': { cores: { 'Resource Name': 'cores', Amount: 'four', 'Discovery Script': '', Vendor: '' } },
      'Task Resource Requests': { cpus: { 'Resource Name': 'cpus', Amount: {} } },
    };
    const lines = buildEventLog(spec)
      .replace('"Stack Trace":[]', '"Stack Trace":[{"Declaring Class":"a.B","Method Name":"run","File Name":"B.scala","Line Number":"x"}]')
      .split('\n');
    lines.splice(2, 0, JSON.stringify(profile));
    const path = join(suite.scratch(), 'odd-frames.json');
    writeFileSync(path, lines.join('\n'));
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const base = `${suite.server().url}/api/v1/applications/app-odd-frames`;
    const tasks = await fetch(`${base}/stages/0/0/taskList`);
    expect(tasks.status).toBe(200);
    expect(JSON.stringify(await tasks.json())).toContain('a.B.run(B.scala)');
    expect((await fetch(`${base}/environment`)).status).toBe(200);
    expect((await gql(suite.server().graphqlUrl, ApplicationEnvironmentDocument, { id: 'app-odd-frames' })).errors).toBeUndefined();
  });

  it('leaves out an accumulator update without an id, which nothing can name, and the task still answers', async () => {
    const spec = app('app-accumulator-without-id', 2);
    spec.jobs[0]!.stages[0]!.tasks = spec.jobs[0]!.stages[0]!.tasks.map((task) => ({
      ...task,
      accumulables: [{ name: 'rows seen', update: 5 }, { name: 'files seen', update: 1 }],
    }));
    const log = buildEventLog(spec).replaceAll('"ID":10000,', '"ID":null,').replaceAll('"ID":10001,', '"ID":[],');
    const path = join(suite.scratch(), 'accumulator-without-id.json');
    writeFileSync(path, log);
    expect((await ingestPaths(suite.server().temp.database, [path])).failures).toEqual([]);
    const answer = await gql(suite.server().graphqlUrl, StageTasksDocument, { id: 'app-accumulator-without-id', stageId: 0, first: 10 });
    expect(answer.errors).toBeUndefined();
    const updates = answer.data!.application!.stage!.tasks.nodes.map((task) => task.accumulatorUpdates.map((update) => update.name));
    expect(updates).toEqual([[], []]);
  });

  it('stores each job of a log that logs every job start twice once, as the log with one start each', async () => {
    // A real log whose jobs planned stages that never ran (skipped): those come from the job's start.
    const original = readFileSync(eventLogPath('apache-spark', 'local-1642039451826'), 'utf8');
    const twice = original
      .split('\n')
      .flatMap((line) => (line.startsWith('{"Event":"SparkListenerJobStart"') ? [line, line] : [line]))
      .join('\n');
    const answers = async (text: string, name: string): Promise<unknown> => {
      writeFileSync(join(suite.scratch(), name), text);
      const report = await ingestPaths(suite.server().temp.database, [join(suite.scratch(), name)]);
      expect(report.failures).toEqual([]);
      return plain(await suite.server().temp.database.query(
        `SELECT (SELECT list((jobId, status, stageIds) ORDER BY jobId) FROM jobs WHERE appKey = 'local-1642039451826') AS jobs,
           (SELECT list((stageId, attemptId, status) ORDER BY stageId, attemptId) FROM stages WHERE appKey = 'local-1642039451826') AS stages`,
      ));
    };
    const once = await answers(original, 'jobs-once.json');
    expect(JSON.stringify(once)).toContain('SKIPPED');
    expect(await answers(twice, 'jobs-twice.json')).toEqual(once);
  });

  it('stores negative task metrics as 0 and a task that finished before it launched with a zero duration, with warnings', async () => {
    const messages = await warningsWithTaskEnds('app-negative', (line) =>
      line.replace(/"Executor Run Time":\d+/, '"Executor Run Time":-7').replace(/"Finish Time":\d+/, '"Finish Time":5'),
    );
    expect(messages).toContainEqual(expect.stringMatching(/^8 tasks \(first: task 0 of stage 0\) logged a negative time, size or count; stored as 0$/));
    expect(messages).toContainEqual(expect.stringMatching(/^8 tasks \(first: task 0 of stage 0\) finished before launching; stored with a duration of 0$/));
    const rows = plain(await suite.server().temp.database.query(
      "SELECT min(executorRunTime) AS run, min(finishTime - launchTime) AS duration FROM tasks WHERE appKey = 'app-negative'",
    ));
    expect(rows[0]).toEqual({ run: 0, duration: 0 });
  });

  it('stores an application, job, stage, SQL execution and executor that ended before they started with a zero duration, with warnings', async () => {
    const spec = { ...app('app-backwards', 4), sqlExecutions: [{ executionId: 0, jobIds: [0], plan: { name: 'Scan parquet' } }] };
    const ended = (line: string, key: string): string => line.replace(new RegExp(`"${key}":\\d+`), `"${key}":5`);
    const log = buildEventLog(spec)
      .split('\n')
      .map((line) => {
        if (line.includes('"Event":"SparkListenerApplicationEnd"') || line.includes('"Event":"SparkListenerExecutorRemoved"')) return ended(line, 'Timestamp');
        if (line.includes('"Event":"SparkListenerJobEnd"') || line.includes('"Event":"SparkListenerStageCompleted"')) return ended(line, 'Completion Time');
        return line.includes('SQLExecutionEnd') ? ended(line, 'time') : line;
      })
      .join('\n');
    const path = join(suite.scratch(), 'backwards.json');
    writeFileSync(path, log);
    const [stored] = (await ingestPaths(suite.server().temp.database, [path])).applications;
    const messages = stored!.warnings.map((w) => w.message);
    for (const what of ['the application', '1 job \\(first: job 0\\)', '2 stages \\(first: stage 0.0\\)', '1 SQL execution \\(first: execution 0\\)']) {
      expect(messages).toContainEqual(expect.stringMatching(new RegExp(`^${what} ended before (it|they) started; stored with a duration of 0$`)));
    }

    const answer = await gql(suite.server().graphqlUrl, durations, { id: 'app-backwards' });
    expect(answer.errors).toBeUndefined();
    const application = answer.data!.application!;
    const all = [application.duration, ...application.stages.map((s) => s.duration), ...application.jobs.map((j) => j.duration),
      ...application.sqlExecutions.map((e) => e.duration)];
    expect(all.map(Number)).toEqual(all.map(() => 0));
    // Its tasks still ran for seconds: no finding may compare them with the zero-length windows.
    const insights = (await insightsByApp(suite.server().temp.database, ['app-backwards'])).flat();
    expect(insights.length).toBeGreaterThan(0);
    expect(everyBrokenRule(insights, new Map([['app-backwards', 0]]))).toEqual([]);
    for (const [path, field] of [['', 'attempts'], ['jobs', null], ['stages', null]] as const) {
      const body = (await (await fetch(`${suite.server().url}/api/v1/applications/app-backwards/${path}`)).json()) as Record<string, unknown>;
      const rows = (field ? body[field] : body) as Array<{ duration?: number; submissionTime?: string; completionTime?: string }>;
      for (const row of rows) {
        if (row.duration !== undefined) expect(row.duration).toBe(0);
        if (row.submissionTime && row.completionTime) expect(row.completionTime).toBe(row.submissionTime);
      }
    }
  });

  it('commits an application and its insights together', async () => {
    const rows = plain(await suite.server().temp.database.query(
      "SELECT (SELECT count(*) FROM insights WHERE appKey = 'app-good') AS insights",
    ));
    expect(rows[0]!.insights).toBeGreaterThan(0);
  });

  it('serializes concurrent ingests of the same application: every one succeeds and one complete version is stored', async () => {
    const paths = [4, 8, 12, 16, 20].map((tasks) => {
      const path = join(suite.scratch(), `same-${tasks}.json`);
      writeFileSync(path, buildEventLog(app('app-same', tasks)));
      return path;
    });
    const reports = await Promise.all(paths.map((path) => ingestPaths(suite.server().temp.database, [path])));
    expect(reports.map((report) => report.failures.map((f) => f.error.message))).toEqual([[], [], [], [], []]);
    const rows = plain(await suite.server().temp.database.query(
      `SELECT (SELECT count(*) FROM applications WHERE appKey = 'app-same') AS apps,
        (SELECT count(*) FROM tasks WHERE appKey = 'app-same' AND stageId = 0) AS stage0,
        (SELECT count(*) FROM tasks WHERE appKey = 'app-same' AND stageId = 1) AS stage1`,
    ));
    // Each ingest replaces the previous one whole. Which one is queued last depends on how fast each file
    // was read, so any of the five may be stored, but only one whole: both stages of the same version.
    expect(rows[0]!.apps).toBe(1);
    expect([4, 8, 12, 16, 20]).toContain(rows[0]!.stage0);
    expect(rows[0]!.stage1).toBe(rows[0]!.stage0);
  });

  it('ingests every good log of a zip of good, bad and good logs, and reports the bad one with its reason', async () => {
    const bad = withTaskNumbers(app('app-zip-bad'), '18446744073709551616');
    const badLine = bad.split('\n').findIndex((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"')) + 1;
    const zip = join(suite.scratch(), 'logs.zip');
    writeZip(zip, {
      'app-zip-1': buildEventLog(app('app-zip-1')),
      'app-zip-bad': bad,
      'app-zip-3': buildEventLog(app('app-zip-3')),
    });
    const report = await ingestPaths(suite.server().temp.database, [zip]);
    expect(report.applications.map((stored) => stored.appKey).sort()).toEqual(['app-zip-1', 'app-zip-3']);
    expect(report.failures.map((failure) => [failure.sourceName, failure.error.message])).toEqual([
      ['app-zip-bad', expect.stringMatching(new RegExp(`line ${badLine} holds the number 18446744073709551616`))],
    ]);
  });

  it('lists a file of a zip that is not an event log as skipped, naming it inside the zip, and stores the others', async () => {
    const zip = join(suite.scratch(), 'mixed.zip');
    writeZip(zip, { 'app-mixed-1': buildEventLog(app('app-mixed-1')), 'notes.txt': 'not a log\n' });
    const report = await ingestPaths(suite.server().temp.database, [zip]);
    expect(report.applications.map((stored) => stored.appKey)).toEqual(['app-mixed-1']);
    expect(report.failures).toEqual([]);
    expect(report.skipped).toEqual([
      { sourceName: 'mixed.zip/notes.txt', reason: 'mixed.zip/notes.txt is text but not JSON lines, so not a Spark event log.' },
    ]);
  });

  it('reports each of several paths: a missing one fails alone and the others are stored', async () => {
    const good = join(suite.scratch(), 'good-again.json');
    writeFileSync(good, buildEventLog(app('app-path-good')));
    const missing = join(suite.scratch(), 'missing.json');
    const report = await ingestPaths(suite.server().temp.database, [missing, good]);
    expect(report.applications.map((stored) => stored.appKey)).toEqual(['app-path-good']);
    expect(report.failures.map((failure) => failure.sourceName)).toEqual([missing]);
    expect(report.failures[0]!.error).toBeInstanceOf(BadInputError);
  });

  it('serializes 5 concurrent uploads of the same application over HTTP: all answer with it, none conflicts', async () => {
    const paths = [3, 6, 9, 12, 15].map((tasks) => {
      const path = join(suite.scratch(), `upload-same-${tasks}.json`);
      writeFileSync(path, buildEventLog(app('app-uploaded-5', tasks)));
      return path;
    });
    // replace: true, as a re-upload of a stored application must say so (test/security/token-mode.test.ts).
    const answers = await Promise.all(
      paths.map((path) => gqlUpload(suite.server().graphqlUrl, UploadEventLogDocument, path, { variables: { replace: true } })),
    );
    expect(answers.map((answer) => ({ status: answer.status, errors: answer.errors }))).toEqual(
      Array.from({ length: 5 }, () => ({ status: 200, errors: undefined })),
    );
    const rows = plain(await suite.server().temp.database.query(
      "SELECT (SELECT count(*) FROM applications WHERE appKey = 'app-uploaded-5') AS apps, (SELECT count(*) FROM tasks WHERE appKey = 'app-uploaded-5') AS tasks",
    ));
    // One whole version is stored: each upload's two stages of N tasks.
    expect([6, 12, 18, 24, 30]).toContain(rows[0]!.tasks);
    expect(rows[0]!.apps).toBe(1);
  });

  it('serializes deletes with uploads of the same application: each answers its result, none conflicts', async () => {
    const path = join(suite.scratch(), 'upload-and-delete.json');
    writeFileSync(path, buildEventLog(app('app-upload-delete', 20)));
    const upload = () => gqlUpload(suite.server().graphqlUrl, UploadEventLogDocument, path, { variables: { replace: true } });
    const remove = () => gql(suite.server().graphqlUrl, DeleteApplicationDocument, { id: 'app-upload-delete' });
    const answers: Array<{ errors?: ReadonlyArray<{ extensions?: Record<string, unknown> }> }> = [];
    for (let round = 0; round < 6; round += 1) {
      // Deletes keep coming while the upload runs, so one lands between its commit and its answer.
      let answered = false;
      const uploaded = upload().finally(() => {
        answered = true;
      });
      const deletes: Array<ReturnType<typeof remove>> = [];
      while (!answered) {
        deletes.push(remove());
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      answers.push(await uploaded, ...(await Promise.all(deletes)));
    }
    // A delete that finds the application gone says NOT_FOUND; nothing answers an internal error (DuckDB's
    // "Conflict on tuple deletion" between two writers of the same rows).
    const codes = answers.flatMap((answer) => (answer.errors ?? []).map((error) => error.extensions?.code));
    expect(codes.filter((code) => code !== 'NOT_FOUND')).toEqual([]);
    const rows = plain(await suite.server().temp.database.query(
      "SELECT (SELECT count(*) FROM applications WHERE appKey = 'app-upload-delete') AS apps, (SELECT count(*) FROM tasks WHERE appKey = 'app-upload-delete') AS tasks, (SELECT count(*) FROM application_uploads WHERE appKey = 'app-upload-delete') AS uploaders",
    ));
    // Whole or gone, and an uploader only beside a stored application.
    expect([{ apps: 0, tasks: 0, uploaders: 0 }, { apps: 1, tasks: 40, uploaders: 1 }]).toContainEqual(rows[0]);
  });
});
