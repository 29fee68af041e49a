import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverLogs, materializeForDuckDB, type DuckDbInput } from '../../src/eventlog/discover.js';
import { ingestPaths, type IngestReport } from '../../src/ingest/ingest-service.js';
import { accumulablesCut, mayBeTaskEnd, slimTaskEnds, taskEndsLookWide } from '../../src/parse/slim-task-ends.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { ingestOutcomes, storedRowsOf } from '../helpers/stored-rows.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

const accumulable = (id: number, name: string, internal: boolean, metadata?: string): Record<string, unknown> => ({
  ID: id,
  Name: name,
  Update: '5',
  Value: '7',
  Internal: internal,
  'Count Failed Values': true,
  ...(metadata === undefined ? {} : { Metadata: metadata }),
});

/** A task end as Spark's JsonProtocol writes it (key order matters to the cut). */
function taskEnd(accumulables: unknown[]): string {
  return JSON.stringify({
    Event: 'SparkListenerTaskEnd',
    'Stage ID': 3,
    'Stage Attempt ID': 0,
    'Task Type': 'ResultTask',
    'Task End Reason': { Reason: 'Success' },
    'Task Info': { 'Task ID': 17, Index: 2, Attempt: 0, 'Launch Time': 1000, 'Executor ID': '1', Host: 'h', Accumulables: accumulables },
    'Task Executor Metrics': { JVMHeapMemory: 10 },
    'Task Metrics': { 'Executor Run Time': 42, 'Updated Blocks': [] },
  });
}

/** The slimmed copy of a part: its pieces, in order, as one text. */
function textOf(part: DuckDbInput): string {
  expect(part.pieces?.length ?? 0).toBeGreaterThan(0);
  return part.pieces!.map((piece) => readFileSync(piece.path, 'utf8')).join('');
}

/** The line after the cut, parsed. */
function slimmed(line: string): Record<string, unknown> | null {
  const bytes = Buffer.from(line);
  const cut = accumulablesCut(bytes);
  if (cut === null) return null;
  return JSON.parse(Buffer.concat([bytes.subarray(0, cut.start), cut.kept, bytes.subarray(cut.end)]).toString()) as Record<string, unknown>;
}

describe('cutting the accumulables nothing keeps out of a task end', () => {
  it('leaves out internal task metrics and SQL metrics, and keeps every other field of the line', () => {
    const line = taskEnd([accumulable(1, 'internal.metrics.executorRunTime', true), accumulable(9, 'scan time', true, 'sql')]);
    const original = JSON.parse(line) as { 'Task Info': Record<string, unknown> };
    original['Task Info'].Accumulables = [];
    expect(slimmed(line)).toEqual(original);
  });

  it('ends the cut at the accumulables, even when a key named "Task ..." follows an array later in the line', () => {
    const line = taskEnd([accumulable(1, 'internal.metrics.executorRunTime', true)]).replace(/\}$/, ',"Task Extra":{"Blocks":[]},"Task Other":1}');
    const original = JSON.parse(line) as { 'Task Info': Record<string, unknown> };
    original['Task Info'].Accumulables = [];
    expect(slimmed(line)).toEqual(original);
  });

  it('keeps only the vendor metrics among SQL metrics logged as not internal', () => {
    const peak = accumulable(12, 'PhotonGroupingAgg peak memory usage', false, 'sql');
    const line = taskEnd([accumulable(9, 'scan time', false, 'sql'), peak, accumulable(13, 'rows output', false, 'sql')]);
    expect((slimmed(line)!['Task Info'] as { Accumulables: unknown[] }).Accumulables).toEqual([peak]);
  });

  it('keeps user accumulators whole beside the vendor metrics, in the order written (a counter in every task)', () => {
    const counter = { ...accumulable(50, 'rows "seen" {so far}', false), Update: 3, Value: [1, 2] };
    const tagged = accumulable(51, 'counter of peak memory usage', false, 'custom');
    const peak = accumulable(12, 'PhotonGroupingAgg peak memory usage', false, 'sql');
    const line = taskEnd([accumulable(1, 'internal.metrics.executorRunTime', true), counter, accumulable(9, 'scan time', false, 'sql'), peak, tagged]);
    expect((slimmed(line)!['Task Info'] as { Accumulables: unknown[] }).Accumulables).toEqual([counter, peak, tagged]);
  });

  it('reads the whole line when a user accumulator is not read whole, or accumulables lack the internal flag', () => {
    const objectValue = { ...accumulable(50, 'rowsSeen', false), Value: { total: 3 } };
    expect(slimmed(taskEnd([accumulable(1, 'internal.metrics.executorRunTime', true), objectValue]))).toBeNull();
    expect(slimmed(taskEnd([{ ID: 1, Name: 'old', Update: '1', Value: '1' }]))).toBeNull();
  });

  it('cuts only task ends laid out as Spark writes them', () => {
    const stageCompleted = JSON.stringify({ Event: 'SparkListenerStageCompleted', 'Stage Info': { Accumulables: [accumulable(1, 'x', true)] } });
    expect(accumulablesCut(Buffer.from(stageCompleted))).toBeNull();
    // A task end without metrics ends with Task Info: nothing follows its accumulables to find their end by.
    const noMetrics = JSON.stringify({ Event: 'SparkListenerTaskEnd', 'Stage ID': 1, 'Task Info': { 'Task ID': 1, Accumulables: [accumulable(1, 'x', true)] } });
    expect(accumulablesCut(Buffer.from(noMetrics))).toBeNull();
  });
});

