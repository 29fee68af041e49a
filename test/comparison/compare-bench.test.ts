import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decompress } from 'fzstd';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareApplications } from '../../src/comparison/comparison-service.js';
import type { RunComparison } from '../../src/comparison/compare-runs.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';

/** The stage whose copy is changed: the bench log's largest shuffle read (128 tasks, 11.6 GB; it runs alone at its end). */
const STAGE = 50;
const DELAY_MS = 10 * 60_000;
const TIME_FIELDS = new Set(['Timestamp', 'Submission Time', 'Completion Time', 'Launch Time', 'Finish Time', 'time']);

/**
 * A modified copy of the bench log whose changes are known: another app id, spark.sql.shuffle.partitions 256,
 * stage 50's tasks read 3x the shuffle bytes, and every time after stage 50's last task launch (and the end of every stage that ran beside it) is
 * 10 minutes later (so stage 50 ends 10 minutes later and everything after it moves with it).
 */
function modifiedBenchCopy(dir: string): { original: string; copy: string } {
  const original = join(dir, 'bench-original');
  const text = new TextDecoder().decode(decompress(new Uint8Array(readFileSync(eventLogPath('bench', 'nds_q72_dataproc_2_2.zstd')))));
  writeFileSync(original, text);
  const events = text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, any>);
  const lastLaunch = Math.max(...events
    .filter((e) => e.Event === 'SparkListenerTaskStart' && e['Stage ID'] === STAGE)
    .map((e) => e['Task Info']['Launch Time'] as number));
  // Every other stage has completed by then: only stage 50 is stretched.
  const completion = (e: Record<string, any>): number => e['Stage Info']['Completion Time'] as number;
  const stageEnd = completion(events.find((e) => e.Event === 'SparkListenerStageCompleted' && e['Stage Info']['Stage ID'] === STAGE)!);
  const threshold = Math.max(lastLaunch, ...events
    .filter((e) => e.Event === 'SparkListenerStageCompleted' && e['Stage Info']['Stage ID'] !== STAGE && completion(e) <= stageEnd)
    .map(completion));
  const shift = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(shift);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([key, v]) =>
      [key, TIME_FIELDS.has(key) && typeof v === 'number' && v > threshold ? v + DELAY_MS : shift(v)]));
  };
  const changed = events.map((event) => {
    const e = shift(event) as Record<string, any>;
    if (e.Event === 'SparkListenerApplicationStart') e['App ID'] = 'application_bench_modified';
    if (e.Event === 'SparkListenerEnvironmentUpdate') {
      e['Spark Properties']['spark.app.id'] = 'application_bench_modified';
      e['Spark Properties']['spark.sql.shuffle.partitions'] = '256';
    }
    if (e.Event === 'SparkListenerTaskEnd' && e['Stage ID'] === STAGE && e['Task Metrics']) {
      const read = e['Task Metrics']['Shuffle Read Metrics'];
      read['Remote Bytes Read'] *= 3;
      read['Local Bytes Read'] *= 3;
    }
    return JSON.stringify(e);
  });
  const copy = join(dir, 'bench-modified');
  writeFileSync(copy, `${changed.join('\n')}\n`);
  return { original, copy };
}

describe('compare the bench log with a modified copy', () => {
  let db: TempDatabase;
  let dir: string;
  let comparison: RunComparison;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-compare-bench-'));
    const { original, copy } = modifiedBenchCopy(dir);
    const report = await ingestPaths(db.database, [original, copy]);
    expect(report.failures).toEqual([]);
    comparison = await compareApplications(db.database, 'application_1751493828576_0001', 'application_bench_modified');
  }, 180_000);
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pairs every stage with itself by signature and finds the changed property', () => {
    expect(comparison.stagesOnlyInBase).toEqual([]);
    expect(comparison.stagesOnlyInCandidate).toEqual([]);
    expect(comparison.stages.every((pair) => pair.baseStageId === pair.candidateStageId && pair.matchedBy === 'signature')).toBe(true);
    expect(comparison.jobsOnlyInBase).toEqual([]);
    expect(comparison.sqlOnlyInBase).toEqual([]);
    expect(comparison.propertyChanges).toEqual([{ key: 'spark.sql.shuffle.partitions', base: '128', candidate: '256' }]);
    expect(comparison.durationDeltaMs).toBe(DELAY_MS);
  });

  it('sees the tripled shuffle read only where it was planted', () => {
    for (const pair of comparison.stages) {
      const read = pair.metrics.find((m) => m.metric === 'shuffleReadBytes')!;
      if (pair.baseStageId === STAGE) expect(read.ratio).toBeCloseTo(3, 6);
      else expect(read.delta).toBe(0);
    }
  });

  it('explains the 10 minutes by stage 50 first, with the shuffle read as evidence', () => {
    const [first] = comparison.explanations;
    expect(first).toMatchObject({ kind: 'stage', baseStageId: STAGE, candidateStageId: STAGE });
    expect(first!.deltaMs).toBeGreaterThan(DELAY_MS / 2);
    expect(first!.evidence.join('\n')).toMatch(/^shuffle read: 3x/m);
    const shares = comparison.explanations.map((e) => e.shareOfChange);
    expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  });
});
