import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DecompressionBudget } from '../eventlog/decompression-limit.js';
import { duckDbDecodeFailure, openDecodedStream } from '../eventlog/codec.js';
import { ingestTempPrefix } from '../eventlog/temp-files.js';
import { discoverLogs, drain, materializeForDuckDB, partShownAs, type DuckDbInput, type LogSource } from '../eventlog/discover.js';
import { copyWithoutLines, findBlankLines, findFirstLine, lineAt, scanLines, type LineScan } from '../eventlog/line-scanner.js';
import { shuffleSkeleton, type PlanNode } from '../analysis/detectors/shuffle-boundary.js';
import { detectInsights } from '../analysis/run-detectors.js';
import { BadInputError, MemoryLimitError } from '../errors.js';
import { logger } from '../logger.js';
import { handledEvents } from '../parse/event-names.js';
import {
  dropStagedTables,
  lineErrorOf,
  MalformedJsonError,
  MAX_EVENT_BYTES,
  numberedPlan,
  partsWithoutLines,
  OversizedEventError,
  realLineNumber,
  STAGED_EVENTS,
  STAGED_UNREAD_EVENTS,
  stageEvents,
  type PartLineScan,
  type StagingOptions,
  type StagingPlan,
} from '../parse/stage-events.js';
import { slimTaskEnds, taskEndsLookWide, type SlimmingOptions } from '../parse/slim-task-ends.js';
import { lastPlanTextId, removeUnreferencedPlanTexts } from '../store/plan-texts.js';
import { NumberPast64BitsError, numberNoFieldHolds, numberPast64Bits } from '../parse/numbers-past-64-bits.js';
import { OutOfRangeIdError, writeApplication, type ApplicationIdentity, type WriteOutcome } from '../store/application-writer.js';
import type { AnalysisDatabase } from '../store/database.js';
import { replaceInsights } from '../store/insights-store.js';

/** Something the ingest noticed but worked around; `line` is the log line when one is to blame. */
export interface IngestWarning {
  line: number | null;
  message: string;
}

/** What one ingested application attempt came to. */
export interface IngestedApplication {
  appKey: string;
  appId: string;
  attemptId: string | null;
  name: string | null;
  completed: boolean;
  sourceName: string;
  eventsRead: number;
  eventsSkipped: number;
  skippedEventTypes: Record<string, number>;
  warnings: IngestWarning[];
}

/** Progress of a multi-log ingest, for a CLI or a log line. */
export interface IngestProgress {
  index: number;
  total: number;
  sourceName: string;
}

/** Where one log's ingest is: its steps in order, then done (or failed, with a BadInputError). */
export type IngestPhase = 'decoding' | 'reading' | 'storing' | 'analyzing' | 'done' | 'failed';

/**
 * A step of one log's ingest, for a progress bar: the log's size on disk (compressed, as stored), how much of it
 * has been read (all of it once DuckDB's read is done), and the events stored once they are known.
 */
export interface IngestPhaseUpdate {
  sourceName: string;
  phase: IngestPhase;
  bytesTotal: number;
  bytesRead: number;
  events: number | null;
  elapsedMs: number;
}

/** Options of {@link ingestPaths}. */
export interface IngestOptions {
  onProgress?: (progress: IngestProgress) => void;
  /**
   * Called with each application's key once the log is read and before anything is written; throwing
   * stops that log (a BadInputError rejects just it, anything else the whole ingest). Uploads check
   * "replace: true" and ownership here.
   */
  beforeWrite?: (appKey: string) => Promise<void>;
  /** Meters every decompression (uploads): past its limits the ingest stops with a DecompressionLimitError. */
  budget?: DecompressionBudget;
  /** Called as each log moves from one step to the next. */
  onPhase?: (update: IngestPhaseUpdate) => void;
  /** When and how big parts are slimmed and written in pieces for DuckDB (defaults suit real logs; tests force it). */
  slimming?: Partial<SlimmingOptions>;
}

/** One log that could not be ingested, and why (its message is for the person who supplied it). */
export interface IngestFailure {
  sourceName: string;
  error: Error;
}

/** A file of a log directory or zip that is not an event log at all (a README, a YAML file...). */
export interface IngestSkip {
  sourceName: string;
  reason: string;
}

