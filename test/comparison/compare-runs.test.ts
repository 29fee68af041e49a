import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareApplications } from '../../src/comparison/comparison-service.js';
import type { RunComparison } from '../../src/comparison/compare-runs.js';
import { NotFoundError } from '../../src/errors.js';
import { ingestPaths } from '../../src/ingest/ingest-service.js';
import { promisesIn } from '../../src/analysis/insight.js';
import { plantedRegressionPair } from '../helpers/comparison-pair.js';
import { openTempDatabase, type TempDatabase } from '../helpers/database.js';
import { eventLogPath } from '../helpers/spark-events.js';
import { writeEventLog } from '../helpers/synthetic-log.js';

/** An application that ran no job. */
const buildEmpty = () => ({ appId: 'app-empty', name: 'nightly-etl', jobs: [] });

const metric = (pair: { metrics: RunComparison['stages'][number]['metrics'] }, name: string) =>
  pair.metrics.find((m) => m.metric === name)!;

/** Numbers every comparison must keep possible, whatever the logs. */
function expectPossible(comparison: RunComparison): void {
  const shares = comparison.explanations.map((e) => e.shareOfChange);
  for (const share of shares) {
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThanOrEqual(1);
  }
  if (shares.length > 0) expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
  // Each stage is paired at most once on each side.
  const baseIds = comparison.stages.map((s) => s.baseStageId);
  const candidateIds = comparison.stages.map((s) => s.candidateStageId);
  expect(new Set(baseIds).size).toBe(baseIds.length);
  expect(new Set(candidateIds).size).toBe(candidateIds.length);
  // A stage's share of the wall clock never exceeds its run's duration; all shares fit in it.
  for (const [side, duration] of [['base', comparison.base.durationMs], ['candidate', comparison.candidate.durationMs]] as const) {
    if (duration === null) continue;
    const total = comparison.stages.reduce((sum, s) => sum + (metric(s, 'wallClockShareMs')[side] ?? 0), 0);
    expect(total).toBeLessThanOrEqual(duration + 1);
  }
  for (const e of comparison.explanations) {
    expect(promisesIn({ title: e.title, description: e.evidence.join(' '), suggestion: '', tradeoffs: '' })).toEqual([]);
  }
}

