import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { plain } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/**
 * A failed task's errorMessage is Spark's TaskEndReason.toErrorString for its end reason, as History Server
 * (AppStatusListener) shows it, whatever Spark version wrote the log.
 */

const APP = 'app-task-errors';
const reasons: Array<{ reason: object; message: string }> = [
  {
    // Spark 3.0+ logs the map index.
    reason: {
      Reason: 'FetchFailed',
      'Block Manager Address': { 'Executor ID': '1', Host: 'node-7.example', Port: 40123 },
      'Shuffle ID': 54, 'Map ID': 8347, 'Map Index': 9, 'Reduce ID': 72, Message: 'Failed to connect to node-7.example/10.0.0.7:40123',
    },
    message:
      'FetchFailed(BlockManagerId(1, node-7.example, 40123, None), shuffleId=54, mapIndex=9, mapId=8347, reduceId=72, ' +
      'message=\nFailed to connect to node-7.example/10.0.0.7:40123\n)',
  },
  {
    // Spark 2.x logs have no map index: Spark reads it as unknown.
    reason: {
      Reason: 'FetchFailed',
      'Block Manager Address': { 'Executor ID': '2', Host: 'h2', Port: 7337 },
      'Shuffle ID': 1, 'Map ID': 3, 'Reduce ID': 4, Message: 'lost',
    },
    message: 'FetchFailed(BlockManagerId(2, h2, 7337, None), shuffleId=1, mapIndex=Unknown, mapId=3, reduceId=4, message=\nlost\n)',
  },
  {
    reason: { Reason: 'FetchFailed', 'Shuffle ID': 1, 'Map ID': 3, 'Map Index': 0, 'Reduce ID': 4, Message: 'no address' },
    message: 'FetchFailed(null, shuffleId=1, mapIndex=0, mapId=3, reduceId=4, message=\nno address\n)',
  },
  {
    reason: {
      Reason: 'ExceptionFailure', 'Class Name': 'java.lang.IllegalStateException', Description: 'bad state',
      'Stack Trace': [
        { 'Declaring Class': 'a.B', 'Method Name': 'run', 'File Name': 'B.scala', 'Line Number': 12 },
        { 'Declaring Class': 'java.lang.Thread', 'Method Name': 'sleep', 'File Name': null, 'Line Number': -2 },
        { 'Declaring Class': 'c.D', 'Method Name': 'go', 'File Name': null, 'Line Number': -1 },
        { 'Declaring Class': 'e.F', 'Method Name': 'x', 'File Name': 'F.java', 'Line Number': -1 },
      ],
    },
    message:
      'java.lang.IllegalStateException: bad state\n        a.B.run(B.scala:12)\n        java.lang.Thread.sleep(Native Method)\n' +
      '        c.D.go(Unknown Source)\n        e.F.x(F.java)',
  },
  {
    reason: { Reason: 'ExecutorLostFailure', 'Executor ID': '3', 'Exit Caused By App': false, 'Loss Reason': 'Container lost' },
    message: 'ExecutorLostFailure (executor 3 exited unrelated to the running tasks) Reason: Container lost',
  },
  {
    reason: { Reason: 'TaskCommitDenied', 'Job ID': 5, 'Partition ID': 6, 'Attempt Number': 1 },
    message: 'TaskCommitDenied (Driver denied task commit) for job: 5, partition: 6, attemptNumber: 1',
  },
  {
    // Newer Spark logs the whole trace as text beside its frames; the text is the message.
    reason: {
      Reason: 'ExceptionFailure', 'Class Name': 'java.io.IOException', Description: 'read failed',
      'Stack Trace': [{ 'Declaring Class': 'a.B', 'Method Name': 'read', 'File Name': 'B.scala', 'Line Number': 7 }],
      'Full Stack Trace': 'java.io.IOException: read failed\n\tat a.B.read(B.scala:7)\nCaused by: java.lang.OutOfMemoryError: Java heap space',
    },
    message: 'java.io.IOException: read failed\n\tat a.B.read(B.scala:7)\nCaused by: java.lang.OutOfMemoryError: Java heap space',
  },
  { reason: { Reason: 'TaskResultLost' }, message: 'TaskResultLost (result lost from block manager)' },
  { reason: { Reason: 'UnknownReason' }, message: 'UnknownReason' },
];

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-task-errors-'));
  const log = buildEventLog({
    appId: APP,
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: reasons.map(() => ({ durationMs: 100, failure: 'ExceptionFailure' })) }] }],
  });
  // Give each failed task one of the end reasons above, exactly as Spark logs it.
  const lines = log.split('\n').map((line) => {
    if (!line.startsWith('{"Event":"SparkListenerTaskEnd"')) return line;
    const event = JSON.parse(line) as { 'Task Info': { Index: number }; 'Task End Reason': object };
    event['Task End Reason'] = reasons[event['Task Info'].Index]!.reason;
    return JSON.stringify(event);
  });
  const path = join(dir, APP);
  writeFileSync(path, lines.join('\n'));
  const report = await ingestPaths(server.temp.database, [path]);
  expect(report.failures).toEqual([]);
});
afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("task errors worded as Spark's toErrorString", () => {
  it.each(reasons.map((r, index) => [(r.reason as { Reason: string }).Reason, index, r.message] as const))('%s (task %i)', async (_name, index, message) => {
    const response = await fetch(`${server.url}/api/v1/applications/${APP}/stages/0/0/taskList?length=100`);
    const tasks = (await response.json()) as Array<{ index: number; errorMessage?: string }>;
    expect(tasks.find((task) => task.index === index)!.errorMessage).toBe(message);
  });
});