/** Result of ingesting several paths: what was stored, what was rejected, and which files were no logs. */
export interface IngestReport {
  applications: IngestedApplication[];
  failures: IngestFailure[];
  /** Files beside the logs that were not taken as logs, as History Server passes them over. */
  skipped: IngestSkip[];
}

/**
 * Ingests every event log found under `paths` (files, rolling-log directories, History-Server-style log
 * directories, zips). Each log is stored atomically and on its own: a log that fails (bad input, or an
 * internal error) is reported in `failures` with its reason and the next one is still tried; a file of a
 * directory or zip that is no log is listed in `skipped`. Throws BadInputError only when no path holds any log at all.
 */
export async function ingestPaths(
  database: AnalysisDatabase,
  paths: readonly string[],
  options: IngestOptions = {},
): Promise<IngestReport> {
  const report: IngestReport = { applications: [], failures: [], skipped: [] };
  const onSkipped = (path: string, reason: string): void => {
    report.skipped.push({ sourceName: path, reason });
  };
  if (paths.length === 0) await discoverLogs([]); // throws: no log given
  const sources: LogSource[] = [];
  let firstError: unknown = null;
  for (const path of paths) {
    try {
      sources.push(...(await discoverLogs([path], { onSkipped, budget: options.budget })));
    } catch (error) {
      if (!(error instanceof BadInputError)) {
        await Promise.all(sources.map((source) => source.cleanup?.()));
        throw error;
      }
      firstError ??= error;
      report.failures.push({ sourceName: path, error });
    }
  }
  // One unusable path alone is the caller's mistake, as before: it throws.
  if (sources.length === 0 && firstError !== null && paths.length <= 1) throw firstError;
  try {
    for (const [index, source] of sources.entries()) {
      options.onProgress?.({ index, total: sources.length, sourceName: source.name });
      try {
        report.applications.push(await ingestSource(database, source, options));
      } catch (error) {
        options.onPhase?.({ sourceName: source.name, phase: 'failed', bytesTotal: 0, bytesRead: 0, events: null, elapsedMs: 0 });
        if (!(error instanceof BadInputError)) {
          logger.error({ err: error, source: source.name }, 'ingest of one log failed; going on with the others');
        }
        report.failures.push({ sourceName: source.name, error: error instanceof Error ? error : new Error(String(error)) });
      } finally {
        await source.cleanup?.();
      }
    }
  } finally {
    await Promise.all(sources.map((source) => source.cleanup?.()));
  }
  return report;
}

/**
 * Ingests exactly one log; throws BadInputError when it is not a usable Spark event log. Ingests of one
 * process run one at a time (memory is sized for one, and two replacing the same application would conflict).
 */
export async function ingestSource(
  database: AnalysisDatabase,
  source: LogSource,
  options: Pick<IngestOptions, 'beforeWrite' | 'budget' | 'onPhase' | 'slimming'> = {},
): Promise<IngestedApplication> {
  try {
    return await database.serializeWrite(() => ingestSourceNow(database, source, options));
  } catch (error) {
    throw memoryLimitErrorOf(error, source.name, database.memoryLimit) ?? duckDbDecodeFailure(error, source.parts)
      ?? (await vanishedPartError(error, source)) ?? error;
  }
}

/** How DuckDB says a file it was to read is not there. */
const FILE_NOT_FOUND = /(?:No files found that match the pattern|Cannot open file) "([^"]+)"/;

/**
 * A part of `source` that is no longer where it was found, as a BadInputError naming it; null for any other error. A
 * log directory changes under its reader: Spark renames a finished log, a cleaner removes old ones.
 */
async function vanishedPartError(error: unknown, source: LogSource): Promise<BadInputError | null> {
  const file = FILE_NOT_FOUND.exec(error instanceof Error ? error.message : String(error))?.[1];
  const part = source.parts.find((candidate) => candidate.path === file);
  if (part === undefined || (await stat(part.path).then(() => true, () => false))) return null;
  return new BadInputError(`${partShownAs(part)} was moved or removed while it was read; nothing was stored`);
}

/**
 * How every log is staged: a superseded SQL plan version keeps only what shuffle-boundary reads of it, its shuffle
 * skeleton. On Databricks logs a version is up to megabytes; a hundred of them stored whole took ~300 MB more at
 * COMMIT and in that detector.
 */
const STAGING: StagingOptions = { supersededPlanTree: (tree) => shuffleSkeleton(tree as PlanNode) };

