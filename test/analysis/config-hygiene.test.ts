import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectOnSharedLogs, useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import { type InsightDraft } from '../../src/analysis/detector.js';
import { configHygieneDetector } from '../../src/analysis/detectors/config-hygiene.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { parseByteSize } from '../../src/analysis/properties.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { type SyntheticApp, type SyntheticJob, type SyntheticTask } from '../helpers/synthetic-log.js';

const MB = 1024 * 1024;
const tasks = (n: number, task: Omit<SyntheticTask, 'durationMs'> = {}): SyntheticTask[] =>
  Array.from({ length: n }, () => ({ durationMs: 2_000, ...task }));
/** A map stage writing `bytes` of shuffle data and a reduce stage reading it, in one job. */
const shuffleJob = (jobId: number, bytes: number): SyntheticJob => ({
  jobId,
  stages: [
    { stageId: jobId * 2, tasks: tasks(4, { shuffleWriteBytes: bytes / 4 }) },
    { stageId: jobId * 2 + 1, parentIds: [jobId * 2], tasks: tasks(4, { shuffleReadBytes: bytes / 4 }) },
  ],
});
const sqlOver = (jobIds: number[]): SyntheticApp['sqlExecutions'] => [
  { executionId: 0, jobIds, plan: { name: 'HashAggregate', children: [{ name: 'Exchange' }] } },
];
const ids = (insights: InsightDraft[]): string[] => insights.map((insight) => insight.id).sort();

