import { createWriteStream, type Stats } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BadInputError } from '../errors.js';
import type { Piece } from './pieces.js';
import { ingestTempPrefix } from './temp-files.js';
import { logger } from '../logger.js';
import type { DecompressionBudget } from './decompression-limit.js';
import { extractZip } from './zip-archive.js';
import {
  codecFromFileName,
  emptyFileError,
  fileError,
  inspectFile,
  isCompactedName,
  isInProgressName,
  logBaseName,
  openDecodedStream,
  type Codec,
} from './codec.js';

/** One file of an event log. */
export interface LogPart {
  path: string;
  codec: Codec;
  /** How the part is named to the user when `path` is one of ours: a zip's entry by its place in the zip. */
  shownAs?: string;
}

/** The name a user knows `part` by: its place in the zip it came in, else its path. */
export function partShownAs(part: LogPart): string {
  return part.shownAs ?? part.path;
}

/** How a log's files are laid out: one file, Spark's rolling `eventlog_v2_*` dir, or Databricks' dated rotation. */
export type LogLayout = 'single' | 'rolling' | 'databricks';

/** One application attempt's event log: its files in read order. */
export interface LogSource {
  name: string;
  parts: LogPart[];
  layout: LogLayout;
  /** True when the files say the application was still running (`.inprogress` marker). */
  inProgress: boolean;
  /** Removes temporary files made for this source (zip extraction); call it once done reading. */
  cleanup?: () => Promise<void>;
}

/** A file DuckDB can read itself, with the compression to tell it. */
export interface DuckDbInput {
  path: string;
  compression: 'none' | 'gzip' | 'zstd';
  /** The same lines (or a slimmed copy of them) in line-aligned plain files, in order, that DuckDB reads instead (see pieces.ts). */
  pieces?: readonly Piece[];
  /**
   * The files DuckDB reads task events from when they differ from the above: the same lines, line for line, with
   * megabyte SQL plan updates stubbed (see stageEvents), so the task read does not parse them.
   */
  taskPieces?: readonly Piece[];
}

const ROLLING_DIR_PREFIX = 'eventlog_v2_';
const ROLLING_PART = /^events_(\d+)_(.+)$/;
const APPSTATUS_PREFIX = 'appstatus_';
const DATABRICKS_CURRENT = 'eventlog';
const DATABRICKS_ROTATED = /^eventlog-(\d{4}-\d{2}-\d{2}--\d{2}-\d{2})(?:\.[A-Za-z0-9]+)?$/;
/** Natural order, so `app_2` sorts before `app_10` in a log directory. */
const naturalOrder = new Intl.Collator('en', { numeric: true }).compare;

interface DirEntry {
  name: string;
  path: string;
  isFile: boolean;
  isDirectory: boolean;
  /** Why the entry cannot be read at all (a symbolic link loop, no permission), when it cannot. */
  unreadable?: string;
}

/** Options of {@link discoverLogs}. */
export interface DiscoverOptions {
  /** Told of each file of a log directory or zip that was skipped as unusable, and why. */
  onSkipped?: SkipListener;
  /** Meters zip extraction (uploads): entries, decompressed bytes and ratio. */
  budget?: DecompressionBudget;
}

/** Receives a skipped file's path and the reason it was skipped. */
export type SkipListener = (path: string, reason: string) => void;

/**
 * Finds the event logs in `inputs` (files, zips, rolling or Databricks dirs, or log dirs holding
 * those). Throws BadInputError for a missing path, a directory with no logs, or an unusable file
 * given directly; inside a log directory, unusable files are skipped with a warning instead.
 */
export async function discoverLogs(inputs: string[], options: DiscoverOptions = {}): Promise<LogSource[]> {
  if (inputs.length === 0) throw new BadInputError('No event log given: pass at least one file or directory.');
  const sources: LogSource[] = [];
  try {
    for (const input of inputs) sources.push(...(await discoverInput(resolve(input), options.onSkipped, options.budget)));
  } catch (err) {
    await cleanupAll(sources);
    throw err;
  }
  return sources;
}

/**
 * The files DuckDB should read for `source`, in order: none/gzip/zstd parts as they are, lz4/lzf/snappy
 * parts decoded to plain files in `tempDir` (which the caller owns and removes). With a `budget` (uploads),
 * every decoding is metered, and gzip/zstd parts, which DuckDB would inflate unmetered, are first decoded
 * through the budget without being kept. The newest part of a running application, compressed, is decoded to a plain
 * file that ends where its last whole block does: Spark has not finished its frame, and reads it so itself.
 */