/** DuckDB's words for running out of its memory limit, with what it asked for and what it held. */
const OUT_OF_MEMORY = /^Out of Memory Error: (?:failed to allocate data|could not allocate block) of size ([\d.]+ \w+) \(([\d.]+ \w+)\/([\d.]+ \w+) used\)/;

/**
 * DuckDB running out of memory during an ingest, told in the terms of this server's settings: DuckDB's own advice
 * ("SET threads", "SET memory_limit") is SQL that no user of Spark Sword runs. Null for any other error.
 */
function memoryLimitErrorOf(error: unknown, sourceName: string, memoryLimit: string | null): MemoryLimitError | null {
  const message = error instanceof Error ? error.message : String(error);
  if (!message.startsWith('Out of Memory Error')) return null;
  const sizes = OUT_OF_MEMORY.exec(message);
  const detail = sizes ? ` (DuckDB could not get ${sizes[1]} more with ${sizes[2]} of ${sizes[3]} in use)` : '';
  return new MemoryLimitError(
    `${sourceName} needs more memory to ingest than DUCKDB_MEMORY_LIMIT=${memoryLimit ?? "DuckDB's default"} allows${detail}. ` +
      'It was not stored; raising DUCKDB_MEMORY_LIMIT lets it through.',
  );
}

async function ingestSourceNow(
  database: AnalysisDatabase,
  source: LogSource,
  options: Pick<IngestOptions, 'beforeWrite' | 'budget' | 'onPhase' | 'slimming'>,
): Promise<IngestedApplication> {
  const { onPhase } = options;
  const tempDir = await mkdtemp(join(tmpdir(), ingestTempPrefix()));
  const started = performance.now();
  const bytesTotal = onPhase ? await sizeOnDisk(source) : 0;
  const phase = (name: IngestPhase, bytesRead: number, events: number | null = null): void =>
    onPhase?.({ sourceName: source.name, phase: name, bytesTotal, bytesRead, events, elapsedMs: Math.round(performance.now() - started) });
  const stage = (name: string): void =>
    logger.debug({ source: source.name, stage: name, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }, 'ingest stage');
  try {
    phase('decoding', 0);
    const parts = await materializeForDuckDB(source, tempDir, options.budget);
    stage('materialized');
    // DuckDB first reads copies without the task-end accumulables nothing keeps, in pieces; a log that turns out
    // broken is read again from its own parts, line by line (the slow path).
    const fastParts = await slimTaskEnds(parts, tempDir, options.slimming, (part, share) =>
      database.withConnection((connection) => taskEndsLookWide(connection, part, share)),
    );
    stage('slimmed');
    return await database.withWriteConnection(async (connection) => {
      const textsBefore = await lastPlanTextId(connection);
      try {
        phase('reading', 0);
        let staged = await asBadInput(source, fastParts, () => stageWithDiagnostics(connection, source, fastParts, parts, tempDir));
        await refuseCompressedPartsCutShort(connection, source, fastParts);
        stage('staged');
        // Task lines are first parsed as they are written (or staged again to name a line): one that is not JSON (the
        // write rolled back) sends the log down the slow path, which names every bad line and skips it; an error there
        // too, or any other, is the ingest's.
        const slowPathAfter = async (error: unknown): Promise<StagedLog> => {
          if (lineErrorOf(error) === null || staged.plan.objectReader === true) throw error;
          return asBadInput(source, parts, () => stageAfterScan(connection, source, parts, tempDir));
        };
        for (;;) {
          let described: Awaited<ReturnType<typeof describeStagedApplication>>;
          try {
            described = await describeStagedApplication(connection, source, staged);
          } catch (error) {
            // Naming an unusable event's line stages every line again, task lines too.
            staged = await slowPathAfter(error);
            continue;
          }
          const { application, name, plan } = described;
          // Checked inside the one-at-a-time write, so no other upload can store the same application in between.
          await options.beforeWrite?.(application.appKey);
          phase('storing', bytesTotal);
          let outcome: WriteOutcome;
          try {
            outcome = await asBadInput(source, fastParts, () =>
              writeApplication(connection, application, plan, {
                taskReadThreads: database.taskReadThreads,
                afterRowsCommitted: () => stage('rows committed'),
                // Findings are computed once, here, and become visible with the application: a reader never sees
                // one without the other, and queries never wait for a detector.
                beforeCommit: async (tx) => {
                  stage('rows written');
                  phase('analyzing', bytesTotal);
                  const insights = await detectInsights(tx, application.appKey);
                  stage('insights detected');
                  await replaceInsights(tx, application.appKey, insights);
                  stage('insights written');
                },
              }),
            );
          } catch (error) {
            staged = await slowPathAfter(error);
            continue;
          }
          stage('committed');
          application.warnings = outcome.warnings;
          application.eventsRead = outcome.eventsRead;
          application.eventsSkipped = outcome.eventsSkipped;
          logger.info(
            { appKey: application.appKey, events: application.eventsRead, ms: Math.round(performance.now() - started) },
            'ingested event log',
          );
          phase('done', bytesTotal, outcome.eventsRead);
          return toIngested(application, name);
        }
      } finally {
        // The write connection is kept for the next log; its staged tables are not, nor the plan texts it wrote that no
        // row came to refer to (a failed write's, or a start logged twice).
        await dropStagedTables(connection).catch(() => undefined);
        await removeUnreferencedPlanTexts(connection, textsBefore).catch((error: unknown) =>
          logger.warn({ err: error }, 'could not remove unused plan texts; the next start removes them'));
      }
    });
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}

/**
 * DuckDB's reader names a line whose value does not fit its field ("JSON transform error in file F, in line
 * N: Failed to cast value to numerical: 1e308"). That is the log's fault: it becomes a BadInputError that
 * names the line and the value, in the terms of the log the user gave.
 */
async function asBadInput<T>(source: LogSource, parts: readonly DuckDbInput[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OutOfRangeIdError) throw await badInputAtFirstLine(source, parts, loggedValuePattern(error.key, error.value), error.message);
    if (error instanceof NumberPast64BitsError) throw await badInputAtFirstLine(source, parts, writtenNumberPattern(error.value), error.message);
    const message = error instanceof Error ? error.message : String(error);
    const found = /JSON transform error in file "([^"]*)", in line (\d+): ([^\n]*)/.exec(message);
    if (!found) throw error;
    const [, file, rowInFile, detail] = found;
    const index = parts.findIndex((part) => part.path === file || part.pieces?.some((piece) => piece.path === file) === true);
    // DuckDB's "line" counts the rows it read, not the blank lines it skipped; a piece's line n is line
    // firstLine + n - 1 of its part.
    const piece = index >= 0 ? parts[index]!.pieces?.find((candidate) => candidate.path === file) : undefined;
    const compression = index < 0 || piece ? 'none' : parts[index]!.compression;
    const blank = index < 0 ? [] : await findBlankLines(file!, compression);
    const lineInFile = realLineNumber(Number(rowInFile), blank);
    const line = lineInFile + (piece ? piece.firstLine - 1 : 0);
    const where = wherePart(source, index, file!);
    const cast = /Failed to cast value to numerical: (.*)$/.exec(detail!)?.[1];
    // DuckDB names the double it read (-10000000000000000000.0 for -1e19): the log's own writing is looked up.
    const written = cast !== undefined && index >= 0 ? await lineAt(file!, compression, lineInFile, MAX_EVENT_BYTES) : null;
    const value = cast === undefined ? undefined : ((written === null ? null : numberPast64Bits(written)) ?? cast);
    throw new BadInputError(
      value !== undefined
        ? `${source.name}: line ${line}${where} holds ${numberNoFieldHolds(value)}; nothing was stored`
        : `${source.name}: line ${line}${where} does not fit its event's shape (${detail!.trim().slice(0, 200)}); nothing was stored`,
    );
  }
}

