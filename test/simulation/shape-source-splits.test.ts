import { describe, expect, it } from 'vitest';
import { GiB, MiB, plan } from '../helpers/shape-playground.js';

describe('shape playground: file scans follow Spark FilePartition packing', () => {
  it('reads 10 GiB of parquet in 80 files as 80 tasks of 128 MiB', () => {
    const scan = plan({ source: { kind: 'files', totalBytes: 10 * GiB, fileCount: 80, format: 'parquet' }, operations: [] }).stages[0]!;
    expect(scan.tasks.value).toBe(80);
    expect(scan.bytesPerTask.value).toBe(128 * MiB);
    expect(scan.tasks.derivation).toContain('maxSplitBytes = min(maxPartitionBytes 128 MB');
  });

  it('cuts large splittable files into maxPartitionBytes splits', () => {
    const scan = plan({ source: { kind: 'files', totalBytes: 10 * GiB, fileCount: 10 }, operations: [] }).stages[0]!;
    expect(scan.tasks.value).toBe(80);
    expect(scan.tasks.derivation).toContain('cut into 8 splits of 128 MB');
  });

  it('packs 1,000 small files into few partitions, charging each its open cost', () => {
    // 1 MiB files, maxSplitBytes 128 MiB: a partition takes n files while (n−1) × (1 + 4) MiB + 1 MiB ≤ 128 MiB → 26 files.
    const result = plan({ source: { kind: 'files', totalBytes: 1000 * MiB, fileCount: 1000 }, operations: [] });
    expect(result.stages[0]!.tasks.value).toBe(Math.ceil(1000 / 26));
    expect(result.stages[0]!.tasks.derivation).toContain('packed 26 per partition');
    expect(result.insights.map((insight) => insight.id)).toContain('small-files:read-main');
  });

  it('splits small data finer when there are many cores (bytesPerCore under maxPartitionBytes)', () => {
    // maxSplitBytes = (1 GiB + 4 MiB) / 64 cores = 16.0625 MiB: 63 full splits + one of the rest.
    const scan = plan({ source: { kind: 'files', totalBytes: GiB, fileCount: 1 }, operations: [], config: { executors: 16, coresPerExecutor: 4 } }).stages[0]!;
    expect(scan.tasks.value).toBe(64);
  });

  it('reads each gzip file with one task: it cannot be split', () => {
    const gzip = plan({ source: { kind: 'files', totalBytes: 10 * GiB, fileCount: 10, format: 'gzip-csv' }, operations: [] }).stages[0]!;
    expect(gzip.tasks.value).toBe(10);
    expect(gzip.maxPartitionBytes.value).toBe(GiB);
    expect(gzip.tasks.derivation).toContain('cannot be split');
  });

  it('keeps a table source partitions', () => {
    const scan = plan({ source: { kind: 'table', totalBytes: 3 * GiB, partitions: 12 }, operations: [] }).stages[0]!;
    expect(scan.tasks.value).toBe(12);
    expect(scan.bytesPerTask.value).toBe(256 * MiB);
  });
});