export async function materializeForDuckDB(source: LogSource, tempDir: string, budget?: DecompressionBudget): Promise<DuckDbInput[]> {
  const inputs: DuckDbInput[] = [];
  for (const [index, part] of source.parts.entries()) {
    const stillWritten = source.inProgress && index === source.parts.length - 1 && part.codec !== 'none';
    const label = part.shownAs ?? basename(part.path);
    if (!stillWritten && (part.codec === 'none' || part.codec === 'gzip' || part.codec === 'zstd')) {
      if (budget && part.codec !== 'none') await drain(budget.openDecoded(part.path, part.codec, label));
      inputs.push({ path: part.path, compression: part.codec });
      continue;
    }
    await mkdir(tempDir, { recursive: true });
    // A random suffix: two sources may hold parts with the same file name.
    const target = join(tempDir, `${logBaseName(basename(part.path))}-${randomUUID().slice(0, 8)}.json`);
    try {
      const decoded = budget
        ? budget.openDecoded(part.path, part.codec, label, stillWritten)
        : openDecodedStream(part.path, part.codec, partShownAs(part), stillWritten);
      await pipeline(decoded, createWriteStream(target));
    } catch (err) {
      await rm(target, { force: true });
      throw err;
    }
    inputs.push({ path: target, compression: 'none' });
  }
  return inputs;
}

/** Reads a stream to its end, keeping nothing: for what reading it checks or meters. */
export async function drain(stream: AsyncIterable<unknown>): Promise<void> {
  for await (const _chunk of stream) {
    // Only what the reading does matters.
  }
}

async function discoverInput(path: string, onSkipped?: SkipListener, budget?: DecompressionBudget): Promise<LogSource[]> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (err) {
    throw fileError(err, path);
  }
  if (stats.isFile()) return discoverFile(path, { inLogDir: false, allowZip: true, onSkipped, budget });
  if (!stats.isDirectory()) throw new BadInputError(`${path} is neither a file nor a directory.`);
  const entries = await listVisible(path);
  const layoutSource = await directorySource(path, entries);
  if (layoutSource) return [layoutSource];
  return discoverLogDir(path, entries, { descend: false, allowZip: true, label: path, onSkipped, budget });
}

interface FileOptions {
  /** Inside a log dir, text that is not JSON lines is not taken as a log. */
  inLogDir: boolean;
  allowZip: boolean;
  onSkipped?: SkipListener;
  /** Meters zip extraction (uploads). */
  budget?: DecompressionBudget;
}

async function discoverFile(path: string, options: FileOptions): Promise<LogSource[]> {
  const content = await inspectFile(path);
  if (content.kind === 'empty') throw emptyFileError(path);
  if (content.codec === 'zip') {
    if (!options.allowZip) throw new BadInputError(`${path} is a zip inside a zip; extract the inner zip first.`);
    return discoverZip(path, options.onSkipped, options.budget);
  }
  if (options.inLogDir && content.codec === 'none' && !startsLikeJson(content.head)) {
    throw new BadInputError(`${path} is text but not JSON lines, so not a Spark event log.`);
  }
  const name = basename(path);
  return [
    {
      name: logBaseName(name),
      parts: [{ path, codec: chooseCodec(path, content.codec) }],
      layout: 'single',
      inProgress: isInProgressName(name),
    },
  ];
}

/** The content decides; a name that says otherwise (say `.lz4` on plain text) is only worth a warning. */
function chooseCodec(path: string, sniffed: Codec): Codec {
  const named = codecFromFileName(basename(path));
  if (named !== sniffed) {
    logger.warn({ path, named, sniffed }, 'event log content does not match its file name; decoding by content');
  }
  return sniffed;
}

function startsLikeJson(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  return text.length === 0 || text.startsWith('{');
}

interface LogDirOptions {
  /** Also look one level into plain subdirectories (a zip of a folder of logs). */
  descend: boolean;
  allowZip: boolean;
  /** What to call the directory in messages. */
  label: string;
  onSkipped?: SkipListener;
  budget?: DecompressionBudget;
}

