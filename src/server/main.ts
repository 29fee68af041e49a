import { ConfigError, loadConfig } from '../config.js';
import { loadSampleDataIfEmpty } from '../ingest/sample-data.js';
import { ProgressStore } from '../learning/progress/progress-store.js';
import { logger } from '../logger.js';
import { removeStaleTempFiles } from '../eventlog/temp-files.js';
import { DatabaseOpenError, openConfiguredDatabase, type AnalysisDatabase } from '../store/database.js';
import { removeServerFile, writeServerFile } from './server-file.js';
import { startServer } from './http-server.js';

/** `npm start`: validates the environment, opens the analysis DuckDB and serves the API until a signal. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  let db: AnalysisDatabase;
  try {
    db = await openConfiguredDatabase(config);
  } catch (error) {
    // A locked, read-only or foreign database file: one line that says what to do, no stack trace.
    if (error instanceof DatabaseOpenError) {
      logger.fatal(error.message);
      process.exit(2);
    }
    throw error;
  }
  // A killed ingest or upload leaves its temp files; no other ingest runs yet, so they can go.
  await removeStaleTempFiles();
  const demo = config.SAMPLE_DATA || process.argv.slice(2).includes('--demo');
  const sample = await loadSampleDataIfEmpty(db, demo);
  if (sample.loaded) {
    logger.info({ applications: sample.report.applications.map((app) => app.appKey) }, 'loaded the sample logs of examples/logs');
  } else if (sample.reason === 'not-asked') {
    logger.info('the database holds no application: start with --demo (or SAMPLE_DATA=true) to load the sample logs, or ingest your own');
  }
  let progress: ProgressStore;
  try {
    progress = await ProgressStore.open(config.PROGRESS_DB_PATH);
  } catch (error) {
    // A progress file from a newer build (or not a progress file) is refused before anything is written.
    logger.fatal({ err: error }, (error as Error).message);
    db.close();
    process.exit(2);
  }
  let server;
  try {
    server = await startServer({ config, db, progress });
  } catch (error) {
    // AUTH_MODE=open on a network interface, and the like: refused before anything listens.
    if (!(error instanceof ConfigError)) throw error;
    logger.fatal(error.message);
    db.close();
    progress.close();
    process.exit(2);
  }
  if (config.DUCKDB_PATH !== ':memory:') writeServerFile(config.DUCKDB_PATH, server.url);
  logger.info(
    { url: `${server.url}/graphql`, database: config.DUCKDB_PATH, progress: config.PROGRESS_DB_PATH },
    `Spark Sword is serving GraphQL (AUTH_MODE=${config.AUTH_MODE})`,
  );
  const shutdown = async (signal: string): Promise<void> => {
    logger.info({ signal }, 'shutting down');
    await server.stop();
    if (config.DUCKDB_PATH !== ':memory:') removeServerFile(config.DUCKDB_PATH);
    db.close();
    progress.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

await main();