/**
 * A value the store refused (`what`), as a BadInputError naming the first line of the log that `holds` it; without
 * the line when none is found (the value written some other way, 1.0e10 or with spaces).
 */
async function badInputAtFirstLine(source: LogSource, parts: readonly DuckDbInput[], holds: RegExp, what: string): Promise<BadInputError> {
  for (const [index, part] of parts.entries()) {
    const line = await findFirstLine(part.path, part.compression, MAX_EVENT_BYTES, (text) => holds.test(text));
    if (line === null) continue;
    const where = wherePart(source, index, part.path);
    return new BadInputError(`${source.name}: line ${line}${where} holds ${what}; nothing was stored`);
  }
  return new BadInputError(`${source.name}: an event holds ${what}; nothing was stored`);
}

/**
 * DuckDB reads a gzip or zstd part itself, and where the data ends before the first block it can decode, it reads
 * nothing and says nothing: a part copied short would be left out of the application without a word. A compressed
 * part that gave no line is decoded once more here, which refuses it as truncated or corrupt; an empty stream passes.
 */
async function refuseCompressedPartsCutShort(connection: DuckDBConnection, source: LogSource, parts: readonly DuckDbInput[]): Promise<void> {
  for (const index of await partsWithoutLines(connection)) {
    const part = parts[index];
    const given = source.parts[index];
    // A running application's newest part was decoded already, to where its last whole block ends (see
    // materializeForDuckDB): it is plain here.
    if (part === undefined || given === undefined || part.compression === 'none' || part.pieces !== undefined) continue;
    // Decoded only to be checked: a part that gave no line holds at most a few bytes.
    await drain(openDecodedStream(part.path, part.compression, partShownAs(given)));
  }
}