/** A directory of logs like Spark History Server's: each child file or rolling/Databricks dir is a log. */
async function discoverLogDir(dirPath: string, entries: DirEntry[], options: LogDirOptions): Promise<LogSource[]> {
  const sources: LogSource[] = [];
  const skipped: string[] = [];
  let skippedDirectories = false;
  try {
    for (const entry of entries) {
      try {
        if (entry.isFile) {
          sources.push(
            ...(await discoverFile(entry.path, {
              inLogDir: true,
              allowZip: options.allowZip,
              onSkipped: options.onSkipped,
              budget: options.budget,
            })),
          );
        } else if (entry.isDirectory) {
          const children = await listVisible(entry.path);
          const source = await directorySource(entry.path, children);
          if (source) {
            sources.push(source);
          } else if (options.descend) {
            sources.push(
              ...(await discoverLogDir(entry.path, children, { ...options, descend: false, label: entry.path })),
            );
          } else {
            skipped.push(`${entry.name}/ is a directory but not a rolling or Databricks event log`);
            skippedDirectories = true;
          }
        } else {
          // A named pipe would block the read until something writes to it; a device or socket holds no log.
          throw new BadInputError(entry.unreadable ?? `${entry.path} is neither a file nor a directory.`);
        }
      } catch (err) {
        if (!(err instanceof BadInputError)) throw err;
        // One bad file must not hide the other logs of the directory, as in the History Server.
        logger.warn({ path: entry.path, reason: err.message }, 'skipping a file that is not a usable event log');
        skipped.push(err.message);
        options.onSkipped?.(entry.path, err.message);
      }
    }
  } catch (err) {
    await cleanupAll(sources);
    throw err;
  }
  if (sources.length === 0) {
    const why = skipped.length > 0
      ? ` Skipped: ${skipped.map((reason) => reason.replace(/\.$/, '')).join('; ')}.`
      : ' It is empty or holds only hidden files.';
    // As in History Server, a log directory's plain subdirectories are not searched (a zip's are, one level): say how.
    const hint = skippedDirectories && options.allowZip
      ? ' Directories inside it are not searched: give the path of each directory that holds logs.'
      : '';
    throw new BadInputError(`${options.label} holds no Spark event logs.${why}${hint}`);
  }
  return sources;
}

/** The single source a rolling or Databricks directory makes, or null for any other directory. */
async function directorySource(dirPath: string, entries: DirEntry[]): Promise<LogSource | null> {
  const files = entries.filter((entry) => entry.isFile);
  if (basename(dirPath).startsWith(ROLLING_DIR_PREFIX) || files.some((f) => ROLLING_PART.test(logBaseName(f.name)))) {
    return rollingSource(dirPath, files);
  }
  if (files.some((f) => f.name === DATABRICKS_CURRENT || DATABRICKS_ROTATED.test(f.name))) {
    return databricksSource(dirPath, files);
  }
  return null;
}

/** Spark 3.0+ rolling logs: `events_<N>_<appId>[.codec]` parts plus an `appstatus_<appId>[.inprogress]` marker. */
async function rollingSource(dirPath: string, files: DirEntry[]): Promise<LogSource> {
  const parts = files.flatMap((file) => {
    const match = ROLLING_PART.exec(logBaseName(file.name));
    if (!match) return [];
    // Spark numbers parts with a long: compared as written, past what a double tells apart.
    return [{ file, index: BigInt(match[1]!), appId: match[2], compacted: isCompactedName(file.name) }];
  });
  if (parts.length === 0) {
    throw new BadInputError(
      `${dirPath} is named like a rolling event log directory (eventlog_v2_*) but holds no events_<N>_<appId> files.`,
    );
  }
  // As Spark does: a compacted part sorts just after the plain part of the same index.
  parts.sort((a, b) => (a.index === b.index ? Number(a.compacted) - Number(b.compacted) : a.index < b.index ? -1 : 1));
  // A compact file replaces every part before it.
  let lastCompacted = -1;
  parts.forEach((part, i) => {
    if (part.compacted) lastCompacted = i;
  });
  const toRead = lastCompacted >= 0 ? parts.slice(lastCompacted) : parts;
  for (let i = 1; i < toRead.length; i++) {
    if (toRead[i].index !== toRead[i - 1].index + 1n) {
      const found = toRead.map((part) => part.index).join(', ');
      throw new BadInputError(
        `${dirPath} is missing rolling event log files: found events_N parts ${found}, but they must be consecutive.`,
      );
    }
  }
  const appStatus = files.filter((file) => file.name.startsWith(APPSTATUS_PREFIX));
  const dirName = basename(dirPath);
  const logParts = await resolveParts(dirPath, toRead.map((part) => part.file));
  return {
    name: dirName.startsWith(ROLLING_DIR_PREFIX) ? dirName.slice(ROLLING_DIR_PREFIX.length) : toRead[0].appId,
    parts: logParts,
    layout: 'rolling',
    // Without the marker nothing says the application finished.
    inProgress: appStatus.length === 0 || appStatus.some((file) => isInProgressName(file.name)),
  };
}

