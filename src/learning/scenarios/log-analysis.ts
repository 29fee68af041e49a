import { join } from 'node:path';
import type { Insight } from '../../analysis/insight.js';
import { ingestPaths } from '../../ingest/ingest-service.js';
import { logger } from '../../logger.js';
import { AnalysisDatabase } from '../../store/database.js';
import { environmentsByApp } from '../../store/environment-store.js';
import { insightFromRecord, insightsByApp } from '../../store/insights-store.js';
import { scenarioAssetDir } from './assets.js';
import type { LogAnalysis } from './metrics.js';

const analyses = new Map<string, Promise<LogAnalysis>>();

/**
 * Ingests a scenario's shipped event log with the normal ingest (which runs every detector) and returns the
 * insights found. It goes into a private in-memory DuckDB, not the server's analysis database: the exercise's
 * log must not appear among the user's applications, and the server's file may be locked by another process.
 * The log never changes while the server runs, so each is analysed once per process.
 */
export function analyseScenarioLog(file: string, logsDir: string = scenarioAssetDir('logs')): Promise<LogAnalysis> {
  const path = join(logsDir, file);
  let analysis = analyses.get(path);
  if (!analysis) {
    analysis = analyse(path);
    analyses.set(path, analysis);
    // A failure must not be cached: the next run tries again.
    analysis.catch(() => analyses.delete(path));
  }
  return analysis;
}

async function analyse(path: string): Promise<LogAnalysis> {
  const started = performance.now();
  const database = await AnalysisDatabase.open(':memory:', { memoryLimit: '128MB', threads: 1 });
  try {
    const report = await ingestPaths(database, [path]);
    const application = report.applications[0];
    if (!application) throw new Error(`scenario log ${path} could not be ingested: ${report.failures.map((f) => f.error.message).join('; ')}`);
    const [records] = await insightsByApp(database, [application.appKey]);
    const insights: Insight[] = (records ?? []).map(insightFromRecord);
    const [environment] = await environmentsByApp(database, [application.appKey]);
    const sparkProperties = Object.fromEntries((environment?.sections.sparkProperties ?? []).map((entry) => [entry.key, entry.value ?? '']));
    logger.debug({ path, insights: insights.length, ms: Math.round(performance.now() - started) }, 'analysed a scenario log');
    return { appId: application.appId, insights, sparkProperties };
  } finally {
    database.close();
  }
}
