import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { createDetectorContext, type Detector, type InsightDraft } from '../../src/analysis/detector.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from './database.js';
import { writeEventLog, type SyntheticApp } from './synthetic-log.js';

/**
 * For a detector's test file: a temp database and log folder for the enclosing suite, and `detect`, which
 * writes a synthetic log, ingests it and runs the detector on it (checking no insight promises a speed-up).
 */
export function useDetectorOnSyntheticLogs(detector: Detector): { detect: (spec: SyntheticApp) => Promise<InsightDraft[]> } {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), `spark-sword-${detector.type}-`));
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    detect: async (spec) => {
      await ingestPaths(db.database, [writeEventLog(dir, spec)]);
      const insights = await db.database.withConnection(async (connection) =>
        detector.detect(await createDetectorContext(connection, spec.appId)));
      for (const insight of insights) expect(promisesIn(insight), insight.id).toEqual([]);
      return insights;
    },
  };
}

/**
 * For a suite over real logs: ingests `paths` once before its tests and runs the detector on every
 * application; the returned map (appKey → insights) is filled by the time the tests run.
 */
export function detectOnSharedLogs(detector: Detector, paths: readonly string[]): Map<string, InsightDraft[]> {
  const found = new Map<string, InsightDraft[]>();
  let real: TempDatabase;
  beforeAll(async () => {
    real = await openTempDatabase();
    const report = await ingestPaths(real.database, [...paths]);
    await real.database.withConnection(async (connection) => {
      for (const { appKey } of report.applications) {
        found.set(appKey, await detector.detect(await createDetectorContext(connection, appKey)));
      }
    });
  }, 120_000);
  afterAll(() => real.dispose());
  return found;
}