/**
 * Where in `source` a message points: " of part N (name)" for part `index` of a log of several parts, named as the user
 * knows it (see {@link partShownAs}), or as `file` past its parts; nothing for a log of one part.
 */
function wherePart(source: LogSource, index: number, file: string): string {
  if (source.parts.length <= 1 || index < 0) return '';
  const part = source.parts[index];
  return ` of part ${index + 1} (${part ? partShownAs(part) : file})`;
}

/** The number `value` where JSON puts a value, as written: not part of a longer number. */
function writtenNumberPattern(value: string): RegExp {
  return new RegExp(`[:,\\[] *${escapeRegExp(value)}(?![0-9.eE])`);
}

/** `text` matched literally in a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** How Spark writes `value` under `key`: a number, an element of the "Stage IDs" list, or a job property's string. */
function loggedValuePattern(key: string, value: string): RegExp {
  const number = `${escapeRegExp(value)}(?![0-9.eE])`;
  if (key === 'Stage IDs' || key === 'Parent IDs') return new RegExp(`"${key}":\\[(?:[^\\]]*,)?${number}`);
  if (key === 'spark.sql.execution.id') return new RegExp(`"spark\\.sql\\.execution\\.id":"${escapeRegExp(value)}"`);
  return new RegExp(`"${escapeRegExp(key)}":${number}`);
}

