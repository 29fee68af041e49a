import { describe, expect, it } from 'vitest';
import { detectOnSharedLogs, useDetectorOnSyntheticLogs } from '../helpers/detector-harness.js';
import { scanLocation, smallFilesDetector, writeTarget } from '../../src/analysis/detectors/small-files.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { type SyntheticApp, type SyntheticMetric, type SyntheticTask } from '../helpers/synthetic-log.js';

const KB = 1024;
const MB = 1024 * KB;
const tasks = (n: number, task: Omit<SyntheticTask, 'durationMs'> = {}): SyntheticTask[] => Array.from({ length: n }, () => ({ durationMs: 3_000, ...task }));

/** A query scanning `files` files of `bytes` in all (driver metrics, as Spark reports them) in stage 0, then a 2-task stage 1. */
const scanApp = (appId: string, files: number, bytes: number | null, options: { properties?: Record<string, string>; filesMetric?: string } = {}): SyntheticApp => {
  const metrics: SyntheticMetric[] = [
    { name: options.filesMetric ?? 'number of files read', value: files },
    ...(bytes === null ? [] : [{ name: 'size of files read', type: 'size', value: bytes }]),
    { name: 'number of output rows', value: 1_000_000, stageId: 0 },
  ];
  return {
    appId,
    sparkVersion: '3.5.1',
    sparkProperties: options.properties ?? {},
    jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(40, { inputBytes: (bytes ?? 40 * 64 * KB) / 40 }) }, { stageId: 1, tasks: tasks(2) }] }],
    sqlExecutions: [{
      executionId: 0,
      description: 'count events',
      jobIds: [0],
      plan: {
        name: 'HashAggregate',
        children: [{
          name: 'Scan parquet ',
          simpleString: 'FileScan parquet [id#1,ts#2] Batched: true, Format: Parquet, Location: InMemoryFileIndex(1 paths)[s3://bucket/events], ReadSchema: struct<id:bigint>',
          metrics,
        }],
      },
    }],
  };
};

/** A query writing `files` files of `bytes` in all from a 50-task stage 0. */
const writeApp = (appId: string, files: number, bytes: number): SyntheticApp => ({
  appId,
  sparkVersion: '3.5.1',
  jobs: [{ jobId: 0, stages: [{ stageId: 0, tasks: tasks(50) }] }],
  sqlExecutions: [{
    executionId: 1,
    description: 'save daily aggregates',
    jobIds: [0],
    plan: {
      name: 'Execute InsertIntoHadoopFsRelationCommand',
      simpleString: 'Execute InsertIntoHadoopFsRelationCommand s3://bucket/daily, false, [day#3], Parquet, Append',
      metrics: [
        { name: 'number of written files', value: files },
        { name: 'written output', type: 'size', value: bytes },
        { name: 'number of dynamic part', value: 40 },
        { name: 'task commit time', type: 'timing', value: 900, stageId: 0 },
      ],
      children: [{ name: 'WriteFiles' }],
    },
  }],
});

