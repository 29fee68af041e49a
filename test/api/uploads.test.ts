import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApplicationByIdDocument,
  ApplicationListDocument,
  DeleteApplicationDocument,
  UploadEventLogDocument,
} from '../generated/graphql.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';

describe('uploading event logs through GraphQL multipart requests', () => {
  let server: TestServer;
  let scratch: string;
  beforeAll(async () => {
    server = await startTestServer({ MAX_UPLOAD_BYTES: String(8 * 1024 * 1024) });
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-upload-test-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  const storedCount = async () =>
    (await gql(server.graphqlUrl, ApplicationListDocument, { first: 1 })).data!.applications.totalCount;

  it.each([
    ['a plain Spark 1.2 log', ['apache-spark', 'local-1422981780767'], 'local-1422981780767', 32],
    ['an .lz4 log (lz4-java block stream)', ['formats', 'codecs', 'local-1642039451826.lz4'], 'local-1642039451826', 35],
    ['an .lzf log', ['formats', 'codecs', 'app-20200706201101-0003.lzf'], 'app-20200706201101-0003', 48],
    ['a .snappy log (snappy-java framing)', ['formats', 'codecs', 'local-1642039451826.snappy'], 'local-1642039451826', 35],
    ['a .zstd log', ['formats', 'codecs', 'app-20200706201101-0003.zstd'], 'app-20200706201101-0003', 48],
    ['a Spark 4.1 YARN log', ['spark4', 'application_1713000000000_0001_2.zstd'], 'application_1713000000000_0001/2', null],
    ['a gzip part of a rolled log', ['formats', 'db_sim_eventlog', 'eventlog-2021-06-15--15-00.gz'], 'local-1623876083964', null],
  ])('stores %s and answers for it', async (_label, parts, expectedId, expectedTasks) => {
    // Several of these logs are one application in another codec: each replaces the last, explicitly.
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath(...parts), { variables: { replace: true } });
    expect(result.errors).toBeUndefined();
    const uploaded = result.data!.uploadEventLog;
    expect(uploaded.application.id).toBe(expectedId);
    expect(Number(uploaded.eventsRead)).toBeGreaterThan(0);
    const app = (await gql(server.graphqlUrl, ApplicationByIdDocument, { id: expectedId })).data!.application!;
    expect(app.id).toBe(expectedId);
    if (expectedTasks !== null) expect(Number(app.stats.totalTasks)).toBe(expectedTasks);
  });

  it('stores every log of a zip (the YARN log download)', async () => {
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('formats', 'eventLogs-application_1489705648216_1600.zip'));
    expect(result.errors).toBeUndefined();
    expect(result.data!.uploadEventLog.applications.map((a) => a.id)).toEqual([result.data!.uploadEventLog.application.id]);
  });

  it('reports skipped lines and unknown event types of a damaged log', async () => {
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('broken', 'app-20231122115433-0000-eventLog-corrupted-events'));
    const uploaded = result.data!.uploadEventLog;
    expect(uploaded.skippedEventTypes).toContainEqual({ eventType: 'SparkListenerStageSubmittedBAD', count: 1 });
    expect(uploaded.warnings).toContainEqual({
      line: 41,
      message: 'line 41: SparkListenerStageSubmitted has no "Stage Info"."Stage ID"; the event was skipped',
    });
  });

  it.each([
    ['an empty file', () => eventLogPath('broken', 'file_event_log_empty_test'), /file_event_log_empty_test is empty/],
    ['a text file', () => write('notes.txt', 'not a log\n'), /notes\.txt .*(not a Spark event log|no events)/],
    ['random bytes', () => write('blob.bin', randomBytes(4096)), /blob\.bin/],
    // Damage our zstd decoder passes over (it checks neither a frame's declared size nor its checksum) and DuckDB's
    // reader refuses.
    ['a zstd log whose frame header lies about its size', () => damaged('local-1642039451826.zstd', 5), /local-1642039451826\.zstd is corrupt/],
    ['a zstd log whose data fails its checksum', () => damaged('local-1642039451826.zstd', 80), /local-1642039451826\.zstd is corrupt/],
  ])('rejects %s with BAD_USER_INPUT, a message naming the file, and stores nothing', async (_label, file, message) => {
    const before = await storedCount();
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, file());
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]!.extensions?.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(message);
    expect(result.errors![0]!.message).not.toMatch(/spark-sword-upload-|\/tmp\//);
    expect(await storedCount()).toBe(before);
  });

  /** A copy of a shared codec test log, named as it is, with the byte at `offset` inverted. */
  function damaged(name: string, offset: number): string {
    const bytes = readFileSync(eventLogPath('formats', 'codecs', name));
    bytes[offset] = bytes[offset]! ^ 0xff;
    return write(name, bytes);
  }

  it('refuses an upload over MAX_UPLOAD_BYTES with PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const big = write('big.json', Buffer.alloc(9 * 1024 * 1024, 0x20));
    const before = await storedCount();
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, big);
    expect(result.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(result.errors?.[0]?.message).toMatch(/larger than the limit of 8388608 bytes/);
    expect(await storedCount()).toBe(before);
  });

  it('blocks a multipart request without the CSRF preflight header', async () => {
    const result = await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', 'local-1422981759269'), {
      preflight: false,
    });
    expect(result.status).toBe(400);
    expect(result.errors![0]!.message).toMatch(/apollo-require-preflight/);
    expect((await gql(server.graphqlUrl, ApplicationByIdDocument, { id: 'local-1422981759269' })).data!.application).toBeNull();
  });

  it('deletes an application, and says NOT_FOUND for one it does not have', async () => {
    await gqlUpload(server.graphqlUrl, UploadEventLogDocument, eventLogPath('apache-spark', 'local-1425081759269'));
    const deleted = await gql(server.graphqlUrl, DeleteApplicationDocument, { id: 'local-1425081759269' });
    expect(deleted.data!.deleteApplication).toEqual(['local-1425081759269']);
    expect((await gql(server.graphqlUrl, ApplicationByIdDocument, { id: 'local-1425081759269' })).data!.application).toBeNull();
    const again = await gql(server.graphqlUrl, DeleteApplicationDocument, { id: 'local-1425081759269' });
    expect(again.errors![0]!.extensions?.code).toBe('NOT_FOUND');
  });

  function write(name: string, content: string | Buffer): string {
    const path = join(scratch, name);
    writeFileSync(path, content);
    return path;
  }
});