/** The bytes of a log's parts as stored (compressed when they are); a part that vanished counts 0. */
async function sizeOnDisk(source: LogSource): Promise<number> {
  const sizes = await Promise.all(source.parts.map((part) => stat(part.path).then((info) => info.size, () => 0)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

interface StagedLog {
  plan: StagingPlan;
  warnings: IngestWarning[];
}

/** Fast path first; only a log DuckDB calls malformed is scanned line by line to locate every bad line. */
async function stageWithDiagnostics(
  connection: DuckDBConnection,
  source: LogSource,
  parts: DuckDbInput[],
  originalParts: DuckDbInput[],
  tempDir: string,
): Promise<StagedLog> {
  // The first split allows shorter lines than an event may be: a longer line splits again allowing any event.
  for (const longLines of [false, true]) {
    try {
      return { plan: await stageEvents(connection, { parts, longLines }, { ...STAGING, scratchDir: tempDir }), warnings: [] };
    } catch (error) {
      if (error instanceof MalformedJsonError) break;
      if (!(error instanceof OversizedEventError)) throw error;
    }
  }
  return stageAfterScan(connection, source, originalParts, tempDir);
}

/**
 * The slow path: scans each part line by line in JavaScript to find every line that is not a JSON event (or is
 * longer than an event may be), then stages the log without them, each named in a warning.
 */
async function stageAfterScan(
  connection: DuckDBConnection,
  source: LogSource,
  givenParts: DuckDbInput[],
  tempDir: string,
): Promise<StagedLog> {
  const parts = [...givenParts];
  const warnings: IngestWarning[] = [];
  const scans = new Map<number, PartLineScan>();
  for (const [index, part] of parts.entries()) {
    const scan: LineScan = await scanLines(part.path, part.compression, MAX_EVENT_BYTES);
    if (scan.badLines.length === 0) continue;
    if (scan.oversizedLines.length > 0) {
      // DuckDB cannot skip a line past its object size: it reads a copy holding `{}` in its place.
      const copy = join(tempDir, `part-${index}-without-oversized-lines.json`);
      await copyWithoutLines(part.path, part.compression, scan.oversizedLines, copy);
      parts[index] = { path: copy, compression: 'none' };
    }
    scans.set(index, { badLines: scan.badLines.map((bad) => bad.line), blankLines: scan.blankLines });
    const where = wherePart(source, index, part.path);
    for (const bad of scan.badLines) {
      const cutOff = scan.lastLineCutOff && bad.line === scan.lineCount && index === parts.length - 1;
      warnings.push({
        line: bad.line,
        message: cutOff
          ? `line ${bad.line}${where} is cut off (the log was still being written, or a copy of it stopped short); it was skipped`
          : bad.reason.includes('an event may be')
            ? `line ${bad.line}${where} is ${bad.reason}; it was skipped`
            : `line ${bad.line}${where} is not a JSON event (${bad.reason}); it was skipped`,
      });
    }
  }
  return { plan: await stageEvents(connection, { parts, scans, objectReader: true }, STAGING), warnings };
}

interface StagedSummary {
  eventsRead: number;
  byKind: Map<string, number>;
  appId: string | null;
  attemptId: string | null;
  appName: string | null;
  hasAppEnd: boolean;
  sparkAppIdProperty: string | null;
}

async function summarizeStaged(connection: DuckDBConnection): Promise<StagedSummary> {
  const kinds = (
    await connection.runAndReadAll(`SELECT kind, sum(n)::INTEGER AS n FROM (
        SELECT coalesce(kind, '(no event name)') AS kind, count(*) AS n FROM ${STAGED_EVENTS} GROUP BY ALL
        UNION ALL SELECT kind, n FROM ${STAGED_UNREAD_EVENTS}) GROUP BY kind`)
  ).getRowObjectsJS() as Array<{ kind: string; n: number }>;
  const identity = (
    // The first ApplicationStart in log order (seq, as the writer reads it): id, attempt and name from one event.
    await connection.runAndReadAll(`SELECT start.appId, start.attemptId, start.appName,
        (SELECT "Spark Properties"->>'spark.app.id' FROM ${STAGED_EVENTS} WHERE kind = 'SparkListenerEnvironmentUpdate' ORDER BY seq LIMIT 1) AS sparkAppId,
        EXISTS (SELECT 1 FROM ${STAGED_EVENTS} WHERE kind = 'SparkListenerApplicationEnd') AS hasAppEnd
      FROM (SELECT 1) LEFT JOIN (
        SELECT "App ID" AS appId, "App Attempt ID" AS attemptId, "App Name" AS appName FROM ${STAGED_EVENTS}
        WHERE kind = 'SparkListenerApplicationStart' ORDER BY seq LIMIT 1
      ) AS start ON true`)
  ).getRowObjectsJS()[0] as {
    appId: string | null;
    attemptId: string | null;
    appName: string | null;
    sparkAppId: string | null;
    hasAppEnd: boolean;
  };
  const byKind = new Map(kinds.map((row) => [row.kind, row.n]));
  return {
    eventsRead: kinds.reduce((sum, row) => sum + row.n, 0),
    byKind,
    appId: identity.appId,
    attemptId: identity.attemptId,
    appName: identity.appName,
    hasAppEnd: identity.hasAppEnd,
    sparkAppIdProperty: identity.sparkAppId,
  };
}

/** Events of a known type that lack a field the store needs: each is skipped with a warning naming its line. */
async function unusableEvents(connection: DuckDBConnection): Promise<IngestWarning[]> {
  // One pass over the staged events (a view over files for a long log, which a pass per type read 31 times).
  const missing = handledEvents
    .map((event) => `WHEN kind = '${event.name}' AND NOT coalesce(${event.usableWhen}, false) THEN '${event.missing.replaceAll("'", "''")}'`)
    .join('\n      ');
  const checks = `SELECT line, kind, missing FROM (
      SELECT line, kind, CASE ${missing} END AS missing FROM ${STAGED_EVENTS}
      WHERE kind IN (${handledEvents.map((event) => `'${event.name}'`).join(', ')}))
    WHERE missing IS NOT NULL`;
  const rows = (await connection.runAndReadAll(`${checks} ORDER BY line`)).getRowObjectsJS() as Array<{
    line: bigint;
    kind: string;
    missing: string;
  }>;
  return rows.map((row) => ({
    line: Number(row.line),
    message: `line ${row.line}: ${row.kind} has no ${row.missing}; the event was skipped`,
  }));
}

/**
 * Refuses an application id or attempt id holding a "/": an application is keyed `appId/attemptId`, so "x/1" with no
 * attempt would be the key of application "x"'s attempt "1", and replace it. Spark's ids never hold one, and History
 * Server's paths could not carry it either.
 */
function refuseSlashInKey(source: LogSource, appId: string, attemptId: string | null): void {
  const [what, id] = appId.includes('/') ? ['application', appId] : ['attempt', attemptId];
  if (!id?.includes('/')) return;
  throw new BadInputError(
    `${source.name}: its ${what} id "${id}" holds a "/", which would store it under the key of another application's attempt; nothing was stored`,
  );
}

async function describeStagedApplication(
  connection: DuckDBConnection,
  source: LogSource,
  staged: StagedLog,
): Promise<{ application: ApplicationIdentity; name: string | null; plan: StagingPlan }> {
  let plan = staged.plan;
  const summary = await summarizeStaged(connection);
  const handledNames = new Set(handledEvents.map((event) => event.name));
  const sparkEvents = [...summary.byKind].filter(([kind]) => handledNames.has(kind)).reduce((n, [, c]) => n + c, 0);
  // Task events are counted while they are written; a log holding nothing else still has to be a Spark log.
  if (sparkEvents === 0) {
    throw new BadInputError(
      summary.eventsRead === 0
        ? `${source.name} holds no events: it is empty or not a Spark event log`
        : `${source.name} is not a Spark event log: none of its ${summary.eventsRead} JSON lines is a Spark listener event`,
    );
  }
  let unusable = await unusableEvents(connection);
  if (unusable.length > 0 && !plan.withLineNumbers && !plan.scans) {
    // Warnings must name lines: read the log again, numbering every line (the slow path, for broken logs only).
    plan = await stageEvents(connection, await numberedPlan(plan), STAGING);
    unusable = await unusableEvents(connection);
  }
  const warnings = [...staged.warnings, ...unusable];
  const skippedEventTypes = Object.fromEntries([...summary.byKind].filter(([kind]) => !handledNames.has(kind)));
  const eventsSkipped = Object.values(skippedEventTypes).reduce((sum, n) => sum + n, 0) + unusable.length;

  let appId = summary.appId;
  if (!appId) {
    appId = summary.sparkAppIdProperty ?? source.name;
    warnings.push({
      line: null,
      message: `the log has no usable SparkListenerApplicationStart event; the application id "${appId}" was taken from ${
        summary.sparkAppIdProperty ? 'the spark.app.id property' : 'the file name'
      }`,
    });
  }
  // A line cut off after the application's end (a copy padded with zero bytes) does not undo the end: it ran to it.
  const completed = summary.hasAppEnd;
  if (!summary.hasAppEnd) {
    warnings.push({
      line: null,
      message: 'the log has no SparkListenerApplicationEnd event: the application was still running or its driver died; it is marked incomplete',
    });
  }
  // An empty attempt id names no attempt: the key has none, and neither may the attempt.
  const attemptId = summary.attemptId === '' ? null : summary.attemptId;
  refuseSlashInKey(source, appId, attemptId);
  const application: ApplicationIdentity = {
    appKey: attemptId ? `${appId}/${attemptId}` : appId,
    appId,
    attemptId,
    completed,
    lastUpdated: await lastModified(source),
    sourceName: source.name,
    sourceLayout: source.layout,
    eventsRead: summary.eventsRead,
    eventsSkipped,
    skippedEventTypes,
    warnings,
  };
  return { application, name: summary.appName, plan };
}

/** Like History Server, an application's lastUpdated is when its log was last written. */
async function lastModified(source: LogSource): Promise<number> {
  const times = await Promise.all(source.parts.map(async (part) => (await stat(part.path)).mtimeMs));
  return Math.round(Math.max(...times));
}

function toIngested(application: ApplicationIdentity, name: string | null): IngestedApplication {
  return {
    appKey: application.appKey,
    appId: application.appId,
    attemptId: application.attemptId,
    name,
    completed: application.completed,
    sourceName: application.sourceName,
    eventsRead: application.eventsRead,
    eventsSkipped: application.eventsSkipped,
    skippedEventTypes: application.skippedEventTypes,
    warnings: [...application.warnings],
  };
}

