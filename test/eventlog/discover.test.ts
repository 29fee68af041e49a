import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadInputError } from '../../src/errors.js';
import { openDecodedStream } from '../../src/eventlog/codec.js';
import { DecompressionBudget } from '../../src/eventlog/decompression-limit.js';
import { discoverLogs, materializeForDuckDB, type LogSource } from '../../src/eventlog/discover.js';
import { buildZip } from '../helpers/zip.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { makeTempDir, sha256OfFile } from './helpers.js';

const LINE = '{"Event":"SparkListenerLogStart","Spark Version":"3.5.0"}\n';

let tmp: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  tmp = await makeTempDir();
});
afterAll(async () => {
  await tmp.remove();
});

/** Creates `files` (name → content) in a new directory `name` under the test temp dir. */
async function makeDir(name: string, files: Record<string, string>): Promise<string> {
  const dir = join(tmp.dir, name);
  await mkdir(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content);
  return dir;
}

function partNames(source: LogSource): string[] {
  return source.parts.map((part) => basename(part.path));
}

describe('rolling event log directories', () => {
  it('reads eventlog_v2_local-1623876083964 as two zstd parts in order, completed', async () => {
    const [source, ...rest] = await discoverLogs([eventLogPath('formats', 'eventlog_v2_local-1623876083964')]);
    expect(rest).toEqual([]);
    expect(source).toMatchObject({ name: 'local-1623876083964', layout: 'rolling', inProgress: false });
    expect(partNames(source)).toEqual(['events_1_local-1623876083964.zstd', 'events_2_local-1623876083964.zstd']);
    expect(source.parts.map((part) => part.codec)).toEqual(['zstd', 'zstd']);
    expect(source.cleanup).toBeUndefined();
  });

  it.each(readdirSync(eventLogPath('formats')).filter((name) => name.startsWith('eventlog_v2_spark-')))(
    'reads %s as one plain part, completed',
    async (dirName) => {
      const sources = await discoverLogs([eventLogPath('formats', dirName)]);
      const appId = dirName.slice('eventlog_v2_'.length);
      expect(sources).toHaveLength(1);
      expect(sources[0]).toMatchObject({ name: appId, layout: 'rolling', inProgress: false });
      expect(sources[0].parts).toEqual([{ path: eventLogPath('formats', dirName, `events_1_${appId}`), codec: 'none' }]);
    },
  );

  it('orders parts numerically and reads an .inprogress appstatus as running', async () => {
    const files: Record<string, string> = { 'appstatus_app-9.inprogress': '' };
    for (const n of [1, 2, 10, 3, 4, 5, 6, 7, 8, 9]) files[`events_${n}_app-9`] = LINE;
    const [source] = await discoverLogs([await makeDir('eventlog_v2_app-9', files)]);
    expect(partNames(source)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => `events_${n}_app-9`));
    expect(source.inProgress).toBe(true);
  });

  it('counts a rolling dir without appstatus as running, and finds it by its events_N files', async () => {
    const [source] = await discoverLogs([await makeDir('renamed-rolling', { 'events_1_app-7': LINE })]);
    expect(source).toMatchObject({ name: 'app-7', layout: 'rolling', inProgress: true });
  });

  it('starts from the last compacted part, as Spark does', async () => {
    const dir = await makeDir('eventlog_v2_app-c', {
      'appstatus_app-c': '',
      'events_3_app-c.compact': LINE,
      'events_4_app-c': LINE,
    });
    const [source] = await discoverLogs([dir]);
    expect(partNames(source)).toEqual(['events_3_app-c.compact', 'events_4_app-c']);
  });

  it('rejects a rolling dir with a missing part', async () => {
    const dir = await makeDir('eventlog_v2_app-gap', {
      'appstatus_app-gap': '',
      'events_1_app-gap': LINE,
      'events_3_app-gap': LINE,
    });
    await expect(discoverLogs([dir])).rejects.toThrow(/missing rolling event log files: found events_N parts 1, 3/);
  });

  it('compares part numbers past 2^53 exactly and names them as written', async () => {
    // Spark numbers parts with a long: 9007199254740993 follows 9007199254740992, which a double cannot tell apart.
    const big = await makeDir('eventlog_v2_app-big', {
      'events_9007199254740992_app-big': LINE,
      'events_9007199254740993_app-big.compact': LINE,
      'events_9007199254740993_app-big': LINE,
      'events_9007199254740994_app-big': LINE,
    });
    const [source] = await discoverLogs([big]);
    expect(partNames(source)).toEqual(['events_9007199254740993_app-big.compact', 'events_9007199254740994_app-big']);
    const gap = await makeDir('eventlog_v2_app-far', { 'events_1_app-far': LINE, 'events_99999999999999999999_app-far': LINE });
    await expect(discoverLogs([gap])).rejects.toThrow('found events_N parts 1, 99999999999999999999, but');
  });
});