describe("what is kept of a failed task's end reason", () => {
  it('keeps each message as its task is written, and an exception\'s trace only in its message', async () => {
    // A failing job logs thousands of such reasons, each trace tens of KB: kept once, and never rendered again by a
    // query, which also leaves the task view cheap to plan.
    const rows = plain(await server.temp.database.query(
      `SELECT "index", errorMessage, endReason,
         coalesce(json_type(endReasonDetail, '$."Stack Trace"'), 'NULL') <> 'NULL' AS frames,
         coalesce(json_type(endReasonDetail, '$."Full Stack Trace"'), 'NULL') <> 'NULL' AS fullTrace
       FROM tasks WHERE appKey = $app ORDER BY "index"`,
      { app: APP },
    )) as Array<{ index: number; errorMessage: string | null; endReason: string; frames: boolean; fullTrace: boolean }>;
    expect(rows.map((row) => row.errorMessage)).toEqual(reasons.map((r) => r.message));
    const exceptions = rows.filter((row) => row.endReason === 'ExceptionFailure');
    expect(exceptions).toHaveLength(2);
    expect(exceptions.map((row) => [row.frames, row.fullTrace])).toEqual([[false, false], [false, false]]);
  });

  it('summarizes each exception as it is written: its class, the memory it ran out of, and the start of its message', async () => {
    const rows = plain(await server.temp.database.query(
      `SELECT "index", exception FROM tasks WHERE appKey = $app ORDER BY "index"`,
      { app: APP },
    )) as Array<{ index: number; exception: { className: string; memoryCause: string | null; messageStart: string } | null }>;
    const expected = reasons.map(({ reason, message }) => {
      const fields = reason as Record<string, string>;
      if (fields.Reason !== 'ExceptionFailure') return null;
      // The frames-only message (Spark 1.x) and the full trace naming an OutOfMemoryError only in its cause.
      return { className: fields['Class Name'], memoryCause: /OutOfMemoryError/.test(message) ? 'oom' : null, messageStart: message };
    });
    expect(rows.map((row) => row.exception)).toEqual(expected);
    expect(expected.filter((summary) => summary?.memoryCause === 'oom')).toHaveLength(1);
  });
});
