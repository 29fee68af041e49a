import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../src/analysis/detector.js';
import { detectInsights } from '../../src/analysis/run-detectors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

const APP = 'app-run-detectors';

function detector(type: string, detect: Detector['detect']): Detector {
  return { type, description: type, sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html', detect };
}

const finding = detector('finds', async () => [
  { id: 'finds', type: 'finds', title: 'a finding', description: 'd', evidence: [], impact: { wallClockMs: 0 } } as never,
]);

describe('running detectors', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-run-detectors-'));
    const spec = { appId: APP, jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 1_000 }] }] }] };
    await ingestPaths(db.database, [writeEventLog(dir, spec)]);
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('leaves out a detector that throws and keeps the others', async () => {
    const failing = detector('throws', async () => {
      throw new Error('a bug in one detector');
    });
    const insights = await db.database.withConnection((connection) => detectInsights(connection, APP, [failing, finding]));
    expect(insights.map((insight) => insight.type)).toEqual(['finds']);
  });

  it("reports a detector's failed statement itself when it aborted the transaction the detectors run in", async () => {
    const failingSql = detector('fails-in-sql', async (context) => {
      await context.query('SELECT appKey::INTEGER FROM applications WHERE appKey = $appKey');
      return [];
    });
    const outcome = db.database.withConnection(async (connection) => {
      await connection.run('BEGIN TRANSACTION');
      try {
        return await detectInsights(connection, APP, [failingSql, finding]);
      } finally {
        await connection.run('ROLLBACK');
      }
    });
    await expect(outcome).rejects.toThrow(`Could not convert string '${APP}' to INT32`);
  });
});