it('reads a Databricks dir as the dated gz part first, then eventlog', async () => {
  const [source, ...rest] = await discoverLogs([eventLogPath('formats', 'db_sim_eventlog')]);
  expect(rest).toEqual([]);
  expect(source).toMatchObject({ name: 'db_sim_eventlog', layout: 'databricks', inProgress: false });
  expect(source.parts).toEqual([
    { path: eventLogPath('formats', 'db_sim_eventlog', 'eventlog-2021-06-15--15-00.gz'), codec: 'gzip' },
    { path: eventLogPath('formats', 'db_sim_eventlog', 'eventlog'), codec: 'none' },
  ]);
});

it('reads multiple_attempts as a log dir of 4 single-file sources', async () => {
  const sources = await discoverLogs([eventLogPath('formats', 'multiple_attempts')]);
  expect(sources.map((source) => source.name)).toEqual([1, 2, 3, 4].map((n) => `attempt_${n}_eventlog`));
  for (const source of sources) {
    expect(source).toMatchObject({ layout: 'single', inProgress: false });
    expect(source.parts.map((part) => part.codec)).toEqual(['zstd']);
  }
});

it('reads apache-spark/ as a log dir of 18 plain logs', async () => {
  const sources = await discoverLogs([eventLogPath('apache-spark')]);
  expect(sources).toHaveLength(18);
  expect(new Set(sources.map((source) => source.name)).size).toBe(18);
  for (const source of sources) {
    expect(source).toMatchObject({ layout: 'single', inProgress: false });
    expect(source.parts).toEqual([{ path: eventLogPath('apache-spark', source.name), codec: 'none' }]);
  }
});

