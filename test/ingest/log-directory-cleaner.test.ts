import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { LogDirectoryWatcher } from '../../src/ingest/log-directory-watcher.js';
import { applicationAttempts } from '../../src/store/applications-store.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** What a scan keeps and removes, one scan at a time (no timers). */

const APP = 'local-1426533911241';
let dir: string;
let temp: TempDatabase;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-cleaner-'));
  temp = await openTempDatabase();
});
afterEach(() => {
  temp.dispose();
  rmSync(dir, { recursive: true, force: true });
});

function watcher(cleaner: boolean): LogDirectoryWatcher {
  return new LogDirectoryWatcher(temp.database, { paths: [dir], pollMs: 60_000, cleaner, logger: pino({ level: 'silent' }) });
}

describe('the log directory cleaner', () => {
  it('off (the default): an application stays when its log leaves the directory', async () => {
    const feed = watcher(false);
    copyFileSync(eventLogPath('apache-spark', APP), join(dir, APP));
    await feed.scanOnce();
    expect(await applicationAttempts(temp.database, APP)).toHaveLength(1);
    rmSync(join(dir, APP));
    await feed.scanOnce();
    expect(await applicationAttempts(temp.database, APP)).toHaveLength(1);
    expect(feed.status()[0]!.applications).toBe(0);
  });

  it('on: the applications of a log that left are forgotten; a log renamed complete keeps its app', async () => {
    const feed = watcher(true);
    copyFileSync(eventLogPath('apache-spark', APP), join(dir, `${APP}.inprogress`));
    await feed.scanOnce();
    const rename = join(dir, APP);
    copyFileSync(join(dir, `${APP}.inprogress`), rename);
    rmSync(join(dir, `${APP}.inprogress`));
    await feed.scanOnce();
    expect(await applicationAttempts(temp.database, APP)).toHaveLength(1);
    rmSync(rename);
    await feed.scanOnce();
    expect(await applicationAttempts(temp.database, APP)).toHaveLength(0);
    // Files are never deleted by it.
    writeFileSync(join(dir, 'keep.txt'), 'x');
    await feed.scanOnce();
    expect(feed.failures()).toHaveLength(1);
  });

  it('reads files and rolling directories of the directory, not other subdirectories (as History Server)', async () => {
    const feed = watcher(false);
    mkdirSync(join(dir, 'archive'));
    copyFileSync(eventLogPath('apache-spark', APP), join(dir, 'archive', APP));
    await feed.scanOnce();
    expect(await applicationAttempts(temp.database, APP)).toHaveLength(0);
    expect(feed.failures()).toEqual([]);
  });

  it('follows a compressed .inprogress file as it grows, up to its last whole block, as History Server does', async () => {
    const feed = watcher(false);
    const appId = 'local-1623876083964';
    const whole = readFileSync(join(eventLogPath('formats', `eventlog_v2_${appId}`), `events_1_${appId}.zstd`));
    const running = join(dir, `${appId}.zstd.inprogress`);
    const tasks = async (): Promise<number> => Number(plain(await temp.database.query('SELECT count(*) AS n FROM tasks WHERE appKey = $k', { k: appId }))[0]!.n);
    writeFileSync(running, whole.subarray(0, Math.floor(whole.length * 0.3)));
    await feed.scanOnce();
    expect(feed.failures()).toEqual([]);
    const [early] = await applicationAttempts(temp.database, appId);
    expect(early).toMatchObject({ completed: false });
    const tasksEarly = await tasks();
    expect(tasksEarly).toBeGreaterThan(0);
    writeFileSync(running, whole.subarray(0, Math.floor(whole.length * 0.8)));
    await feed.scanOnce();
    expect(feed.failures()).toEqual([]);
    expect(await tasks()).toBeGreaterThan(tasksEarly);
  });
});

describe('LOG_DIRECTORY configuration', () => {
  it('is off by default; polls every 10 s with the cleaner off', () => {
    const config = loadConfig({});
    expect(config.LOG_DIRECTORY).toEqual([]);
    expect(config.LOG_DIRECTORY_POLL_SECONDS).toBe(10);
    expect(config.LOG_DIRECTORY_CLEANER).toBe(false);
  });

  it('takes several comma-separated directories and refuses one that does not exist', () => {
    const other = mkdtempSync(join(tmpdir(), 'spark-sword-logdir2-'));
    try {
      expect(loadConfig({ LOG_DIRECTORY: `${dir}, ${other}`, LOG_DIRECTORY_CLEANER: 'true' })).toMatchObject({
        LOG_DIRECTORY: [dir, other],
        LOG_DIRECTORY_CLEANER: true,
      });
      expect(() => loadConfig({ LOG_DIRECTORY: join(dir, 'missing') })).toThrow(/LOG_DIRECTORY: .*missing is not a directory/);
      expect(() => loadConfig({ LOG_DIRECTORY_POLL_SECONDS: '0' })).toThrow(ConfigError);
      expect(() => loadConfig({ LOG_DIRECTORY_CLEANER: 'yes' })).toThrow(/LOG_DIRECTORY_CLEANER/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
