import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DecompressionBudget } from '../../src/eventlog/decompression-limit.js';
import { discoverLogs } from '../../src/eventlog/discover.js';
import { BadInputError } from '../../src/errors.js';
import { ingestPaths, ingestSource } from '../../src/ingest/ingest-service.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { openTempDatabase, plain, useDatabaseAndScratch, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';
import { writeZip } from '../helpers/zip.js';

describe('ingesting every codec and file layout', () => {
  let db: TempDatabase;
  beforeAll(async () => {
    db = await openTempDatabase();
  });
  afterAll(() => db.dispose());

  const countsOf = async (appKey: string) =>
    plain(
      await db.database.query(
        `SELECT (SELECT count(*) FROM jobs WHERE appKey = $k) AS jobs, (SELECT count(*) FROM stages WHERE appKey = $k) AS stages,
           (SELECT count(*) FROM tasks WHERE appKey = $k) AS tasks, (SELECT count(*) FROM executors WHERE appKey = $k) AS executors,
           (SELECT sum(executorRunTime) FROM tasks WHERE appKey = $k) AS runTime`,
        { k: appKey },
      ),
    )[0];

  it.each(['lz4', 'lzf', 'snappy', 'zstd'])('stores a .%s log exactly as its plain original', async (codec) => {
    for (const app of ['local-1642039451826', 'app-20200706201101-0003']) {
      await ingestPaths(db.database, [eventLogPath('apache-spark', app)]);
      const plainCounts = await countsOf(app);
      const report = await ingestPaths(db.database, [eventLogPath('formats', 'codecs', `${app}.${codec}`)]);
      expect(report.applications.map((a) => a.appKey)).toEqual([app]);
      expect(await countsOf(app)).toEqual(plainCounts);
      expect(plainCounts.tasks).toBeGreaterThan(0);
    }
  });

  it('reads a rolling event log directory in part order and knows from appstatus that it finished', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('formats', 'eventlog_v2_local-1623876083964')]);
    expect(report.failures).toEqual([]);
    const [app] = report.applications;
    expect(app).toMatchObject({ appKey: 'local-1623876083964', completed: true });
    // part 1 holds 5,370 events and part 2 251 (DuckDB counts per part checked by hand)
    expect(app!.eventsRead).toBe(5370 + 251);
    // TaskEnd lines: 2,672 in part 1 and 129 in part 2 (counted with zstdcat | grep)
    expect((await countsOf('local-1623876083964')).tasks).toBe(2672 + 129);
  });

  it('reads Databricks-style rolled logs (dated .gz parts, then the live file) as one application', async () => {
    const rolling = await countsOf('local-1623876083964');
    const report = await ingestPaths(db.database, [eventLogPath('formats', 'db_sim_eventlog')]);
    expect(report.failures).toEqual([]);
    expect(report.applications).toHaveLength(1);
    // The same application as the rolling directory, split differently: the same rows come out.
    expect(report.applications[0]!.appKey).toBe('local-1623876083964');
    expect(await countsOf('local-1623876083964')).toEqual(rolling);
  });

  it('keeps each attempt of a multi-attempt YARN application, with the attempt id from the log', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('formats', 'multiple_attempts')]);
    expect(report.failures).toEqual([]);
    const keys = report.applications.map((a) => a.appKey).sort();
    expect(keys).toHaveLength(4);
    const attemptIds = report.applications.map((a) => a.attemptId).sort();
    expect(attemptIds).toEqual(['1', '2', '3', '4']);
    expect(new Set(report.applications.map((a) => a.appId)).size).toBe(1);
  });

  it('reads the zip a YARN log download returns', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('formats', 'eventLogs-application_1489705648216_1600.zip')]);
    expect(report.failures).toEqual([]);
    expect(report.applications).toHaveLength(1);
    expect(report.applications[0]!.appId).toMatch(/^application_1489705648216_1600/);
  });

  it('ingests every other shared log: Spark 2.x-4.1, vendor builds, DataSource V2, AQE, dynamic allocation', async () => {
    const report = await ingestPaths(db.database, [
      eventLogPath('formats', 'aqeshuffle_eventlog.zstd'),
      eventLogPath('formats', 'eventlog_4nodes_8cores_dynamic_alloc.zstd'),
      eventLogPath('formats', 'eventlog_dsv2.zstd'),
      eventLogPath('formats', 'spark2-eventlog.zstd'),
      eventLogPath('formats', 'eventlog_v2_spark-110be3a8424d4a2789cb88134418217b'),
      eventLogPath('formats', 'eventlog_v2_spark-bcec39f6201b42b9925124595baad260'),
      eventLogPath('formats', 'eventlog_v2_spark-cc4d115f011443d787f03a71a476a745'),
      eventLogPath('spark4'),
      eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd'),
    ]);
    expect(report.failures).toEqual([]);
    expect(report.applications.length).toBe(4 + 3 + 4 + 1);
    for (const app of report.applications) {
      const counts = await countsOf(app.appKey);
      expect(counts.executors, app.appKey).toBeGreaterThan(0);
    }
    const dynamic = report.applications.find((a) => a.sourceName.includes('dynamic_alloc'))!;
    expect((await countsOf(dynamic.appKey)).executors).toBeGreaterThanOrEqual(15);
    const [sqlCount] = plain(await db.database.query(`SELECT count(*) AS n FROM sql_executions WHERE appKey = $k`, { k: dynamic.appKey }));
    expect(sqlCount.n).toBeGreaterThan(0);
  });
});

