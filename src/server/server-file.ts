import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * While a server runs it owns its database file (DuckDB lets one process open it). It says where it listens
 * in a small file beside the database, so a CLI that finds the file locked can hand its logs to that server.
 */
export interface ServerFile {
  pid: number;
  url: string;
}

/** Where the server running on `databasePath` writes its address. */
function serverFilePath(databasePath: string): string {
  return `${databasePath}.server.json`;
}

/** Records that this process serves `databasePath` at `url`. */
export function writeServerFile(databasePath: string, url: string): void {
  writeFileSync(serverFilePath(databasePath), `${JSON.stringify({ pid: process.pid, url } satisfies ServerFile)}\n`);
}

/** Removes the record, if it is this process's. */
export function removeServerFile(databasePath: string): void {
  if (readServerFile(databasePath)?.pid === process.pid) rmSync(serverFilePath(databasePath), { force: true });
}

/** The server that serves `databasePath`, or null when none is recorded or its process is gone. */
export function readServerFile(databasePath: string): ServerFile | null {
  let parsed: Partial<ServerFile>;
  try {
    parsed = JSON.parse(readFileSync(serverFilePath(databasePath), 'utf8')) as Partial<ServerFile>;
  } catch {
    return null;
  }
  if (typeof parsed.pid !== 'number' || typeof parsed.url !== 'string') return null;
  try {
    process.kill(parsed.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return { pid: parsed.pid, url: parsed.url };
}
