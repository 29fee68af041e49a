import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { SLIM_PROPERTIES_BYTES, slimPropertiesSql } from '../../src/parse/stage-events.js';
import { openTempDatabase, plain, type TempDatabase } from '../helpers/database.js';
import { buildEventLog } from '../helpers/synthetic-log.js';

/**
 * A job's and a stage's properties carry every SQL setting the session changed: on Databricks tens of KB per event,
 * and a streaming application starts jobs by the thousand. The split keeps only the properties the store reads.
 */

/** Settings a notebook session carries, `n` of them (~100 bytes each). */
function sessionSettings(n: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: n }, (_, i) => [`spark.databricks.generated.setting${i}`, `value-${i}-${'x'.repeat(60)}`]));
}

const stored = {
  'spark.job.description': 'INSERT INTO sales SELECT * FROM {staging} -- "quoted"',
  'spark.jobGroup.id': 'group-7',
  'spark.scheduler.pool': 'etl',
  'spark.sql.execution.id': '12',
};

let db: TempDatabase;
let dir: string;
beforeAll(async () => {
  db = await openTempDatabase();
  dir = mkdtempSync(join(tmpdir(), 'spark-sword-slim-properties-'));
});
afterAll(() => {
  db?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function slim(line: string): Promise<string> {
  const [row] = plain(await db.database.query(`SELECT ${slimPropertiesSql('json')} AS slim FROM (SELECT $line::VARCHAR AS json)`, { line }));
  return row!.slim as string;
}

describe('slimPropertiesSql', () => {
  const jobStart = {
    Event: 'SparkListenerJobStart', 'Job ID': 3, 'Submission Time': 1700000000000,
    'Stage Infos': [{ 'Stage ID': 5, 'Stage Attempt ID': 0, 'Stage Name': 'save', 'Number of Tasks': 2, 'RDD Info': [], 'Parent IDs': [] }],
    'Stage IDs': [5],
    Properties: { ...sessionSettings(200), ...stored },
  };

  it("keeps a job start's stored properties and everything else, and drops the other properties", async () => {
    const line = JSON.stringify(jobStart);
    expect(line.length).toBeGreaterThan(SLIM_PROPERTIES_BYTES);
    const slimmed = await slim(line);
    expect(slimmed.startsWith('{"Event":"SparkListenerJobStart"')).toBe(true);
    expect(JSON.parse(slimmed)).toEqual({ ...jobStart, Properties: stored });
    expect(slimmed.length).toBeLessThan(line.length / 10);
  });

  it('leaves alone lines with few properties, other events, and lines it cannot slim safely', async () => {
    const small = JSON.stringify({ ...jobStart, Properties: stored });
    const stageCompleted = JSON.stringify({ Event: 'SparkListenerStageCompleted', 'Stage Info': { 'Stage ID': 1, Details: 'x'.repeat(SLIM_PROPERTIES_BYTES) } });
    const malformed = JSON.stringify(jobStart).slice(0, -1);
    const brokenProperties = JSON.stringify(jobStart).replace('"spark.jobGroup.id":', '"spark.jobGroup.id"');
    // A writer that puts a key after the properties: the line is kept rather than losing that key.
    const propertiesNotLast = JSON.stringify({ ...jobStart, 'Vendor Field': 7 });
    for (const line of [small, stageCompleted, malformed, brokenProperties, propertiesNotLast]) expect(await slim(line)).toBe(line);
  });

  it('keeps everything before the properties as written: a number no 64-bit field holds is still there to be refused', async () => {
    const hugeNumber = JSON.stringify({ ...jobStart, 'Job ID': 1 }).replace('"Job ID":1', '"Job ID":18446744073709551616');
    const slimmed = await slim(hugeNumber);
    expect(slimmed.startsWith(hugeNumber.slice(0, hugeNumber.indexOf(',"Properties":')))).toBe(true);
    expect(slimmed.length).toBeLessThan(hugeNumber.length / 10);
    const path = join(dir, 'huge-job-id.json');
    writeFileSync(path, buildEventLog({ appId: 'app-huge', jobs: [] }).replace(/\n/, `\n${hugeNumber}\n`));
    const report = await ingestPaths(db.database, [path]);
    expect(report.failures.map((failure) => failure.error.message).join()).toContain('18446744073709551616');
  });

  it('names a line that is not JSON before its properties, as if it had not been slimmed', async () => {
    const broken = JSON.stringify(jobStart).replace('"Stage IDs":[5]', '"Stage IDs":[5');
    expect(await slim(broken)).not.toBe(broken);
    const log = (line: string) => buildEventLog({ appId: 'app-broken', jobs: [] }).replace(/\n/, `\n${line}\n`);
    const slimmedPath = join(dir, 'broken-slimmed.json');
    const unslimmedPath = join(dir, 'broken-unslimmed.json');
    writeFileSync(slimmedPath, log(broken));
    writeFileSync(unslimmedPath, log(JSON.stringify({ ...jobStart, Properties: stored }).replace('"Stage IDs":[5]', '"Stage IDs":[5')));
    const outcome = async (path: string): Promise<unknown> => {
      const report = await ingestPaths(db.database, [path]);
      return { failures: report.failures.map((failure) => failure.error.message), warnings: report.applications.flatMap((app) => app.warnings) };
    };
    const slimmed = await outcome(slimmedPath);
    expect(JSON.stringify(slimmed)).toContain('line 2');
    expect(JSON.stringify(slimmed).replaceAll('broken-slimmed', 'x')).toBe(JSON.stringify(await outcome(unslimmedPath)).replaceAll('broken-unslimmed', 'x'));
  });

  it('slims lines holding text beyond ASCII, before and inside the properties', async () => {
    const named = {
      ...jobStart,
      'Stage Infos': [{ ...jobStart['Stage Infos'][0]!, 'Stage Name': 'écrire les données — 東京' }],
      Properties: { ...sessionSettings(200), ...stored, 'spark.job.description': 'Requête « ventes » 📈' },
    };
    expect(JSON.parse(await slim(JSON.stringify(named)))).toEqual({ ...named, Properties: { ...stored, 'spark.job.description': 'Requête « ventes » 📈' } });
  });

  it('slims a stage submission the same way', async () => {
    const submitted = { Event: 'SparkListenerStageSubmitted', 'Stage Info': { 'Stage ID': 5, 'Stage Attempt ID': 0 }, Properties: { ...sessionSettings(200), ...stored } };
    expect(JSON.parse(await slim(JSON.stringify(submitted)))).toEqual({ ...submitted, Properties: stored });
  });
});

describe('an application whose jobs carry their session settings', () => {
  it('stores the same jobs and stages as without them', async () => {
    const app = (appId: string) => buildEventLog({
      appId,
      jobs: [0, 1].map((jobId) => ({ jobId, stages: [{ stageId: jobId, tasks: [{ durationMs: 10 }] }] })),
    });
    const withProperties = (log: string, settings: Record<string, string>): string => log.split('\n').map((line) => {
      if (!/^\{"Event":"SparkListener(JobStart|StageSubmitted)"/.test(line)) return line;
      const event = JSON.parse(line) as { Properties?: Record<string, string> };
      return JSON.stringify({ ...event, Properties: { ...settings, ...(event.Properties ?? {}), ...stored } });
    }).join('\n');
    const plainPath = join(dir, 'plain.json');
    const heavyPath = join(dir, 'heavy.json');
    writeFileSync(plainPath, withProperties(app('app-plain'), {}));
    writeFileSync(heavyPath, withProperties(app('app-heavy'), sessionSettings(300)));
    const report = await ingestPaths(db.database, [plainPath, heavyPath]);
    expect(report.failures).toEqual([]);
    const rows = async (appKey: string): Promise<unknown> => plain(await db.database.query(
      `SELECT j.jobId, j.description, j.jobGroup, j.sqlExecutionId, s.stageId, s.schedulingPool, s.description AS stageDescription
       FROM jobs j JOIN job_stages js USING (appKey, jobId) JOIN stages s ON s.appKey = js.appKey AND s.stageId = js.stageId
       WHERE j.appKey = $appKey ORDER BY j.jobId`, { appKey }));
    const heavy = await rows('app-heavy');
    expect(heavy).toEqual(await rows('app-plain'));
    expect(heavy).toEqual([0, 1].map((jobId) => ({ jobId, description: stored['spark.job.description'], jobGroup: 'group-7', sqlExecutionId: 12,
      stageId: jobId, schedulingPool: 'etl', stageDescription: stored['spark.job.description'] })));
  });
});
