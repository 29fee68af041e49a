import { join } from 'node:path';
import { countApplications } from '../store/applications-store.js';
import type { AnalysisDatabase } from '../store/database.js';
import { packageRoot } from '../version.js';
import { ingestPaths, type IngestReport } from './ingest-service.js';

/** examples/logs of this package. */
const sampleLogsDir: string = join(packageRoot, 'examples', 'logs');

/** What start-up did about the sample data. */
export type SampleDataOutcome =
  | { loaded: true; report: IngestReport }
  | { loaded: false; reason: 'database-not-empty' | 'not-asked'; applications: number };

/**
 * Loads the bundled sample logs (examples/logs) when asked and the database holds no application, so a first
 * start has something to query; a database with applications is never touched.
 */
export async function loadSampleDataIfEmpty(database: AnalysisDatabase, asked: boolean): Promise<SampleDataOutcome> {
  const applications = await countApplications(database);
  if (applications > 0) return { loaded: false, reason: 'database-not-empty', applications };
  if (!asked) return { loaded: false, reason: 'not-asked', applications };
  return { loaded: true, report: await ingestPaths(database, [sampleLogsDir]) };
}