describe('config-hygiene detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(configHygieneDetector);

  describe('adaptive execution off', () => {
    it('flags Spark 3.1 (off by default) when SQL queries shuffled, citing the property as unset', async () => {
      const [insight, ...rest] = await detect({ appId: 'app-aqe-default-off', sparkVersion: '3.1.2', jobs: [shuffleJob(0, 400 * MB)], sqlExecutions: sqlOver([0]) });
      expect(rest).toEqual([]);
      expect(insight).toMatchObject({
        id: 'config-hygiene:adaptive-execution-off',
        confidence: 'LOW', // under 1 GB of SQL shuffle
        evidence: {
          sparkVersion: '3.1.2',
          properties: { 'spark.sql.adaptive.enabled': 'unset (default false before Spark 3.2)', 'spark.sql.shuffle.partitions': '200 (default)' },
          sqlShuffleStages: [1],
          sqlShuffleReadBytes: 400 * MB,
          sqlShuffleStageTaskTimeMs: 8_000,
          floor: { minSqlShuffleReadBytes: 64 * MB },
        },
      });
      // A setting, not a stretch of time this run measured: no wall-clock claimed, ranked as context after problems.
      expect(insight).toMatchObject({ impact: 0, impactMs: 0, role: 'explanation', evidence: { impactBasis: expect.stringMatching(/^none: a setting/) } });
      expect(insight!.claims).toBeUndefined();
      expect(insight!.suggestion).toMatch(/spark\.sql\.adaptive\.enabled=true/);
    });

    it('flags AQE turned off explicitly on Spark 3.5', async () => {
      const [insight] = await detect({
        appId: 'app-aqe-explicit-off',
        sparkVersion: '3.5.1',
        sparkProperties: { 'spark.sql.adaptive.enabled': 'false', 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' },
        jobs: [shuffleJob(0, 2048 * MB)],
        sqlExecutions: sqlOver([0]),
      });
      expect(insight).toMatchObject({ confidence: 'MEDIUM', evidence: { properties: { 'spark.sql.adaptive.enabled': 'false' } } });
      expect(insight!.description).toMatch(/turned off/);
    });

    it('stays quiet with AQE on by default (3.2+), before Spark 3, and for shuffles outside SQL', async () => {
      const kryo = { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' };
      expect(await detect({ appId: 'app-aqe-on', sparkVersion: '3.2.0', jobs: [shuffleJob(0, 400 * MB)], sqlExecutions: sqlOver([0]) })).toEqual([]);
      expect(await detect({ appId: 'app-spark2', sparkVersion: '2.4.8', sparkProperties: kryo, jobs: [shuffleJob(0, 400 * MB)], sqlExecutions: sqlOver([0]) })).toEqual([]);
      expect(await detect({ appId: 'app-rdd-only', sparkVersion: '3.1.2', sparkProperties: kryo, jobs: [shuffleJob(0, 400 * MB)] })).toEqual([]);
    });

    it('fires at exactly 64 MB of SQL shuffle and not below', async () => {
      expect(ids(await detect({ appId: 'app-aqe-64', sparkVersion: '3.0.3', jobs: [shuffleJob(0, 64 * MB)], sqlExecutions: sqlOver([0]) })))
        .toEqual(['config-hygiene:adaptive-execution-off']);
      expect(await detect({ appId: 'app-aqe-63', sparkVersion: '3.0.3', jobs: [shuffleJob(0, 64 * MB - 4)], sqlExecutions: sqlOver([0]) })).toEqual([]);
    });
  });

  describe('Java serializer', () => {
    it('flags RDD shuffles through the default serializer', async () => {
      const insights = await detect({ appId: 'app-java-serializer', sparkVersion: '3.5.1', jobs: [shuffleJob(0, 200 * MB)] });
      expect(ids(insights)).toEqual(['config-hygiene:java-serializer']);
      expect(insights[0]).toMatchObject({
        confidence: 'MEDIUM',
        evidence: {
          properties: { 'spark.serializer': 'unset (default org.apache.spark.serializer.JavaSerializer)' },
          rddShuffleStages: [0, 1],
          rddShuffleWriteBytes: 200 * MB,
          pythonStages: false,
        },
      });
      expect(insights[0]!.suggestion).toMatch(/KryoSerializer/);
    });

    it('stays quiet with Kryo, for SQL-only shuffles, and below 64 MB', async () => {
      const kryo = { 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' };
      expect(await detect({ appId: 'app-kryo', sparkVersion: '3.5.1', sparkProperties: kryo, jobs: [shuffleJob(0, 200 * MB)] })).toEqual([]);
      expect(await detect({ appId: 'app-sql-shuffle', sparkVersion: '3.5.1', jobs: [shuffleJob(0, 200 * MB)], sqlExecutions: sqlOver([0]) })).toEqual([]);
      expect(await detect({ appId: 'app-small-rdd-shuffle', sparkVersion: '3.5.1', jobs: [shuffleJob(0, 32 * MB)] })).toEqual([]);
    });
  });

  describe('dynamic allocation without shuffle service or tracking', () => {
    const yarn = { 'spark.master': 'yarn', 'spark.dynamicAllocation.enabled': 'true', 'spark.serializer': 'org.apache.spark.serializer.KryoSerializer' };
    const withFetchFailure = (): SyntheticJob => {
      const job = shuffleJob(0, 400 * MB);
      job.stages[1]!.tasks.push({ durationMs: 1_500, failure: 'FetchFailed', index: 0, attempt: 1 });
      return job;
    };
    const executors = [{ id: '1' }, { id: '2', removedAfterMs: 3_000 }];

    it('flags executors removed while nothing kept their shuffle files', async () => {
      const insights = await detect({ appId: 'app-da-unprotected', sparkVersion: '3.3.2', sparkProperties: yarn, executors, jobs: [withFetchFailure()] });
      expect(ids(insights)).toEqual(['config-hygiene:dynamic-allocation-without-shuffle-service']);
      expect(insights[0]).toMatchObject({
        confidence: 'HIGH',
        // The stage's 2 s window at the 1,500 ms the fetch-failed attempt took of its 9,500 ms of task time.
        impactMs: Math.round((2_000 * 1_500) / 9_500),
        claims: [{ share: 1_500 / 9_500 }],
        evidence: {
          lostTaskTimeMs: 1_500,
          lostTaskTimeStages: [{ stageId: 1, stageAttemptId: 0 }],
          properties: {
            'spark.dynamicAllocation.enabled': 'true',
            'spark.shuffle.service.enabled': 'false (default)',
            'spark.dynamicAllocation.shuffleTracking.enabled': 'false (default)',
          },
          executorsRemovedDuringRun: 1,
          fetchFailedAttempts: 1,
        },
      });
    });

    it('stays quiet with the shuffle service, with shuffle tracking (default from 3.4), in local mode, or when no executor left', async () => {
      const service = { ...yarn, 'spark.shuffle.service.enabled': 'true' };
      expect(await detect({ appId: 'app-da-service', sparkVersion: '3.3.2', sparkProperties: service, executors, jobs: [withFetchFailure()] })).toEqual([]);
      expect(await detect({ appId: 'app-da-tracking', sparkVersion: '3.4.1', sparkProperties: yarn, executors, jobs: [withFetchFailure()] })).toEqual([]);
      expect(await detect({ appId: 'app-da-local', sparkVersion: '3.3.2', sparkProperties: { ...yarn, 'spark.master': 'local[4]' }, executors, jobs: [withFetchFailure()] })).toEqual([]);
      expect(await detect({ appId: 'app-da-kept', sparkVersion: '3.3.2', sparkProperties: yarn, executors: [{ id: '1' }, { id: '2' }], jobs: [withFetchFailure()] })).toEqual([]);
    });
  });

  describe('large results collected to the driver', () => {
    const collect = (appId: string, resultBytes: number, properties: Record<string, string> = {}): SyntheticApp => ({
      appId,
      sparkVersion: '3.5.1',
      sparkProperties: properties,
      jobs: [{ jobId: 0, stages: [{ stageId: 0, name: 'collect at Job.scala:12', tasks: tasks(8, { resultSize: resultBytes / 8 }) }] }],
    });

    it('flags a stage whose results reach half of spark.driver.maxResultSize (1g by default)', async () => {
      const [insight, ...rest] = await detect(collect('app-collect', 600 * MB));
      expect(rest).toEqual([]);
      expect(insight).toMatchObject({
        id: 'config-hygiene:large-results-stage-0.0',
        stageId: 0,
        jobId: 0,
        confidence: 'MEDIUM',
        evidence: {
          resultBytes: 600 * MB,
          maxTaskResultBytes: 75 * MB,
          shareOfMaxResultSize: 0.5859,
          properties: { 'spark.driver.maxResultSize': '1g (default)', 'spark.driver.memory': '1g (default)' },
          threshold: { shareOfMaxResultSize: 0.5, maxResultSizeBytes: 1024 * MB },
        },
      });
      expect(insight!.suggestion).toMatch(/toLocalIterator/);
      // No result was fetched from the block manager: the stage's window is claimed at share 0, no floor under 80%.
      expect(insight).toMatchObject({ impactMs: 0, claims: [{ share: 0 }] });
      expect(insight!.severityFloor).toBeUndefined();
    });

    it('compares against the default limit when the limit is off (0), and against a raised limit', async () => {
      expect(await detect(collect('app-collect-unlimited', 900 * MB, { 'spark.driver.maxResultSize': '0' }))).toMatchObject([
        { confidence: 'HIGH', severityFloor: 'LOW', evidence: { shareOfMaxResultSize: 0.8789, properties: { 'spark.driver.maxResultSize': '0' } } },
      ]);
      expect(await detect(collect('app-collect-raised', 600 * MB, { 'spark.driver.maxResultSize': '4g' }))).toEqual([]);
    });

    it('fires at exactly half of the limit and not below', async () => {
      expect(await detect(collect('app-collect-half', 512 * MB))).toHaveLength(1);
      expect(await detect(collect('app-collect-under-half', 512 * MB - 8))).toEqual([]);
    });
  });

  it('reads Spark size settings as Spark does', () => {
    expect(parseByteSize('10485760')).toBe(10 * MB);
    expect(parseByteSize('200m')).toBe(200 * MB);
    expect(parseByteSize('7680m')).toBe(7680 * MB);
    expect(parseByteSize('1g')).toBe(1024 * MB);
    expect(parseByteSize('10MB')).toBe(10 * MB);
    expect(parseByteSize('-1')).toBe(-1);
    expect(parseByteSize('lots')).toBeNull();
  });

  describe('on the shared real logs', () => {
    const found = detectOnSharedLogs(configHygieneDetector, [
      eventLogPath('formats', 'eventlog_v2_local-1623876083964'),
      eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd'),
      eventLogPath('apache-spark', 'app-20200706201101-0003'),
    ]);

    it('flags AQE off on the Spark 3.1 join that shuffled gigabytes, and nothing on the AQE-on TPC-DS run', () => {
      const [aqe] = found.get('local-1623876083964')!;
      expect(aqe).toMatchObject({ id: 'config-hygiene:adaptive-execution-off', evidence: { sparkVersion: '3.1.1' } });
      expect(aqe!.evidence.sqlShuffleReadBytes).toBeGreaterThan(1024 * MB);
      expect(found.get('application_1751493828576_0001')).toEqual([]);
      // Spark 3.1 with AQE off, but its SQL query broadcast instead of shuffling: below the floor.
      expect(found.get('app-20200706201101-0003')).toEqual([]);
      for (const insights of found.values()) for (const insight of insights) expect(promisesIn(insight)).toEqual([]);
    });
  });
});