describe('a slimmed log ingests to the same rows as the log itself', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-slim-'));
  const databases: TempDatabase[] = [];
  afterAll(() => {
    for (const database of databases) database.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Slimming forced on every part, however small, in pieces of a few lines; and slimming never done. */
  const forced = { minBytes: 0, share: 0, judgedBytes: 0, chunkBytes: 64 * 1024, pieceBytes: 16 * 1024 };
  const never = { share: 2 };

  it('for every shared log, cut and read in pieces or read as it is', async () => {
    const folders = [['apache-spark'], ['formats'], ['spark4'], ['broken'], ...['clusters', 'platforms', 'workloads'].map((f) => ['vendors-and-workloads', f])];
    let compared = 0;
    for (const folder of folders) {
      const [asIs, cut] = [await openTempDatabase(), await openTempDatabase()];
      databases.push(asIs, cut);
      const original = await ingestPaths(asIs.database, [eventLogPath(...folder)], { slimming: never });
      const slimmedReport = await ingestPaths(cut.database, [eventLogPath(...folder)], { slimming: forced });
      expect(ingestOutcomes(slimmedReport), folder.join('/')).toEqual(ingestOutcomes(original));
      for (const app of original.applications) {
        expect(await storedRowsOf(cut, app.appKey), `${app.sourceName} ${app.appKey}`).toEqual(await storedRowsOf(asIs, app.appKey));
        compared += 1;
      }
      asIs.dispose();
      cut.dispose();
      databases.length = 0;
    }
    expect(compared).toBeGreaterThan(60);
  }, 600_000);

  /** Writes `lines` as a log and ingests it twice: read as it is, and slimmed into small pieces. */
  async function ingestBothWays(
    name: string,
    lines: readonly string[],
  ): Promise<{ original: IngestReport; slimmedReport: IngestReport; asIs: TempDatabase; cut: TempDatabase }> {
    const log = join(dir, name);
    writeFileSync(log, lines.join('\n'));
    const [asIs, cut] = [await openTempDatabase(), await openTempDatabase()];
    databases.push(asIs, cut);
    const original = await ingestPaths(asIs.database, [log], { slimming: never });
    const slimmedReport = await ingestPaths(cut.database, [log], { slimming: forced });
    return { original, slimmedReport, asIs, cut };
  }

  /** Indexes of the task end lines among `lines`. */
  const taskEndsOf = (lines: readonly string[]): number[] =>
    lines.flatMap((line, i) => (line.startsWith('{"Event":"SparkListenerTaskEnd"') ? [i] : []));

  /** A log of one stage of 400 tasks as lines (several pieces once slimmed), and the indexes of its task ends. */
  function fourHundredTasks(appId: string): { lines: string[]; taskEnds: number[] } {
    const tasks = Array.from({ length: 400 }, (_, i) => ({ durationMs: 100 + i }));
    const lines = buildEventLog({ appId, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks }] }] }).split('\n');
    return { lines, taskEnds: taskEndsOf(lines) };
  }

  /** The same log with blank lines spread through it (so through several pieces). */
  function withBlankLines(appId: string): { lines: string[]; taskEnds: number[] } {
    const { lines, taskEnds: ends } = fourHundredTasks(appId);
    for (const at of [ends[ends.length - 4]!, ends[ends.length - 6]!, ends[200]!, ends[50]!, 2]) lines.splice(at, 0, '', ' \t');
    return { lines, taskEnds: taskEndsOf(lines) };
  }

  /** Gives line `target` a number no field can hold, and expects both reads to refuse the log naming that line. */
  async function expectHugeNumberNamed(name: string, lines: string[], target: number): Promise<void> {
    lines[target] = lines[target]!.replace(/"Executor Run Time":\d+/, '"Executor Run Time":1e308');
    const { original, slimmedReport } = await ingestBothWays(`${name}.json`, lines);
    expect(original.failures[0]?.error.message).toContain(`line ${target + 1} holds the number 1e308`);
    expect(ingestOutcomes(slimmedReport)).toEqual(ingestOutcomes(original));
  }

  it('names a value no field can hold by its line in the log, whichever piece of the copy holds it', async () => {
    const { lines, taskEnds } = fourHundredTasks('app-huge-number');
    await expectHugeNumberNamed('app-huge-number', lines, taskEnds[taskEnds.length - 3]!);
  });

  it('names a value no field can hold by its line past blank lines, in a piece or in the log', async () => {
    const { lines, taskEnds } = withBlankLines('app-blank-huge');
    await expectHugeNumberNamed('app-blank-huge', lines, taskEnds[taskEnds.length - 4]!);
  });

  it('numbers lines piece by piece when a warning has to name one: an event without its id, and a task end without one', async () => {
    const { lines, taskEnds } = fourHundredTasks('app-unusable');
    const jobEnd = lines.findIndex((line) => line.startsWith('{"Event":"SparkListenerJobEnd"'));
    lines[jobEnd] = lines[jobEnd]!.replace(/"Job ID":\d+,/, '');
    const lateTask = taskEnds[taskEnds.length - 5]!;
    lines[lateTask] = lines[lateTask]!.replace(/"Stage ID":\d+,/, '');
    const { original, slimmedReport, asIs, cut } = await ingestBothWays('app-unusable.json', lines);
    const warned = original.applications[0]!.warnings.map((warning) => warning.line);
    expect(warned).toEqual(expect.arrayContaining([jobEnd + 1, lateTask + 1]));
    expect(ingestOutcomes(slimmedReport)).toEqual(ingestOutcomes(original));
    expect(await storedRowsOf(cut, 'app-unusable')).toEqual(await storedRowsOf(asIs, 'app-unusable'));
  });

  it('numbers lines piece by piece past blank lines in earlier pieces and in the same one', async () => {
    const { lines, taskEnds } = withBlankLines('app-blank-pieces');
    const lateTask = taskEnds[taskEnds.length - 4]!;
    lines[lateTask] = lines[lateTask]!.replace(/"Stage ID":\d+,/, '');
    const { original, slimmedReport, asIs, cut } = await ingestBothWays('app-blank-pieces.json', lines);
    expect(original.applications[0]!.warnings.map((warning) => warning.line)).toContain(lateTask + 1);
    expect(ingestOutcomes(slimmedReport)).toEqual(ingestOutcomes(original));
    expect(await storedRowsOf(cut, 'app-blank-pieces')).toEqual(await storedRowsOf(asIs, 'app-blank-pieces'));
  });

  it('holds only lines that may be task ends until they end; any other line streams through', () => {
    expect(mayBeTaskEnd(Buffer.from('{"Event":"SparkListenerTaskEnd","Stage ID":1'))).toBe(true);
    // Too short to tell yet.
    expect(mayBeTaskEnd(Buffer.from('{"Event":"Spark'))).toBe(true);
    expect(mayBeTaskEnd(Buffer.from('{"Event":"org.apache.spark.sql.execution.ui.SparkListenerSQLExecutionStart"'))).toBe(false);
    expect(mayBeTaskEnd(Buffer.from('{"Event":"SparkListenerTaskStart","Stage ID":1'))).toBe(false);
    expect(mayBeTaskEnd(Buffer.from('{"Stage ID":1,"Event":"SparkListenerTaskEnd"'))).toBe(false);
  });

  it('cuts the same whatever the chunks the log is read in, and passes lines over the held limit through whole', async () => {
    const [source] = await discoverLogs([eventLogPath('apache-spark', 'app-20180109111548-0000')]);
    const parts = await materializeForDuckDB(source!, dir);
    const force = { minBytes: 0, share: 0, judgedBytes: 0 };
    const slim = async (name: string, options: object): Promise<string[]> => {
      const work = mkdtempSync(join(dir, name));
      const [copy] = await slimTaskEnds(parts, work, { ...force, ...options });
      return textOf(copy!).split('\n');
    };
    const whole = await slim('whole-', {});
    // Chunks far shorter than a line: every line spans chunks, so the carried start of a line is what is cut.
    expect(await slim('tiny-', { chunkBytes: 97 })).toEqual(whole);
    const original = readFileSync(parts[0]!.path, 'utf8').split('\n');
    const limit = 2_000;
    const limited = await slim('limited-', { chunkBytes: 512, longestHeldLine: limit });
    expect(limited.length).toBe(original.length);
    // A line is passed through once more than the limit of it is held without its end: it is copied whole.
    const passed = limited.filter((line, i) => line !== whole[i]);
    expect(passed.length).toBeGreaterThan(0);
    limited.forEach((line, i) => {
      if (line !== whole[i]) expect(line.length > limit && line === original[i]).toBe(true);
    });
  });

  it('reads no plain part smaller than a copy pays for, even one larger than a chunk', async () => {
    const work = mkdtempSync(join(dir, 'small-'));
    const metrics = Array.from({ length: 200 }, (_, i) => accumulable(i, `metric ${i}`, false, 'sql'));
    const log = join(work, 'small.json');
    writeFileSync(log, `${Array.from({ length: 80 }, () => taskEnd(metrics)).join('\n')}\n`);
    const part = { path: log, compression: 'none' as const };
    // ~2 MB: past the 1 MB chunk, short of the 4 MB a copy needs; cutting would save nine tenths of it.
    expect(await slimTaskEnds([part], work, { chunkBytes: 1024 * 1024, minBytes: 4 * 1024 * 1024 })).toEqual([part]);
    expect(readdirSync(work)).toEqual(['small.json']);
    const [slimmedCopy] = await slimTaskEnds([part], work, { chunkBytes: 1024 * 1024, minBytes: 1024 * 1024 });
    expect(slimmedCopy!.pieces?.length).toBeGreaterThan(0);
  });

  it('leaves a part it cannot read to DuckDB, which reports it as it would have', async () => {
    const work = mkdtempSync(join(dir, 'corrupt-'));
    const corrupt = join(work, 'app-corrupt.json.gz');
    // A gzip header followed by bytes that inflate to nothing valid.
    writeFileSync(corrupt, Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03]), Buffer.alloc(5000, 0xff)]));
    const part = { path: corrupt, compression: 'gzip' as const };
    expect(await slimTaskEnds([part], work, { minBytes: 0, share: 0, judgedBytes: 0 }, async () => true)).toEqual([part]);
    expect(readdirSync(work)).toEqual(['app-corrupt.json.gz']);
  });

  it('keeps the bytes of every line that is not a cut task end', async () => {
    const [source] = await discoverLogs([eventLogPath('apache-spark', 'app-20180109111548-0000')]);
    const work = mkdtempSync(join(dir, 'bytes-'));
    const [copy] = await slimTaskEnds(await materializeForDuckDB(source!, work), work, { minBytes: 0, share: 0, judgedBytes: 0 });
    const before = readFileSync(source!.parts[0]!.path, 'utf8').split('\n');
    const after = textOf(copy!).split('\n');
    expect(after.length).toBe(before.length);
    const changed = before.filter((line, i) => line !== after[i]);
    expect(changed.length).toBeGreaterThan(0);
    expect(changed.every((line) => line.startsWith('{"Event":"SparkListenerTaskEnd"'))).toBe(true);
  });
});

