import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { discoverLogs, type LogSource } from '../eventlog/discover.js';
import { BadInputError } from '../errors.js';
import { deleteApplications } from '../store/application-rows.js';
import type { AnalysisDatabase } from '../store/database.js';
import { ingestSource } from './ingest-service.js';

/** How a watched directory is read (LOG_DIRECTORY, LOG_DIRECTORY_POLL_SECONDS, LOG_DIRECTORY_CLEANER). */
export interface LogDirectoryOptions {
  /** Directories of event logs, as History Server's spark.history.fs.logDirectory. */
  paths: readonly string[];
  pollMs: number;
  /** Forget applications whose log left the directory (spark.history.fs.cleaner.enabled); off: remove nothing. */
  cleaner: boolean;
  logger: Logger;
}

/** A log of a watched directory that could not be ingested; retried only once the log changes. */
export interface LogDirectoryFailure {
  path: string;
  message: string;
  failedAt: Date;
}

/** What one watched directory holds, as of its last scan. */
export interface LogDirectoryStatus {
  path: string;
  /** When the last scan of it finished; null before the first. */
  lastScan: Date | null;
  /** Application attempts stored from its logs. */
  applications: number;
  /** Logs of it that could not be ingested. */
  failures: number;
}

/** What is known of one entry (file or log directory) of a watched directory. */
interface EntryState {
  /** Sizes and times of its files: a change means the log changed. */
  fingerprint: string;
  appKeys: string[];
  failure: LogDirectoryFailure | null;
}

interface DirectoryState {
  path: string;
  lastScan: Date | null;
  entries: Map<string, EntryState>;
}

/** A file's name, size and modification time. */
async function fileFingerprint(path: string, name: string): Promise<string | null> {
  try {
    const stats = await stat(path);
    return stats.isFile() ? `${name}:${stats.size}:${stats.mtimeMs}` : null;
  } catch {
    return null; // gone between the listing and the stat
  }
}

/** Files that make a directory one log: Spark's rolling parts and status marker, Databricks' rotation. */
const LOG_DIRECTORY_FILE = /^(events_\d+_|appstatus_|eventlog$|eventlog-)/;

/**
 * A log entry's fingerprint: the file's, or every file's of a rolling or Databricks directory; null for
 * anything else (History Server does not look into other subdirectories either).
 */
async function entryFingerprint(path: string, isDirectory: boolean): Promise<string | null> {
  if (!isDirectory) return fileFingerprint(path, '');
  try {
    const names = (await readdir(path)).filter((name) => !name.startsWith('.')).sort();
    if (!basename(path).startsWith('eventlog_v2_') && !names.some((name) => LOG_DIRECTORY_FILE.test(name))) return null;
    const parts = await Promise.all(names.map((name) => fileFingerprint(join(path, name), name)));
    return parts.filter((part) => part !== null).join('|');
  } catch {
    return null;
  }
}

/**
 * Watches History-Server-style log directories: scans them at start and then every poll, ingests each new log
 * and re-ingests each log that changed (a growing `.inprogress` file, a rolling directory that gained a part,
 * a log renamed complete), so running applications show as incomplete and complete when their end event
 * arrives. A log that fails is reported and retried only when it changes. Nothing is removed unless the
 * cleaner is on, and then only the applications whose logs left the directory (never a file).
 *
 * Each re-ingest reads the whole log again: the store replaces an application attempt as a whole (its
 * aggregates and insights are computed over all of its rows), so appending only the new events is not possible.
 */