it('extracts a zip to a temp dir that cleanup removes', async () => {
  const sources = await discoverLogs([eventLogPath('formats', 'eventLogs-application_1489705648216_1600.zip')]);
  expect(sources).toHaveLength(1);
  const [source] = sources;
  expect(source).toMatchObject({ name: 'application_1489705648216_1600', layout: 'single', inProgress: false });
  expect(source.parts).toHaveLength(1);
  const extracted = source.parts[0].path;
  expect(basename(dirname(extracted))).toMatch(/^spark-sword-/);
  const head = (await openDecodedStream(extracted, source.parts[0].codec).take(1).toArray())[0] as Buffer;
  expect(head.toString('utf8')).toMatch(/^\{"Event"/);
  await source.cleanup?.();
  expect(existsSync(dirname(extracted))).toBe(false);
});

it('rejects a truncated zip, saying so', async () => {
  const zip = await readFile(eventLogPath('formats', 'eventLogs-application_1489705648216_1600.zip'));
  const path = join(tmp.dir, 'cut.zip');
  await writeFile(path, zip.subarray(0, zip.length / 2));
  await expect(discoverLogs([path])).rejects.toThrow(/cut\.zip starts like a zip archive but cannot be read/);
});

describe('zip entries', () => {
  const budget = () => new DecompressionBudget({ maxBytes: 64 * 1024 * 1024, maxRatio: 200, maxZipEntries: 100 });
  const withSkips = async (path: string, metered: boolean) => {
    const skipped: Array<[string, string]> = [];
    const sources = await discoverLogs([path], { onSkipped: (file, reason) => skipped.push([file, reason]), budget: metered ? budget() : undefined });
    const heads = await Promise.all(sources.map(async (source) => (await readFile(source.parts[0]!.path, 'utf8')).slice(0, 60)));
    await Promise.all(sources.map((source) => source.cleanup?.()));
    return { names: sources.map((source) => source.name), heads, skipped };
  };

  it.each([['an upload (metered)', true], ['the command line', false]])('are read stored or deflated, from %s', async (_label, metered) => {
    const path = join(tmp.dir, `stored-and-deflated-${metered}.zip`);
    await writeFile(path, buildZip([
      { name: 'app-stored', data: Buffer.from(LINE) },
      { name: 'app-deflated', data: deflateRawSync(LINE), deflated: { size: LINE.length, crc: crc32(LINE) } },
    ]));
    expect(await withSkips(path, metered)).toEqual({ names: ['app-deflated', 'app-stored'], heads: [LINE, LINE], skipped: [] });
  });

  it.each([['an upload (metered)', true], ['the command line', false]])(
    'named past what a file name may be, or twice, are reported and the others kept, from %s',
    async (_label, metered) => {
      const path = join(tmp.dir, `names-${metered}.zip`);
      const long = `${'x'.repeat(300)}.json`;
      await writeFile(path, buildZip([
        { name: long, data: Buffer.from(LINE) },
        { name: 'logs/app-twice', data: Buffer.from(LINE) },
        { name: 'logs/app-twice', data: Buffer.from(LINE.replace('3.5.0', '3.5.1')) },
        { name: 'app-other', data: Buffer.from(LINE) },
      ]));
      const read = await withSkips(path, metered);
      expect(read.names).toEqual(['app-other', 'app-twice', expect.stringMatching(/^x{100,}/)]);
      // The first of two entries of one name is the one read.
      expect(read.heads[1]).toBe(LINE);
      expect(read.skipped).toEqual([
        [`names-${metered}.zip/logs/app-twice`, `names-${metered}.zip holds a second entry named logs/app-twice; the first was read, this one skipped.`],
      ]);
    },
  );

  it('of no log are named inside the zip when it is refused, never by where they were extracted', async () => {
    const path = join(tmp.dir, 'notes.zip');
    await writeFile(path, buildZip([{ name: 'notes.txt', data: Buffer.from('not a log\n') }]));
    const refused = (await discoverLogs([path]).catch((error: unknown) => error)) as Error;
    expect(refused).toBeInstanceOf(BadInputError);
    expect(refused.message).toBe(`The zip archive ${path} holds no Spark event logs. Skipped: notes.zip/notes.txt is text but not JSON lines, so not a Spark event log.`);
  });

  it('that are encrypted are refused, saying so and naming the entry', async () => {
    const path = join(tmp.dir, 'locked.zip');
    const zip = buildZip([{ name: 'app-locked', data: deflateRawSync(LINE), deflated: { size: LINE.length, crc: crc32(LINE) } }]);
    // The "encrypted" flag of the entry's local header and of its central directory record.
    zip[6] |= 1;
    zip[zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 8] |= 1;
    await writeFile(path, zip);
    await expect(discoverLogs([path])).rejects.toThrow(/locked\.zip has an encrypted entry \(app-locked\): unzip it with its password and give the logs/);
  });

  it.each([['an upload (metered)', true], ['the command line', false]])('that fail their CRC are refused, naming the entry, from %s', async (_label, metered) => {
    const path = join(tmp.dir, `crc-${metered}.zip`);
    const zip = buildZip([{ name: 'app-damaged', data: Buffer.from(LINE) }]);
    zip[zip.indexOf('LogStart')] ^= 0x20;
    await writeFile(path, zip);
    const refused = await discoverLogs([path], { budget: metered ? budget() : undefined }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BadInputError);
    expect((refused as Error).message).toMatch(new RegExp(`crc-${metered}\\.zip is a damaged zip archive: its entry app-damaged does not match its CRC-32\\.$`));
  });
});

describe('single files', () => {
  it('takes the codec from the content when the name says otherwise', async () => {
    const dir = await makeDir('misnamed', { 'app-5.lz4': LINE });
    const [source] = await discoverLogs([join(dir, 'app-5.lz4')]);
    expect(source.parts[0].codec).toBe('none');
    expect(source.name).toBe('app-5');
  });

  it('reads a file ending in .inprogress as running', async () => {
    const dir = await makeDir('running', { 'app-6.inprogress': LINE });
    const [source] = await discoverLogs([join(dir, 'app-6.inprogress')]);
    expect(source).toMatchObject({ name: 'app-6', layout: 'single', inProgress: true });
  });

  it('rejects a 0-byte file given directly', async () => {
    await expect(discoverLogs([eventLogPath('broken', 'file_event_log_empty_test')])).rejects.toThrow(
      /is empty \(0 bytes\): nothing to ingest/,
    );
  });
});

describe('bad inputs', () => {
  it('rejects a path that does not exist', async () => {
    const missing = join(tmp.dir, 'no-such-log');
    await expect(discoverLogs([missing])).rejects.toThrow(BadInputError);
    await expect(discoverLogs([missing])).rejects.toThrow(`${missing} does not exist`);
  });

  it('rejects a directory with no logs', async () => {
    const dir = await makeDir('nothing-here', { '.hidden': LINE });
    await expect(discoverLogs([dir])).rejects.toThrow(/nothing-here holds no Spark event logs/);
  });

  it('names every directory it did not search, one reason apart from the next, and says what to give instead', async () => {
    const parent = await makeDir('by-cluster', {});
    await mkdir(join(parent, 'cluster-a'));
    await writeFile(join(parent, 'cluster-a', 'app-1'), LINE);
    await mkdir(join(parent, 'cluster-b'));
    await writeFile(join(parent, 'cluster-b', 'app-2'), LINE);
    const error = await discoverLogs([parent]).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(BadInputError);
    expect((error as Error).message).toMatch(
      /by-cluster holds no Spark event logs\. Skipped: cluster-a\/ is a directory but not a rolling or Databricks event log; cluster-b\/ is a directory/,
    );
    expect((error as Error).message).toMatch(/give the path of each directory that holds logs/);
  });

  it('skips unusable files inside a log dir but keeps the rest', async () => {
    const sources = await discoverLogs([eventLogPath('broken')]);
    const names = sources.map((source) => source.name);
    expect(names).not.toContain('file_event_log_empty_test');
    expect(names).toContain('truncated_eventlog');
    expect(sources).toHaveLength(readdirSync(eventLogPath('broken')).length - 1);
  });

  it('skips a symbolic link loop and a named pipe inside a log dir, saying why, and keeps the rest', async () => {
    const dir = await makeDir('odd-entries', { 'app-good': LINE });
    await symlink(join(dir, 'loop-b'), join(dir, 'loop-a'));
    await symlink(join(dir, 'loop-a'), join(dir, 'loop-b'));
    // Opening a named pipe for reading waits for a writer: reading it would hang the ingest.
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    const skipped: Array<[string, string]> = [];
    const sources = await discoverLogs([dir], { onSkipped: (file, reason) => skipped.push([basename(file), reason]) });
    expect(sources.map((source) => source.name)).toEqual(['app-good']);
    expect(skipped).toEqual([
      ['loop-a', `${join(dir, 'loop-a')} cannot be read: its symbolic links lead in a loop.`],
      ['loop-b', `${join(dir, 'loop-b')} cannot be read: its symbolic links lead in a loop.`],
      ['pipe', `${join(dir, 'pipe')} is neither a file nor a directory.`],
    ]);
  });
});

describe('materializeForDuckDB', () => {
  it('decodes an lz4 part to a plain file equal to the original log', async () => {
    const [source] = await discoverLogs([eventLogPath('formats', 'codecs', 'local-1642039451826.lz4')]);
    const outDir = join(tmp.dir, 'duckdb-in');
    const inputs = await materializeForDuckDB(source, outDir);
    expect(inputs).toHaveLength(1);
    expect(inputs[0].compression).toBe('none');
    expect(dirname(inputs[0].path)).toBe(outDir);
    expect(await sha256OfFile(inputs[0].path)).toBe(await sha256OfFile(eventLogPath('apache-spark', 'local-1642039451826')));
  });

  it('leaves parts DuckDB reads itself where they are', async () => {
    const [source] = await discoverLogs([eventLogPath('formats', 'db_sim_eventlog')]);
    const inputs = await materializeForDuckDB(source, join(tmp.dir, 'unused'));
    expect(inputs).toEqual(source.parts.map((part) => ({ path: part.path, compression: part.codec })));
    expect(existsSync(join(tmp.dir, 'unused'))).toBe(false);
  });
});
