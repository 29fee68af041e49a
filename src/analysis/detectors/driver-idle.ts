import type { Detector, InsightDraft } from '../detector.js';
import { counted, formatDuration, formatShare } from '../format.js';

/** Quiet unless time with no job running is at least this share of the run... */
const MIN_SHARE = 0.1;
/** ...and this long. */
const MIN_IDLE_MS = 10_000;
/** Gaps shorter than this are the driver's normal bookkeeping between jobs. */
const MIN_GAP_MS = 1_000;
/** Longest gaps listed in the evidence. */
const MAX_LISTED = 10;

interface Gap {
  from: number;
  to: number;
  afterJob: number | null;
  beforeJob: number | null;
}

/**
 * Time with no job running: stretches of the application's run when no Spark job was active, so the cluster had
 * nothing to do while the driver worked (planning, listing files, collecting results, Python or Scala code on the
 * driver, sleeps, waiting for input). Quiet under 10% of the run or 10 s; gaps under 1 s are not counted.
 */
export const driverIdleDetector: Detector = {
  type: 'driver-idle',
  description: 'Stretches of the run with no Spark job running (driver-side work, listing, planning, sleeps), ≥ 10% of the run.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/job-scheduling.html#scheduling-within-an-application',
  async detect({ app, query }) {
    const wallClock = app.durationMs ?? 0;
    if (wallClock <= 0) return [];
    const [bounds] = await query<{ startTime: number | null; endTime: number | null }>(
      'SELECT startTime::DOUBLE AS startTime, endTime::DOUBLE AS endTime FROM applications WHERE appKey = $appKey');
    if (!bounds || bounds.startTime === null || bounds.endTime === null) return [];
    const jobs = await query<{ jobId: number; from: number; to: number }>(`
      SELECT jobId::INTEGER AS jobId, submissionTime::DOUBLE AS "from", coalesce(completionTime, $end)::DOUBLE AS "to"
      FROM jobs WHERE appKey = $appKey AND submissionTime IS NOT NULL ORDER BY submissionTime, jobId`, { end: bounds.endTime });
    const gaps: Gap[] = [];
    let cursor = bounds.startTime;
    let lastJob: number | null = null;
    for (const job of jobs) {
      if (job.from - cursor >= MIN_GAP_MS) gaps.push({ from: cursor, to: job.from, afterJob: lastJob, beforeJob: job.jobId });
      if (job.to > cursor) {
        cursor = job.to;
        lastJob = job.jobId;
      }
    }
    if (bounds.endTime - cursor >= MIN_GAP_MS) gaps.push({ from: cursor, to: bounds.endTime, afterJob: lastJob, beforeJob: null });
    const idleMs = gaps.reduce((sum, g) => sum + (g.to - g.from), 0);
    if (idleMs < MIN_IDLE_MS || idleMs < MIN_SHARE * wallClock) return [];
    return [insight(gaps, idleMs, wallClock, jobs.length, bounds.startTime)];
  },
};

function insight(gaps: Gap[], idleMs: number, wallClock: number, jobCount: number, start: number): InsightDraft {
  const share = Math.min(1, idleMs / wallClock);
  const longest = [...gaps].sort((a, b) => b.to - b.from - (a.to - a.from));
  const first = gaps.find((g) => g.afterJob === null && g.beforeJob !== null);
  const last = gaps.find((g) => g.beforeJob === null && g.afterJob !== null);
  const where = (g: Gap): string =>
    g.afterJob === null ? `before job ${g.beforeJob} (the first)`
      : g.beforeJob === null ? `after job ${g.afterJob} (the last)`
      : `between jobs ${g.afterJob} and ${g.beforeJob}`;
  // Without a job the whole run is one stretch: there is no first or last job to place it by.
  const when = jobCount === 0
    ? `No Spark job ran in the application's ${formatDuration(wallClock)} run.`
    : `For ${formatDuration(idleMs)} of the application's ${formatDuration(wallClock)} run no job was active ` +
      `(${counted(gaps.length, 'stretch', 'stretches')} of ≥ ${formatDuration(MIN_GAP_MS)} around its ${counted(jobCount, 'job')}); ` +
      `the longest was ${formatDuration(longest[0]!.to - longest[0]!.from)} ${where(longest[0]!)}.`;
  return {
    id: 'driver-idle:application',
    type: 'driver-idle',
    title: `No Spark job ran for ${formatDuration(idleMs)}, ${formatShare(share)} of the run`,
    description:
      `${when} The executors had nothing to do while the driver worked: planning queries, listing files, ` +
      'collecting or writing results, running its own code, or waiting.' +
      (first ? ` ${formatDuration(first.to - first.from)} passed before the first job.` : '') +
      (last ? ` ${formatDuration(last.to - last.from)} passed after the last job.` : ''),
    evidence: {
      idleMs,
      runMs: wallClock,
      idleShare: Number(share.toFixed(4)),
      jobs: jobCount,
      gaps: longest.slice(0, MAX_LISTED).map((g) => ({
        fromMs: g.from - start,
        toMs: g.to - start,
        durationMs: g.to - g.from,
        afterJob: g.afterJob,
        beforeJob: g.beforeJob,
      })),
      beforeFirstJobMs: first ? first.to - first.from : 0,
      afterLastJobMs: last ? last.to - last.from : 0,
      impactBasis: 'stretches with no job running / application run time',
      thresholds: { minShare: MIN_SHARE, minIdleMs: MIN_IDLE_MS, minGapMs: MIN_GAP_MS },
    },
    confidence: idleMs >= 60_000 ? 'HIGH' : 'MEDIUM',
    suggestion:
      'Find what the driver did in the longest gaps (its log, a profiler, or timing around the code between actions). ' +
      'Common causes: listing many files or partitions on the driver (a table format or catalog that tracks files avoids ' +
      'it), collect() / toPandas() of large results, driver-side loops or sleeps, reading small side inputs with ' +
      'non-Spark code, and long query planning of very large plans. Independent jobs can also be submitted from ' +
      'several threads so the cluster works while the driver waits.',
    tradeoffs:
      'Moving work from the driver to Spark adds jobs and tasks; concurrent jobs compete for the same executors (FAIR ' +
      'scheduling shares them).',
    sparkDocsRef: driverIdleDetector.sparkDocsRef,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: share,
    impactMs: idleMs,
    claims: gaps.map((g) => ({ from: g.from, to: g.to, share: 1 })),
    // The time is real, but what fills it (driver code, a notebook user thinking, a sleep) is outside Spark's
    // execution: it ranks by its time among MEDIUM findings, never above a HIGH or CRITICAL execution problem.
    severityCap: 'MEDIUM',
  };
}