// Logs in layouts that break or change under the reader: one database and one scratch directory for all of them.
describe('layouts that break or change while read', () => {
  const scratch = useDatabaseAndScratch('layouts');

  describe('a zip of a rolling event log directory', () => {
    const appId = 'app-zip-rolling';
    const lines = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 10 }] }] }] }).split('\n');
    const half = Math.floor(lines.length / 2);
    /** A zip of a rolling directory of two parts: `first` (named `firstName`) and `second`. */
    const zipOf = (name: string, first: string | Buffer, second: string, firstName = `events_1_${appId}`): string => {
      const path = join(scratch.dir, name);
      writeZip(path, {
        [`eventlog_v2_${appId}/appstatus_${appId}`]: '',
        [`eventlog_v2_${appId}/${firstName}`]: first,
        [`eventlog_v2_${appId}/events_2_${appId}`]: second,
      });
      return path;
    };
    const firstHalf = lines.slice(0, half).join('\n');
    const secondHalf = lines.slice(half).join('\n');
    const inZip = (zip: string, part: string): string => `${zip}/eventlog_v2_${appId}/${part}`;

    it('names a part by its place in the zip in a warning, never by where it was extracted', async () => {
      // A line cut short inside part 1, as a copy interrupted and resumed leaves it.
      const first = [...lines.slice(0, half - 1), lines[half - 1]!.slice(0, 20), lines[half - 1]!].join('\n');
      const report = await ingestPaths(scratch.db.database, [zipOf('cut.zip', first, secondHalf)]);
      const messages = report.applications.flatMap((app) => app.warnings.map((warning) => warning.message));
      expect(messages).toHaveLength(1);
      expect(messages[0]).toContain(`of part 1 (${inZip('cut.zip', `events_1_${appId}`)})`);
      expect(messages[0]).not.toContain(tmpdir());
    });

    it('names a part by its place in the zip when it refuses the log', async () => {
      const huge = secondHalf.replace(/"Stage ID":0/, '"Stage ID":99999999999999999999');
      const refused = await ingestPaths(scratch.db.database, [zipOf('huge.zip', firstHalf, huge)]);
      expect(refused.failures.map((failure) => failure.error.message)).toEqual([
        expect.stringContaining(`of part 2 (${inZip('huge.zip', `events_2_${appId}`)}) holds the number 99999999999999999999`),
      ]);
      const cutShort = gzipSync(firstHalf).subarray(0, 40);
      const truncated = await ingestPaths(scratch.db.database, [zipOf('gz.zip', cutShort, secondHalf, `events_1_${appId}.gz`)]);
      const message = truncated.failures.map((failure) => failure.error.message).join();
      expect(message).toContain(inZip('gz.zip', `events_1_${appId}.gz`));
      expect(message).not.toContain(tmpdir());
    });
  });

  describe('a compressed part cut short before its first line', () => {
    const appId = 'local-1623876083964';
    const rolling = eventLogPath('formats', `eventlog_v2_${appId}`);
    /** The rolling directory with its first part replaced by `first`, named `firstName`. */
    const withFirstPart = (name: string, firstName: string, first: Buffer): string => {
      const copy = join(scratch.dir, name, `eventlog_v2_${appId}`);
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, `appstatus_${appId}`), '');
      copyFileSync(join(rolling, `events_2_${appId}.zstd`), join(copy, `events_2_${appId}.zstd`));
      writeFileSync(join(copy, firstName), first);
      return copy;
    };
    // Too short to hold a whole block: the decoder gives nothing, where a longer cut gives a line cut in two.
    const zstdHead = readFileSync(join(rolling, `events_1_${appId}.zstd`)).subarray(0, 3000);
    const gzipHead = gzipSync(readFileSync(eventLogPath('apache-spark', 'local-1642039451826'))).subarray(0, 40);

    it.each([
      ['zstd', `events_1_${appId}.zstd`, zstdHead],
      ['gzip', `events_1_${appId}.gz`, gzipHead],
    ])('is refused as truncated, not read as holding nothing (%s)', async (codec, firstName, first) => {
      const path = withFirstPart(codec, firstName, first);
      const report = await ingestPaths(scratch.db.database, [path]);
      expect(report.applications).toEqual([]);
      expect(report.failures.map((failure) => failure.error.message)).toEqual([
        expect.stringMatching(new RegExp(`${firstName.replaceAll('.', '\\.')} is truncated`)),
      ]);
      const single = join(scratch.dir, `single-${firstName}`);
      writeFileSync(single, first);
      const alone = await ingestPaths(scratch.db.database, [single]);
      expect(alone.failures.map((failure) => failure.error.message)).toEqual([expect.stringContaining(`${single} is truncated`)]);
    });

    it('is read as the newest part of a running application, which Spark has not flushed yet', async () => {
      const copy = join(scratch.dir, 'running', `eventlog_v2_${appId}`);
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, `appstatus_${appId}.inprogress`), '');
      copyFileSync(join(rolling, `events_1_${appId}.zstd`), join(copy, `events_1_${appId}.zstd`));
      writeFileSync(join(copy, `events_2_${appId}.zstd`), readFileSync(join(rolling, `events_2_${appId}.zstd`)).subarray(0, 3000));
      const report = await ingestPaths(scratch.db.database, [copy]);
      expect(report.failures).toEqual([]);
      // part 1's 5,370 events (see the rolling directory above)
      expect(report.applications.map((app) => app.eventsRead)).toEqual([5370]);
    });
  });

  describe('a compressed log of a running application', () => {
    const plainLog = eventLogPath('apache-spark', 'local-1642039451826');
    const rollingPart = join(eventLogPath('formats', 'eventlog_v2_local-1623876083964'), 'events_1_local-1623876083964.zstd');
    /** The first 60% of `bytes`: where a copy of a log still being written ends, mid-frame. */
    const cutMidway = (bytes: Buffer): Buffer => bytes.subarray(0, Math.floor(bytes.length * 0.6));
    const compressed: Array<[string, () => Buffer]> = [
      ['lz4', () => readFileSync(eventLogPath('formats', 'codecs', 'local-1642039451826.lz4'))],
      ['lzf', () => readFileSync(eventLogPath('formats', 'codecs', 'local-1642039451826.lzf'))],
      ['snappy', () => readFileSync(eventLogPath('formats', 'codecs', 'local-1642039451826.snappy'))],
      ['gz', () => gzipSync(readFileSync(plainLog))],
      // A log of several zstd blocks: Spark's stream is one frame, flushed block by block.
      ['zstd', () => readFileSync(rollingPart)],
    ];

    it.each(compressed)('is read up to where its .%s file ends, as Spark reads it, and shown running', async (codec, bytesOf) => {
      const running = join(scratch.dir, `running-${codec}.${codec}.inprogress`);
      writeFileSync(running, cutMidway(bytesOf()));
      const report = await ingestPaths(scratch.db.database, [running]);
      expect(report.failures).toEqual([]);
      const [app] = report.applications;
      expect(app!.completed).toBe(false);
      expect(app!.eventsRead).toBeGreaterThan(10);
      // Where the file ends is where its last whole block does: a line cut there is skipped with a warning.
      for (const warning of app!.warnings.filter((w) => w.line !== null)) expect(warning.message).toMatch(/is cut off/);
      // The same bytes under a finished log's name are a copy cut short.
      const finished = join(scratch.dir, `finished-${codec}.${codec}`);
      writeFileSync(finished, cutMidway(bytesOf()));
      const refused = await ingestPaths(scratch.db.database, [finished]);
      expect(refused.failures.map((failure) => failure.error.message)).toEqual([expect.stringMatching(/is (truncated|corrupt)/)]);
    });

    it('is read the same way when uploaded, its decoding metered', async () => {
      const running = join(scratch.dir, 'uploaded.zstd.inprogress');
      writeFileSync(running, cutMidway(readFileSync(rollingPart)));
      const budget = new DecompressionBudget({ maxBytes: 1024 * 1024 * 1024, maxRatio: 100, maxZipEntries: 100 });
      const report = await ingestPaths(scratch.db.database, [running], { budget });
      expect(report.failures).toEqual([]);
      expect(report.applications.map((app) => app.completed)).toEqual([false]);
      expect(budget.bytesUsed).toBeGreaterThan(0);
    });

    it('is read up to where its newest part ends, in a rolling directory still being written', async () => {
      const copy = join(scratch.dir, 'running-rolling', 'eventlog_v2_local-1623876083964');
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, 'appstatus_local-1623876083964.inprogress'), '');
      writeFileSync(join(copy, 'events_1_local-1623876083964.zstd'), cutMidway(readFileSync(rollingPart)));
      const report = await ingestPaths(scratch.db.database, [copy]);
      expect(report.failures).toEqual([]);
      expect(report.applications.map((app) => app.completed)).toEqual([false]);
    });
  });

  describe('a log moved or removed after it was found', () => {
    // As History Server's directory is: Spark renames a log complete, and a cleaner removes old ones, at any time.
    it.each([
      ['a plain file', eventLogPath('apache-spark', 'local-1642039451826'), 'local-1642039451826'],
      ['a part of a rolling directory', eventLogPath('formats', 'eventlog_v2_local-1623876083964'), 'eventlog_v2_local-1623876083964/events_1_local-1623876083964.zstd'],
    ])('is refused as gone, naming it, when it is %s', async (_kind, original, gone) => {
      const copy = join(scratch.dir, basename(original));
      cpSync(original, copy, { recursive: true });
      const [source] = await discoverLogs([copy]);
      rmSync(copy, { recursive: true });
      const refusal = ingestSource(scratch.db.database, source!);
      await expect(refusal).rejects.toThrow(BadInputError);
      await expect(refusal).rejects.toThrow(`${join(scratch.dir, gone)} was moved or removed while it was read; nothing was stored`);
    });
  });
});
