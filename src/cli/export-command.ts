import type { Command } from 'commander';
import { counted } from '../analysis/format.js';
import { exportParquet } from '../export/parquet-export.js';
import type { CliOutput } from './main.js';
import { toJson, withStoredDatabase } from './open-database.js';
import { parseTime } from './options.js';

/** Registers `spark-sword export --parquet DIR [--since ISO]`. */
export function registerExportCommand(program: Command, out: CliOutput, setExit: (code: number) => void): void {
  program
    .command('export')
    .description('write every stored application as Parquet, one folder per table and one partition per application (append-only)')
    .requiredOption('--parquet <dir>', 'directory to write (created if missing; an earlier export directory is extended)')
    .option('--since <iso>', 'only applications ingested at or after this time, e.g. 2026-12-01T00:00:00Z', parseTime('--since'))
    .option('--db <path>', 'analysis DuckDB file (default: DUCKDB_PATH or data/spark_sword.duckdb)')
    .option('--json', 'print the report as one JSON document')
    .action(async (options: { parquet: string; since?: Date; db?: string; json?: boolean }) => {
      const report = await withStoredDatabase(options.db, (database) =>
        exportParquet(database, options.parquet, {
          since: options.since,
          onProgress: (appKey, index, total) => out.stderr.write(`[${index + 1}/${total}] exporting ${appKey}\n`),
        }),
      );
      if (options.json) {
        out.stdout.write(toJson(report));
      } else {
        out.stdout.write(
          `exported ${counted(report.exported.length, 'application')} ` +
            `(${report.filesWritten} Parquet files) to ${report.directory}; ${report.unchanged.length} already there\n`,
        );
      }
      setExit(0);
    });
}
