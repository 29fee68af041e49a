import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext } from '../../src/analysis/detector.js';
import { readStageFacts } from '../../src/analysis/stage-facts.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

let temp: TempDatabase;
const appKeys: string[] = [];

beforeAll(async () => {
  temp = await openTempDatabase();
  const report = await ingestPaths(temp.database, [eventLogPath('apache-spark'), eventLogPath('spark4')]);
  appKeys.push(...report.applications.map((app) => app.appKey));
}, 120_000);
afterAll(() => temp.dispose());

describe('stage facts read a few stages at a time', () => {
  it('are the same, stage attempt for stage attempt, whatever the batch size', async () => {
    let stagesCompared = 0;
    await temp.database.withConnection(async (connection) => {
      for (const appKey of appKeys) {
        const { query } = await createDetectorContext(connection, appKey);
        const whole = await readStageFacts(query, Infinity);
        // Every stage attempt the log holds has its facts.
        const attempts = await query<{ stageId: number; attemptId: number }>(
          'SELECT stageId::INTEGER AS stageId, attemptId::INTEGER AS attemptId FROM stages WHERE appKey = $appKey ORDER BY ALL',
        );
        expect(whole.map((f) => ({ stageId: f.stageId, attemptId: f.stageAttemptId })), appKey).toEqual(attempts);
        // One stage a query (every stage exceeds a limit of one task), then a few stages a query.
        expect(await readStageFacts(query, 1), appKey).toEqual(whole);
        expect(await readStageFacts(query, 50), appKey).toEqual(whole);
        stagesCompared += whole.length;
      }
    });
    expect(appKeys.length).toBeGreaterThan(10);
    expect(stagesCompared).toBeGreaterThan(100);
  });
});
