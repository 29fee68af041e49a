import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { logger } from '../logger.js';

/**
 * Every temp file of an ingest or upload lives in a directory named `spark-sword-<kind>-<pid>-<random>`, so
 * that a later process can tell the leftovers of a killed one (whose pid is gone) from those of a live one.
 */
const TEMP_DIR = /^spark-sword-(?:ingest|upload|zip)-(\d+)-/;

/** The mkdtemp prefix of this process's ingest temp directories. */
export function ingestTempPrefix(kind: 'ingest' | 'upload' | 'zip' = 'ingest'): string {
  return `spark-sword-${kind}-${process.pid}-`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temp directories that ingests and uploads of dead processes left behind (a kill -9, a power
 * cut). Run at start-up; returns the directories removed.
 */
export async function removeStaleTempFiles(dir: string = tmpdir()): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = TEMP_DIR.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue;
    await rm(join(dir, name), { recursive: true, force: true });
    removed.push(join(dir, name));
  }
  if (removed.length > 0) logger.info({ removed }, 'removed temp files of an interrupted ingest');
  return removed;
}