export class LogDirectoryWatcher {
  private readonly directories: DirectoryState[];
  private timer: NodeJS.Timeout | null = null;
  private scanning: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: AnalysisDatabase,
    private readonly options: LogDirectoryOptions,
  ) {
    this.directories = options.paths.map((path) => ({ path: resolve(path), lastScan: null, entries: new Map() }));
  }

  /** Scans once now, then every poll interval until {@link stop}. */
  start(): void {
    this.stopped = false;
    this.options.logger.info(
      { paths: this.directories.map((directory) => directory.path), pollSeconds: this.options.pollMs / 1000, cleaner: this.options.cleaner },
      'watching event log directories',
    );
    const loop = async (): Promise<void> => {
      await this.scanOnce();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.options.pollMs);
    };
    void loop();
  }

  /** Stops polling and waits for a scan in progress to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.scanning;
  }

  /** One scan of every directory (a scan already running is awaited instead of starting another). */
  async scanOnce(): Promise<void> {
    if (this.scanning) return this.scanning;
    this.scanning = (async () => {
      try {
        for (const directory of this.directories) {
          if (this.stopped) break;
          await this.scanDirectory(directory);
        }
      } finally {
        this.scanning = null;
      }
    })();
    return this.scanning;
  }

  /** Each watched directory's counts. */
  status(): LogDirectoryStatus[] {
    return this.directories.map((directory) => {
      const entries = [...directory.entries.values()];
      return {
        path: directory.path,
        lastScan: directory.lastScan,
        applications: new Set(entries.flatMap((entry) => entry.appKeys)).size,
        failures: entries.filter((entry) => entry.failure !== null).length,
      };
    });
  }

  /** Every log that failed its last ingest, oldest failure first. */
  failures(): LogDirectoryFailure[] {
    return this.directories
      .flatMap((directory) => [...directory.entries.values()].flatMap((entry) => (entry.failure ? [entry.failure] : [])))
      .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime());
  }

  private async scanDirectory(directory: DirectoryState): Promise<void> {
    const log = this.options.logger;
    let listing;
    try {
      listing = (await readdir(directory.path, { withFileTypes: true })).filter((entry) => !entry.name.startsWith('.'));
    } catch (error) {
      log.error({ err: error, path: directory.path }, 'cannot read the watched log directory');
      return;
    }
    const present = new Set<string>();
    for (const dirent of listing) {
      if (this.stopped) return;
      if (!dirent.isFile() && !dirent.isDirectory()) continue;
      const path = join(directory.path, dirent.name);
      const fingerprint = await entryFingerprint(path, dirent.isDirectory());
      // Gone already, or a file Spark has just created and not written yet: looked at again next poll.
      if (fingerprint === null || fingerprint.startsWith(':0:')) continue;
      present.add(path);
      const known = directory.entries.get(path);
      if (known?.fingerprint === fingerprint) continue;
      await this.ingestEntry(directory, path, fingerprint, known);
    }
    await this.forgetVanished(directory, present);
    directory.lastScan = new Date();
  }

  private async ingestEntry(directory: DirectoryState, path: string, fingerprint: string, known: EntryState | undefined): Promise<void> {
    const log = this.options.logger;
    const appKeys: string[] = [];
    let sources: LogSource[] = [];
    try {
      sources = await discoverLogs([path]);
      // A running application's compressed log is read up to its last whole block, as History Server reads it.
      for (const source of sources) {
        const ingested = await ingestSource(this.db, source);
        appKeys.push(ingested.appKey);
        log.info({ path, appKey: ingested.appKey, completed: ingested.completed }, 'ingested a log of the watched directory');
      }
      directory.entries.set(path, { fingerprint, appKeys, failure: null });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const failure = { path, message, failedAt: new Date() };
      if (error instanceof BadInputError) {
        // A bad log is reported once and retried only when it changes (its fingerprint is kept).
        log.warn({ path, reason: message }, 'a log of the watched directory cannot be ingested; it is retried when it changes');
        directory.entries.set(path, { fingerprint, appKeys: known?.appKeys ?? appKeys, failure });
      } else {
        // Anything else (the database, the disk) may pass: the next poll tries again.
        log.error({ err: error, path }, 'ingesting a log of the watched directory failed; retrying at the next poll');
        directory.entries.set(path, { fingerprint: '', appKeys: known?.appKeys ?? appKeys, failure });
      }
    } finally {
      await Promise.all(sources.map((source) => source.cleanup?.()));
    }
  }

  /** Drops entries whose logs left the directory; with the cleaner on, also their applications' rows. */
  private async forgetVanished(directory: DirectoryState, present: ReadonlySet<string>): Promise<void> {
    const vanished = [...directory.entries.keys()].filter((path) => !present.has(path));
    if (vanished.length === 0) return;
    const kept = new Set([...directory.entries].filter(([path]) => present.has(path)).flatMap(([, entry]) => entry.appKeys));
    for (const path of vanished) {
      const entry = directory.entries.get(path)!;
      directory.entries.delete(path);
      // A `.inprogress` log renamed complete leaves under one name and comes back under another: same app.
      const orphans = entry.appKeys.filter((appKey) => !kept.has(appKey));
      if (!this.options.cleaner || orphans.length === 0) continue;
      await this.db.serializeWrite(() => this.db.withConnection((connection) => deleteApplications(connection, orphans)));
      this.options.logger.info({ path, appKeys: orphans }, 'the cleaner removed applications whose log left the watched directory');
    }
  }
}
