import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog, repeatTask } from '../helpers/synthetic-log.js';

/** Properties as a SQL session logs them: the few Spark Sword reads among hundreds of configuration keys. */
function sessionProperties(own: Record<string, string>): Record<string, string> {
  const confs = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`spark.sql.conf.key${i}`, `value-${i}`]));
  return { ...confs, ...own };
}

describe('job and stage properties', () => {
  let db: TempDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-properties-'));
    const log = buildEventLog({
      appId: 'app-properties',
      jobs: [
        { jobId: 0, stages: [{ stageId: 0, tasks: repeatTask(2, { durationMs: 100 }) }] },
        { jobId: 1, stages: [{ stageId: 1, tasks: repeatTask(2, { durationMs: 100 }) }] },
      ],
    });
    // Spark logs every property as a string; job 0 runs in a group, with tags, in a pool, for SQL execution 7.
    const lines = log.split('\n').map((line) => {
      if (!line) return line;
      const event = JSON.parse(line) as { Event: string; 'Job ID'?: number; 'Stage Info'?: { 'Stage ID': number } };
      if (event.Event === 'SparkListenerJobStart' && event['Job ID'] === 0) {
        return JSON.stringify({
          ...event,
          Properties: sessionProperties({
            'spark.job.description': 'nightly load',
            'spark.jobGroup.id': 'group-a',
            'spark.job.tags': 'etl,nightly',
            'spark.scheduler.pool': 'batch',
            'spark.sql.execution.id': '7',
          }),
        });
      }
      if (event.Event === 'SparkListenerStageSubmitted' && event['Stage Info']?.['Stage ID'] === 0) {
        return JSON.stringify({
          ...event,
          Properties: sessionProperties({ 'spark.job.description': 'nightly load', 'spark.scheduler.pool': 'batch' }),
        });
      }
      return line;
    });
    const path = join(dir, 'app-properties');
    writeFileSync(path, lines.join('\n'));
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures).toEqual([]);
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps a job description, group, tags, pool and SQL execution, and the defaults where a job has none', async () => {
    const jobs = plain(
      await db.database.query(
        `SELECT jobId, description, jobGroup, jobTags, schedulingPool, sqlExecutionId FROM jobs ORDER BY jobId`,
      ),
    );
    expect(jobs).toEqual([
      { jobId: 0, description: 'nightly load', jobGroup: 'group-a', jobTags: ['etl', 'nightly'], schedulingPool: 'batch', sqlExecutionId: 7 },
      { jobId: 1, description: null, jobGroup: null, jobTags: [], schedulingPool: 'default', sqlExecutionId: null },
    ]);
  });

  it("gives a stage its submission's description and pool", async () => {
    const stages = plain(await db.database.query(`SELECT stageId, description, schedulingPool FROM stages ORDER BY stageId`));
    expect(stages).toEqual([
      { stageId: 0, description: 'nightly load', schedulingPool: 'batch' },
      { stageId: 1, description: null, schedulingPool: 'default' },
    ]);
  });
});
