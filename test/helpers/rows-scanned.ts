import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnalysisDatabase } from '../../src/store/database.js';

/** One node of DuckDB's JSON query profile. */
interface ProfileNode {
  operator_type?: string;
  operator_rows_scanned?: number;
  extra_info?: { Table?: string };
  children?: ProfileNode[];
}

/** Rows DuckDB read from each table, as its profiler counts them (after zonemap pruning). */
export type RowsScanned = Record<string, number>;

/**
 * Turns on DuckDB's profiler for every connection the database (or any handle of it, such as a request's) opens
 * from now on, each query's profile in its own file, so a test can count the rows every query of a request read
 * from each table.
 */
export function recordRowsScanned(database: AnalysisDatabase): { take: () => RowsScanned; dispose: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'spark-sword-profile-'));
  let sequence = 0;
  const connect = AnalysisDatabase.prototype.connect;
  // A fresh connection per query, so each query's profile has its own file.
  database.reuseConnections = false;
  AnalysisDatabase.prototype.connect = async function (this: AnalysisDatabase) {
    const connection = await connect.call(this);
    if (this.base !== database) return connection;
    await connection.run(`PRAGMA enable_profiling = 'json'`);
    await connection.run(`SET profiling_output = '${join(dir, `${sequence++}.json`)}'`);
    await connection.run(
      `SET custom_profiling_settings = '{"OPERATOR_ROWS_SCANNED": "true", "OPERATOR_TYPE": "true", "EXTRA_INFO": "true"}'`,
    );
    return connection;
  };
  const walk = (node: ProfileNode, totals: RowsScanned): void => {
    // DuckDB names a table with its catalog and schema ("analysis.main.tasks").
    const table = node.extra_info?.Table?.split('.').at(-1);
    if (table && node.operator_rows_scanned !== undefined) totals[table] = (totals[table] ?? 0) + node.operator_rows_scanned;
    for (const child of node.children ?? []) walk(child, totals);
  };
  return {
    take: () => {
      const totals: RowsScanned = {};
      for (const file of readdirSync(dir)) {
        walk(JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileNode, totals);
        rmSync(join(dir, file));
      }
      return totals;
    },
    dispose: () => {
      AnalysisDatabase.prototype.connect = connect;
      database.reuseConnections = true;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
