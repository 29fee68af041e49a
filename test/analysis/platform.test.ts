import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetectorContext, adaptiveExecutionEnabled, type ApplicationFacts } from '../../src/analysis/detector.js';
import { detectPlatform, sparkVersionOfDatabricksRuntime } from '../../src/analysis/platform.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog, type SyntheticApp } from '../helpers/synthetic-log.js';

describe('platform and version', () => {
  it('maps a Databricks Runtime tag to its Spark version', () => {
    expect(sparkVersionOfDatabricksRuntime('11.3.x-photon-scala2.12')).toBe('3.3');
    expect(sparkVersionOfDatabricksRuntime('10.4.x-cpu-ml-scala2.12')).toBe('3.2');
    expect(sparkVersionOfDatabricksRuntime('7.3.x-scala2.12')).toBe('3.0');
    expect(sparkVersionOfDatabricksRuntime('custom')).toBeNull();
    expect(sparkVersionOfDatabricksRuntime(undefined)).toBeNull();
  });

  it('recognises Photon and RAPIDS from their properties', () => {
    expect(detectPlatform(new Map([['spark.databricks.clusterUsageTags.sparkVersion', '12.2.x-photon-scala2.12']]))).toMatchObject({
      vendor: 'databricks', photon: true, rapids: false, databricksRuntime: '12.2.x-photon-scala2.12',
    });
    expect(detectPlatform(new Map([['spark.plugins', 'com.nvidia.spark.SQLPlugin'], ['spark.master', 'yarn']]))).toMatchObject({
      vendor: 'yarn', rapids: true, photon: false,
    });
  });

  describe('on synthetic Databricks logs', () => {
    let db: TempDatabase;
    let dir: string;
    beforeAll(async () => {
      db = await openTempDatabase();
      dir = mkdtempSync(join(tmpdir(), 'spark-sword-platform-'));
    });
    afterAll(() => {
      db.dispose();
      rmSync(dir, { recursive: true, force: true });
    });
    const factsOf = async (spec: SyntheticApp): Promise<ApplicationFacts> => {
      await ingestPaths(db.database, [writeEventLog(dir, spec)]);
      return db.database.withConnection(async (connection) => (await createDetectorContext(connection, spec.appId)).app);
    };
    const photon = { 'spark.databricks.clusterUsageTags.sparkVersion': '12.2.x-photon-scala2.12' };
    const jobs = [{ jobId: 0, stages: [{ stageId: 0, tasks: [{ durationMs: 100 }] }] }];

    it('reads a Photon log\'s Spark version from Databricks\' metadata event', async () => {
      const app = await factsOf({ appId: 'app-photon', versionEvent: 'DBCEventLoggingListenerMetadata', sparkVersion: '3.3.2', sparkProperties: photon, jobs });
      expect(app).toMatchObject({ sparkVersion: '3.3.2', sparkVersionSource: 'log', platform: { vendor: 'databricks', photon: true } });
      expect(adaptiveExecutionEnabled(app)).toBe(true);
    });

    it('falls back to the Databricks Runtime tag when no event states the version', async () => {
      const app = await factsOf({ appId: 'app-photon-no-version', versionEvent: 'none', sparkProperties: photon, jobs });
      expect(app).toMatchObject({ sparkVersion: '3.3', sparkVersionSource: 'databricks-runtime' });
    });
  });

  describe('on the shared vendor logs', () => {
    let db: TempDatabase;
    const facts = new Map<string, ApplicationFacts>();
    beforeAll(async () => {
      db = await openTempDatabase();
      for (const [name, path] of [
        ['databricks-aws', eventLogPath('vendors-and-workloads', 'platforms', 'databricks-aws')],
        ['emr', eventLogPath('vendors-and-workloads', 'platforms', 'emr')],
        ['dataproc', eventLogPath('vendors-and-workloads', 'platforms', 'dataproc')],
        ['onprem', eventLogPath('vendors-and-workloads', 'platforms', 'onprem')],
        ['db-sub-execution', eventLogPath('vendors-and-workloads', 'workloads', 'db_subExecution_id.zstd')],
        ['gpu', eventLogPath('vendors-and-workloads', 'workloads', 'eventlog-gpu-dsv1.zstd')],
        ['bench', eventLogPath('bench')],
      ] as const) {
        // Several platform logs are one application with edited properties: ingest and read each on its own.
        const report = await ingestPaths(db.database, [path]);
        const appKey = report.applications[0]!.appKey;
        facts.set(name, await db.database.withConnection(async (connection) => (await createDetectorContext(connection, appKey)).app));
      }
    }, 120_000);
    afterAll(() => db.dispose());

    it('tells Databricks, EMR, Dataproc and on-premises apart', () => {
      expect(facts.get('databricks-aws')!.platform.vendor).toBe('databricks');
      expect(facts.get('emr')!.platform.vendor).toBe('emr');
      expect(facts.get('dataproc')!.platform.vendor).toBe('dataproc');
      expect(facts.get('bench')!.platform.vendor).toBe('dataproc');
      expect(['local', 'standalone', 'yarn', 'unknown']).toContain(facts.get('onprem')!.platform.vendor);
      expect(facts.get('gpu')!.platform.rapids).toBe(true);
      expect(facts.get('onprem')!.platform.rapids).toBe(false);
    });

    it('reads the Spark version from Databricks\' metadata event, and turns AQE on by default there', () => {
      const app = facts.get('db-sub-execution')!;
      expect(app).toMatchObject({ sparkVersion: '3.3.0', sparkVersionSource: 'log', platform: { vendor: 'databricks', databricksRuntime: '11.3.x-scala2.12' } });
      expect(adaptiveExecutionEnabled(app)).toBe(app.sparkProperties.get('spark.sql.adaptive.enabled') !== 'false');
    });
  });
});