describe('compareApplications', () => {
  let db: TempDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await openTempDatabase();
    dir = mkdtempSync(join(tmpdir(), 'spark-sword-compare-'));
    const { base, candidate } = plantedRegressionPair();
    await ingestPaths(db.database, [writeEventLog(dir, base), writeEventLog(dir, candidate)]);
  });
  afterAll(() => {
    db.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('ranks first the stage where the regression was planted, with its evidence', async () => {
    const comparison = await compareApplications(db.database, 'app-etl-monday', 'app-etl-tuesday');
    expectPossible(comparison);
    expect(comparison.durationDeltaMs).toBeGreaterThan(15_000);
    const [first] = comparison.explanations;
    expect(first).toMatchObject({ kind: 'stage', baseStageId: 2, candidateStageId: 3, name: 'join at Etl.scala:88' });
    expect(first!.shareOfChange).toBeGreaterThan(0.8);
    expect(first!.evidence.join('\n')).toMatch(/shuffle read: 3x, 5\.9 GB vs 2\.0 GB/);
    expect(first!.evidence.join('\n')).toMatch(/skew \(longest ÷ median task\) went from 1 to 8/);
    // The faster write stage is not part of the explanation of a slowdown.
    expect(comparison.explanations.map((e) => e.name)).not.toContain('save at Etl.scala:120');
    expect(comparison.explanations.map((e) => e.name)).toContain('cache at Etl.scala:5');
  });

  it('aligns stages and jobs by structure although every id shifted, and lists what ran only once', async () => {
    const comparison = await compareApplications(db.database, 'app-etl-monday', 'app-etl-tuesday');
    expect(comparison.stages.map((s) => [s.baseStageId, s.candidateStageId, s.matchedBy])).toEqual([
      [0, 1, 'signature'], [1, 2, 'signature'], [2, 3, 'signature'], [3, 4, 'signature'],
    ]);
    expect(comparison.stagesOnlyInBase).toEqual([]);
    expect(comparison.stagesOnlyInCandidate).toMatchObject([{ id: 0, name: 'cache at Etl.scala:5' }]);
    expect(comparison.jobs.map((j) => [j.baseJobId, j.candidateJobId])).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(comparison.jobsOnlyInCandidate.map((j) => j.id)).toEqual([0]);
    const join = comparison.stages.find((s) => s.name === 'join at Etl.scala:88')!;
    expect(metric(join, 'shuffleReadBytes')).toMatchObject({ base: 2000 * 1024 * 1024, candidate: 6000 * 1024 * 1024, ratio: 3 });
    expect(metric(join, 'skewRatio')).toMatchObject({ base: 1, candidate: 8 });
    expect(metric(join, 'tasks')).toMatchObject({ base: 20, candidate: 20, delta: 0, ratio: 1 });
  });

  it('names the differing properties, versions and executors, leaving out per-run ids', async () => {
    const comparison = await compareApplications(db.database, 'app-etl-monday', 'app-etl-tuesday');
    expect(comparison.propertyChanges).toEqual([{ key: 'spark.sql.shuffle.partitions', base: '200', candidate: '20' }]);
    expect(comparison.base).toMatchObject({ sparkVersion: '3.5.1', executors: 2, coresPerExecutor: 4, executorMemory: '4g', localMode: false });
    // Without prices the resources are counted and the cost left empty; the slower run held its cores longer.
    expect(comparison.base.resources).toMatchObject({ cost: null });
    expect(comparison.candidate.resources!.allocatedCoreHours).toBeGreaterThan(comparison.base.resources!.allocatedCoreHours);
    const priced = await compareApplications(db.database, 'app-etl-monday', 'app-etl-tuesday', { COST_PER_CORE_HOUR: 0.05 });
    expect(priced.candidate.resources!.cost).toBeCloseTo(priced.candidate.resources!.allocatedCoreHours * 0.05, 3);
  });

  it('finds nothing to explain in a run compared with itself, and explains no run still going', async () => {
    const same = await compareApplications(db.database, 'app-etl-monday', 'app-etl-monday');
    expect(same).toMatchObject({ durationDeltaMs: 0, explanations: [], propertyChanges: [], insightsAppeared: [], insightsDisappeared: [] });
    expect(same.stages.every((pair) => pair.metrics.every((m) => m.delta === 0 || m.delta === null))).toBe(true);
    const { candidate } = plantedRegressionPair();
    await ingestPaths(db.database, [writeEventLog(dir, { ...candidate, appId: 'app-etl-running', running: true })]);
    const running = await compareApplications(db.database, 'app-etl-monday', 'app-etl-running');
    expect(running.candidate.durationMs).toBeNull();
    expect(running.durationDeltaMs).toBeNull();
    expect(running.explanations).toEqual([]);
    expect(running.stages).toHaveLength(4);
    const empty = buildEmpty();
    await ingestPaths(db.database, [writeEventLog(dir, empty)]);
    const none = await compareApplications(db.database, 'app-etl-monday', 'app-empty');
    expectPossible(none);
    expect(none.stages).toEqual([]);
    expect(none.stagesOnlyInBase).toHaveLength(4);
    expect(none.explanations.every((e) => e.kind === 'stage-only-in-base' || e.kind === 'outside-stages')).toBe(true);
  });

  it('says which application id it does not know', async () => {
    await expect(compareApplications(db.database, 'app-etl-monday', 'app-missing')).rejects.toThrow(NotFoundError);
    await expect(compareApplications(db.database, 'app-etl-monday', 'app-missing')).rejects.toThrow(/"app-missing" \(the candidate/);
  });

  it('pairs the two Spark 4 local runs of one script although stage ids differ', async () => {
    const report = await ingestPaths(db.database, [
      eventLogPath('spark4', 'local-1776286786993.zstd'),
      eventLogPath('spark4', 'local-1776286804625.zstd'),
    ]);
    const [a, b] = report.applications.map((app) => app.appKey);
    const comparison = await compareApplications(db.database, a!, b!);
    expectPossible(comparison);
    // Both ran 23 stages and 23 jobs; the second script collects once less at line 86 and once more at line 95.
    expect(comparison.stages.length + comparison.stagesOnlyInBase.length).toBe(23);
    expect(comparison.stages.length + comparison.stagesOnlyInCandidate.length).toBe(23);
    expect(comparison.jobs.length).toBe(22);
    expect(comparison.jobsOnlyInBase).toMatchObject([{ name: 'collect at /app/generate_events.py:86' }]);
    expect(comparison.jobsOnlyInCandidate).toMatchObject([{ name: 'collect at /app/generate_events.py:95' }]);
    // Cached RDDs are named after plan text with per-run expression ids and seeds; masked, the stages both scripts
    // ran alike pair structurally (name, depth and lineage); only those around the changed collects fall back to names.
    expect(comparison.stages.filter((s) => s.matchedBy === 'signature').length).toBeGreaterThanOrEqual(17);
    expect(comparison.stages.filter((s) => s.matchedBy === 'name').every((s) => /generate_events\.py:(86|95)|CompletableFuture/.test(s.name ?? ''))).toBe(true);
    expect(comparison.stages.find((s) => s.baseStageId === 0)).toMatchObject({ candidateStageId: 0, name: 'parquet at NativeMethodAccessorImpl.java:0' });
    expect(comparison.sqlExecutions.length).toBe(10);
    // The first run squeezed execution memory (spark.memory.fraction 0.1) and spilled; the second did not.
    expect(comparison.propertyChanges).toEqual(expect.arrayContaining([
      { key: 'spark.memory.fraction', base: '0.1', candidate: null },
      { key: 'spark.sql.shuffle.partitions', base: '4', candidate: '8' },
    ]));
    expect(comparison.insightsDisappeared.map((i) => i.type)).toContain('spill');
    expect(comparison.durationDeltaMs).toBe(13159 - 14470);
    expect(comparison.explanations[0]!.evidence.join('\n')).toMatch(/spilled to disk: none now, 0 B vs 67 MB/);
    // The stage only the base ran had one task: counted in the singular.
    const onlyInBase = comparison.explanations.find((e) => e.kind === 'stage-only-in-base');
    expect(onlyInBase!.evidence).toEqual([expect.stringMatching(/^1 task, \d+ ms of task time, shuffle read /)]);
  });

  it('compares the two YARN attempts: the first attempt\'s stages pair, the rest ran only in the second', async () => {
    const report = await ingestPaths(db.database, [eventLogPath('spark4', 'application_1713000000000_0001_1.zstd'), eventLogPath('spark4', 'application_1713000000000_0001_2.zstd')]);
    const keys = report.applications.map((app) => app.appKey).sort();
    const comparison = await compareApplications(db.database, keys[0]!, keys[1]!);
    expectPossible(comparison);
    expect(comparison.stages.map((s) => s.name)).toEqual(expect.arrayContaining([
      'collect at /app/generate_events.py:49', 'collect at /app/generate_events.py:62',
    ]));
    expect(comparison.stages.length).toBe(5);
    expect(comparison.stagesOnlyInCandidate.length).toBe(18);
    expect(comparison.stagesOnlyInBase).toEqual([]);
  });
});