/** Databricks rotation: `eventlog-YYYY-MM-DD--HH-MM[.gz]` older parts, then the current `eventlog`. */
async function databricksSource(dirPath: string, files: DirEntry[]): Promise<LogSource> {
  const rotated = files
    .flatMap((file) => {
      const match = DATABRICKS_ROTATED.exec(file.name);
      return match ? [{ file, stamp: match[1] }] : [];
    })
    // The stamp is zero-padded, so text order is time order.
    .sort((a, b) => (a.stamp === b.stamp ? naturalOrder(a.file.name, b.file.name) : a.stamp < b.stamp ? -1 : 1))
    .map((part) => part.file);
  const current = files.filter((file) => file.name === DATABRICKS_CURRENT);
  const ordered = [...rotated, ...current];
  const ignored = files.filter((file) => !ordered.includes(file)).map((file) => file.name);
  if (ignored.length > 0) logger.warn({ dir: dirPath, ignored }, 'ignoring files that are not Databricks event log parts');
  return {
    name: basename(dirPath),
    parts: await resolveParts(dirPath, ordered),
    layout: 'databricks',
    // Databricks leaves no marker; whether the application ended is for the events to say.
    inProgress: false,
  };
}

/** Codecs of a multi-part log's files; an empty part (just rolled over) holds no events and is left out. */
async function resolveParts(dirPath: string, files: DirEntry[]): Promise<LogPart[]> {
  const parts: LogPart[] = [];
  for (const file of files) {
    const content = await inspectFile(file.path);
    if (content.kind === 'empty') {
      logger.warn({ path: file.path }, 'skipping an empty event log part');
      continue;
    }
    if (content.codec === 'zip') throw new BadInputError(`${file.path} is a zip archive inside an event log directory.`);
    parts.push({ path: file.path, codec: chooseCodec(file.path, content.codec) });
  }
  if (parts.length === 0) throw new BadInputError(`${dirPath} holds only empty event log files: nothing to ingest.`);
  return parts;
}

/** A zip (as History Server's log download returns): extracted entry by entry, streaming, to a temp dir. */
async function discoverZip(zipPath: string, onSkipped?: SkipListener, budget?: DecompressionBudget): Promise<LogSource[]> {
  const tempDir = await mkdtemp(join(tmpdir(), ingestTempPrefix('zip')));
  // Entries are named inside the zip: by their name in it, never by the temp dir they were extracted to.
  const entryNamed = (name: string): string => `${basename(zipPath)}/${name}`;
  const inZip = (path: string): string => entryNamed(path.slice(tempDir.length + 1));
  let sources: LogSource[];
  try {
    await extractZip(zipPath, tempDir, { budget, onSkipped: onSkipped ? (entry, reason) => onSkipped(entryNamed(entry), reason) : undefined });
    sources = await discoverLogDir(tempDir, await listVisible(tempDir), {
      descend: true,
      allowZip: false,
      label: `The zip archive ${zipPath}`,
      onSkipped: onSkipped
        ? (path, reason) => onSkipped(inZip(path), reason.replaceAll(tempDir, basename(zipPath)))
        : undefined,
    });
  } catch (err) {
    await rm(tempDir, { recursive: true, force: true });
    if (err instanceof BadInputError) throw new BadInputError(err.message.replaceAll(tempDir, basename(zipPath)));
    throw err;
  }
  // The sources share the temp dir: it goes once every one of them has been cleaned up.
  let remaining = sources.length;
  for (const source of sources) {
    source.parts = source.parts.map((part) => ({ ...part, shownAs: inZip(part.path) }));
    let done = false;
    source.cleanup = async () => {
      if (done) return;
      done = true;
      remaining -= 1;
      if (remaining === 0) await rm(tempDir, { recursive: true, force: true });
    };
  }
  return sources;
}

async function listVisible(dir: string): Promise<DirEntry[]> {
  const names = (await readdir(dir)).filter((name) => !name.startsWith('.')).sort(naturalOrder);
  const entries = await Promise.all(
    names.map(async (name): Promise<DirEntry | null> => {
      const path = join(dir, name);
      try {
        // stat, not lstat: symlinked logs count.
        const stats = await stat(path);
        return { name, path, isFile: stats.isFile(), isDirectory: stats.isDirectory() };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null; // dangling symlink
        const problem = fileError(err, path);
        if (!(problem instanceof BadInputError)) throw err;
        return { name, path, isFile: false, isDirectory: false, unreadable: problem.message };
      }
    }),
  );
  return entries.filter((entry): entry is DirEntry => entry !== null);
}

async function cleanupAll(sources: LogSource[]): Promise<void> {
  await Promise.all(sources.map((source) => source.cleanup?.()));
}