describe('the look DuckDB takes at a zstd part before it is decoded in JavaScript to be slimmed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-look-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A log of one stage of 300 tasks, each task end with `metrics` SQL metrics among its accumulables. */
  function logWith(metrics: number): DuckDbInput {
    const accumulables = Array.from({ length: metrics }, (_, i) => ({ name: `photon metric ${i}`, update: i, metadata: 'sql' as const }));
    const tasks = Array.from({ length: 300 }, (_, i) => ({ durationMs: 100 + i, accumulables }));
    const path = join(dir, `metrics-${metrics}.json`);
    writeFileSync(path, buildEventLog({ appId: `app-${metrics}`, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks }] }] }));
    return { path, compression: 'none' };
  }

  it('finds task ends mostly accumulables where they carry hundreds, and not where they carry none', async () => {
    const database = await openTempDatabase();
    try {
      await database.database.withConnection(async (connection) => {
        const [wide, plainLog] = [logWith(200), logWith(0)];
        expect(await taskEndsLookWide(connection, wide, 0.5)).toBe(true);
        expect(await taskEndsLookWide(connection, wide, 0.99)).toBe(false);
        expect(await taskEndsLookWide(connection, plainLog, 0.5)).toBe(false);
        expect(await taskEndsLookWide(connection, plainLog, 0)).toBe(true);
        // A shared zstd log of the RAPIDS workloads, read by DuckDB as it is.
        const zstd: DuckDbInput = { path: eventLogPath('vendors-and-workloads', 'workloads', 'xgboost_eventlog.zstd'), compression: 'zstd' };
        expect(await taskEndsLookWide(connection, zstd, 0)).toBe(true);
      });
    } finally {
      database.dispose();
    }
  });
});