describe('small-files detector', () => {
  const { detect } = useDetectorOnSyntheticLogs(smallFilesDetector);

  it('flags a scan of 5,000 files averaging 512 KB, citing openCostInBytes and maxPartitionBytes', async () => {
    const [insight, ...rest] = await detect(scanApp('app-small-scan', 5_000, 5_000 * 512 * KB));
    expect(rest).toEqual([]);
    expect(insight).toMatchObject({
      type: 'small-files',
      sqlExecutionId: 0,
      stageId: 0,
      stageAttemptId: 0,
      confidence: 'MEDIUM',
      evidence: {
        location: 's3://bucket/events',
        filesRead: 5_000,
        bytesRead: 5_000 * 512 * KB,
        bytesSource: 'size of files read',
        averageFileBytes: 512 * KB,
        openCostShare: 0.889, // 5,000 × 4 MB of open cost against 2.5 GB of data
        tasks: 40,
        stageTaskTimeMs: 120_000,
        properties: { 'spark.sql.files.openCostInBytes': '4194304 (default)' },
        thresholds: { averageFileBytesBelow: 4 * MB, minFilesRead: 1_000, maxPartitionBytes: 128 * MB },
      },
    });
    // As wall-clock: the scan stage's 3 s window (its 40 tasks ran at once) at Spark's open-cost share of the scan.
    const openShare = (5_000 * 4 * MB) / (5_000 * 512 * KB + 5_000 * 4 * MB);
    expect(insight!.claims).toEqual([expect.objectContaining({ share: openShare })]);
    expect(insight!.claims![0]!.to - insight!.claims![0]!.from).toBe(3_000);
    expect(insight!.impactMs).toBe(Math.round(3_000 * openShare));
    expect(insight!.suggestion).toMatch(/Compact/);
    const [many] = await detect(scanApp('app-tiny-scan', 20_000, 20_000 * 256 * KB));
    expect(many!.confidence).toBe('HIGH');
  });

  it('flags a write that created 800 files of 1 MB across 40 partition directories', async () => {
    const [insight] = await detect(writeApp('app-small-write', 800, 800 * MB));
    expect(insight).toMatchObject({
      sqlExecutionId: 1,
      stageId: 0,
      confidence: 'MEDIUM',
      evidence: {
        target: 's3://bucket/daily',
        filesWritten: 800,
        averageFileBytes: MB,
        dynamicPartitions: 40,
        tasks: 50,
        filesPerTask: 16,
        thresholds: { minFilesWritten: 200 },
        taskCommitTimeMs: 900,
        jobCommitTimeMs: 0,
        taskCommitShareOfTaskTime: 0.006, // 900 ms of the write stage's 150 s of task time
      },
    });
    // Its claim is the write stage's 3 s window at that share; later reads of the output pay the rest.
    expect(insight!.impactMs).toBe(18);
    expect(insight!.suggestion).toMatch(/repartition/);
  });

  it('claims the driver\'s job commit as the stretch right after the write\'s last task', async () => {
    const app = writeApp('app-small-write-commit', 800, 800 * MB);
    app.sqlExecutions![0]!.plan.metrics!.push({ name: 'job commit time', type: 'timing', value: 4_000 });
    const [insight] = await detect(app);
    expect(insight!.evidence).toMatchObject({ jobCommitTimeMs: 4_000 });
    const [stageClaim, commitClaim] = insight!.claims!;
    expect(commitClaim).toEqual({ from: stageClaim!.to, to: stageClaim!.to + 4_000, share: 1 });
    expect(insight!.impactMs).toBe(18 + 4_000);
  });

  it('stays quiet for large files and for too few files', async () => {
    expect(await detect(scanApp('app-big-files', 5_000, 5_000 * 64 * MB))).toEqual([]);
    expect(await detect(scanApp('app-few-files', 999, 999 * 100 * KB))).toEqual([]);
    expect(await detect(writeApp('app-few-written', 199, 199 * 100 * KB))).toEqual([]);
    expect(await detect(writeApp('app-big-written', 800, 800 * 256 * MB))).toEqual([]);
  });

  it('fires just under 4 MB per file and at exactly 1,000 files; stays quiet at exactly 4 MB and with a lower open cost', async () => {
    expect(await detect(scanApp('app-at-open-cost', 1_000, 1_000 * 4 * MB))).toEqual([]);
    expect(await detect(scanApp('app-under-open-cost', 1_000, 1_000 * 4 * MB - 1_000))).toHaveLength(1);
    expect(await detect(scanApp('app-low-open-cost', 5_000, 5_000 * 2 * MB, { properties: { 'spark.sql.files.openCostInBytes': '1m' } }))).toEqual([]);
  });

  it('falls back to the stage input bytes when the log has no file sizes (Spark 2), with low confidence', async () => {
    const [insight] = await detect(scanApp('app-spark2-scan', 4_000, null, { filesMetric: 'number of files' }));
    expect(insight).toMatchObject({ confidence: 'LOW', evidence: { filesRead: 4_000, bytesRead: 40 * 64 * KB } });
  });

  it('reads locations and write targets from the plan text', () => {
    expect(scanLocation('FileScan parquet [a#1] Location: InMemoryFileIndex(2 paths)[gs://b/x, gs://b/y], PartitionFilters: []')).toBe('gs://b/x, gs://b/y');
    expect(scanLocation('FileScan csv [a#1] Location: InMemoryFileIndex[file:/tmp/in.csv]')).toBe('file:/tmp/in.csv');
    expect(writeTarget('Execute InsertIntoHadoopFsRelationCommand file:/tmp/out, false, Parquet, [path=file:/tmp/out]')).toBe('file:/tmp/out');
  });

  describe('on the shared real logs', () => {
    const found = detectOnSharedLogs(smallFilesDetector, [
      eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd'),
      eventLogPath('formats', 'eventlog_v2_spark-cc4d115f011443d787f03a71a476a745'),
    ]);

    it('stays quiet on scans of large files', () => {
      // q72 reads 2,104 files of ~15 MB and 366 of ~163 MB; the Kubernetes job 101 files of ~36 MB and writes 2.
      expect(found.get('application_1751493828576_0001')).toEqual([]);
      expect(found.get('spark-cc4d115f011443d787f03a71a476a745')).toEqual([]);
    });
  });
});
