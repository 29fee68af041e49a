import { shareOfTaskTime as taskTimeShare, type ApplicationFacts, type Detector, type InsightDraft } from '../detector.js';
import type { Confidence, EvidenceValue } from '../insight.js';

/**
 * Below this share of the application's task time (the LOW-severity line), work lost to failed attempts,
 * retried stages or excluded executors is noise: the rule stays quiet.
 */
const MIN_LOST_SHARE = 0.01;
/** spark.task.maxFailures: a task index failing this many times aborts its stage (and its job). */
const TASK_MAX_FAILURES = 4;
/** Longest error text kept in the evidence. */
const MAX_MESSAGE_CHARS = 400;

/**
 * Out-of-memory as it shows in task failures: the JVM's errors, Spark's own memory manager refusing, YARN or
 * Kubernetes killing a container over its memory limit (exit code 137 is SIGKILL, the OOM killer's signal),
 * and Python workers running out of memory.
 */
const OOM_PATTERN =
  '(?i)(OutOfMemoryError|Java heap space|GC overhead limit exceeded|exceed(ed|ing) (physical |virtual )?memory limits?|' +
  'OOMKilled|Unable to acquire [0-9]+ bytes of memory|Direct buffer memory|\\bMemoryError\\b|exit (code|status):? ?137\\b)';

/** A job that ended because it was cancelled (by the user, a job group or the shutdown) did not fail. */
const CANCELLED = /\bcancell?ed\b|SparkContext was shut down/i;

const SCHEDULING_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#scheduling';
const MEMORY_DOCS = 'https://spark.apache.org/docs/latest/tuning.html#memory-management-overview';
const SHUFFLE_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#shuffle-behavior';
const SPECULATION_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#scheduling';

type Category = 'oom' | 'executor-lost' | 'fetch-failed' | 'exception' | 'killed' | 'other';

interface TaskFailureGroup {
  category: Category;
  /** Exception class (exception), kill reason kind (killed) or end reason (other). */
  detail: string | null;
  attempts: bigint;
  lostMs: number;
  stages: Array<{ stageId: bigint; attemptId: bigint; attempts: bigint }>;
  executors: string[];
  indices: bigint;
  sampleError: string | null;
  killReasons: Array<{ reason: string; attempts: bigint }>;
}

interface FailedJob {
  jobId: bigint;
  failureReason: string | null;
  durationMs: number | null;
  sqlExecutionId: bigint | null;
  failedStages: Array<{ stageId: bigint; attemptId: bigint; failureReason: string | null; failedTasks: bigint }>;
  lostTaskMs: number;
  isOom: boolean;
}

interface RetriedStage {
  stageId: bigint;
  name: string | null;
  attempts: Array<{ attemptId: bigint; status: string; failureReason: string | null; durationMs: number | null; taskMs: number }>;
}

interface Exclusion {
  kind: string;
  time: bigint | null;
  executorId: string | null;
  hostId: string | null;
  stageId: bigint | null;
  stageAttemptId: bigint | null;
  failures: bigint | null;
  afterStartMs: number | null;
}

const shorten = (text: string | null): string | null =>
  text === null ? null : text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
const firstLine = (text: string | null): string | null => (text === null ? null : (text.split('\n')[0] ?? '').trim());

/**
 * One line that says what failed: the first line of a JVM error, or for a Python worker's traceback (whose first
 * line is only "Traceback (most recent call last):") the exception line it ends with, before the JVM frames.
 */
export function errorSummary(text: string | null): string | null {
  if (text === null) return null;
  const first = firstLine(text) ?? '';
  if (!/Traceback \(most recent call last\)/.test(text)) return first;
  const python = text.split(/\n\s*at [\w$.]+\(/)[0] ?? text;
  const lines = python.split('\n').map((line) => line.trim()).filter(Boolean);
  const last = lines[lines.length - 1] ?? '';
  return `${first.replace(/Traceback \(most recent call last\):?\s*$/, '').trim()} ${last}`.trim();
}
const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const percent = (share: number): string => `${(share * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
const attemptsConfidence = (attempts: number): Confidence =>
  attempts >= TASK_MAX_FAILURES ? 'HIGH' : attempts >= 2 ? 'MEDIUM' : 'LOW';

/** The floor evidence every failure insight carries. */
function floorEvidence(app: ApplicationFacts): { [key: string]: EvidenceValue } {
  return {
    applicationTaskTimeMs: app.totalTaskTimeMs,
    minLostShareOfTaskTime: MIN_LOST_SHARE,
    taskMaxFailures: Number(app.sparkProperties.get('spark.task.maxFailures') ?? TASK_MAX_FAILURES),
  };
}

/** What to try for each kind of task failure, and what it costs. */
function adviceFor(group: TaskFailureGroup, plural: boolean): { title: string; suggestion: string; tradeoffs: string; docs: string } {
  switch (group.category) {
    case 'oom':
      return {
        title: 'ran out of memory',
        suggestion:
          'Give each task more memory or make it hold less: raise spark.executor.memory (or spark.executor.memoryOverhead ' +
          'when the container was killed for exceeding its limit, e.g. for Python workers or off-heap buffers), or spread ' +
          'the data over more, smaller partitions (spark.sql.shuffle.partitions, repartition) and avoid building large ' +
          'per-key collections (groupByKey, collect_list) on skewed keys.',
        tradeoffs:
          'More memory per executor means fewer executors per node or a larger bill; more partitions mean more tasks and ' +
          'more scheduling and shuffle-file overhead.',
        docs: MEMORY_DOCS,
      };
    case 'executor-lost':
      return {
        title: plural ? 'lost their executor' : 'lost its executor',
        suggestion:
          'Read the lost executors\' container or pod logs for why they exited (memory limit, preemption, node failure). ' +
          'If the cluster manager killed them for memory, raise spark.executor.memoryOverhead; on preemptible nodes, ' +
          'graceful decommissioning (spark.decommission.enabled) moves their blocks before they go.',
        tradeoffs:
          'More overhead memory shrinks how many executors fit on a node; decommissioning adds block migration traffic ' +
          'when nodes leave.',
        docs: SCHEDULING_DOCS,
      };
    case 'fetch-failed':
      return {
        title: 'could not fetch shuffle data',
        suggestion:
          'Fetch failures mean a task could not read another executor\'s shuffle output (the executor was lost or too ' +
          'busy to serve it), so Spark re-ran the map stage. Keep shuffle files available beyond their executor with the ' +
          'external shuffle service (spark.shuffle.service.enabled) or decommissioning, and for transient network ' +
          'errors raise spark.shuffle.io.maxRetries / spark.shuffle.io.retryWait.',
        tradeoffs:
          'The shuffle service is a node-level daemon to run and upgrade; more fetch retries make a truly lost ' +
          'executor take longer to detect.',
        docs: SHUFFLE_DOCS,
      };
    case 'exception':
      return {
        title: `threw ${group.detail ?? 'an exception'}`,
        suggestion:
          'The application\'s code or its input failed (see sampleError in the evidence). Fix the record or code path ' +
          'that throws; if retries of the same task succeeded, the cause is transient (a flaky dependency, a bad node) ' +
          'and worth finding before it exhausts spark.task.maxFailures.',
        tradeoffs:
          'Raising spark.task.maxFailures only delays a permanent failure and spends more task time on it; catching ' +
          'the error in code can hide bad records unless they are counted or written aside.',
        docs: SCHEDULING_DOCS,
      };
    case 'killed': {
      const speculation = group.killReasons.every((reason) => /another attempt succeeded/i.test(reason.reason));
      return speculation
        ? {
            title: `${plural ? 'were' : 'was'} killed after another attempt finished first`,
            suggestion:
              'These were speculative (or original) copies killed because another attempt of the same task finished ' +
              'first: the price of spark.speculation. If it is large, find why some tasks straggle (a slow node, skew) ' +
              'or make speculation more selective (spark.speculation.multiplier, spark.speculation.quantile).',
            tradeoffs:
              'Less speculation leaves slow tasks unhedged, so a straggling node holds its stage longer.',
            docs: SPECULATION_DOCS,
          }
        : {
            title: `${plural ? 'were' : 'was'} killed`,
            suggestion:
              'These tasks were killed, mostly because their stage or job was cancelled or failed (see killReasons). ' +
              'Address the failure that cancelled them; cancelled work is recomputed if the job is run again.',
            tradeoffs: 'Failing fast on the first error (low spark.task.maxFailures) kills running tasks sooner but ' +
              'gives transient errors fewer retries.',
            docs: SCHEDULING_DOCS,
          };
    }
    default:
      return {
        title: `failed (${group.detail ?? 'unknown reason'})`,
        suggestion:
          'Task results or map outputs were lost (their executor went away) and Spark recomputed them. Find why the ' +
          'executors were lost (container logs) and keep shuffle data available with the external shuffle service ' +
          'or decommissioning.',
        tradeoffs: 'The shuffle service and decommissioning add node-level services and migration traffic.',
        docs: SCHEDULING_DOCS,
      };
  }
}

/**
 * Failures: failed and killed task attempts grouped by cause (exception class, executor loss, fetch failure,
 * out-of-memory from the error text), failed jobs, retried stage attempts and excluded executors. The cost is
 * the task time of the lost attempts (and the wall-clock of failed jobs and failed stage attempts); below 1% of
 * the application's task time a group stays quiet, except a failed job, which lost its result.
 */
export const failuresDetector: Detector = {
  type: 'failures',
  description:
    'Failed or killed tasks by cause (exception, executor lost, fetch failure, out of memory), failed jobs, retried ' +
    'stages and excluded executors, with the task time they cost.',
  sparkDocsRef: SCHEDULING_DOCS,
  async detect({ app, query }) {
    const insights: InsightDraft[] = [];

    // 1. Failed and killed task attempts, grouped by cause.
    const groups = await query<TaskFailureGroup>(`
      WITH raw AS (
        SELECT stageId, stageAttemptId, executorId, "index", coalesce(duration, 0)::DOUBLE AS duration, endReason,
          errorMessage, endReasonDetail->>'Class Name' AS className,
          coalesce(endReasonDetail->>'Kill Reason', endReason) AS killReason,
          CASE
            WHEN endReason IN ('ExceptionFailure', 'ExecutorLostFailure') AND regexp_matches(
              coalesce(endReasonDetail->>'Class Name', '') || ' ' || coalesce(endReasonDetail->>'Description', '') || ' ' ||
              coalesce(endReasonDetail->>'Loss Reason', ''), $oom) THEN 'oom'
            WHEN endReason = 'ExecutorLostFailure' THEN 'executor-lost'
            WHEN endReason = 'FetchFailed' THEN 'fetch-failed'
            WHEN endReason = 'ExceptionFailure' THEN 'exception'
            WHEN outcome = 'killed' THEN 'killed'
            ELSE 'other'
          END AS category
        FROM v_tasks WHERE appKey = $appKey AND outcome IN ('failed', 'killed')
      ), t AS (
        SELECT *, CASE category WHEN 'exception' THEN className WHEN 'other' THEN endReason END AS detail FROM raw
      ), by_stage AS (
        SELECT category, detail,
          list({'stageId': stageId, 'attemptId': stageAttemptId, 'attempts': attempts} ORDER BY stageId, stageAttemptId) AS stages
        FROM (SELECT category, detail, stageId, stageAttemptId, count(*) AS attempts FROM t GROUP BY ALL) GROUP BY ALL
      ), by_kill AS (
        SELECT category, detail, list({'reason': killReason, 'attempts': attempts} ORDER BY attempts DESC, killReason) AS killReasons
        FROM (SELECT category, detail, killReason, count(*) AS attempts FROM t WHERE category = 'killed' GROUP BY ALL) GROUP BY ALL
      ), g AS (
        SELECT category, detail, count(*) AS attempts, sum(duration) AS lostMs,
          coalesce(list(DISTINCT executorId ORDER BY executorId) FILTER (WHERE executorId IS NOT NULL), []) AS executors,
          count(DISTINCT (stageId, "index")) AS indices, left(min(errorMessage), ${MAX_MESSAGE_CHARS * 2}) AS sampleError
        FROM t GROUP BY ALL
      )
      SELECT g.*, s.stages, coalesce(k.killReasons, []) AS killReasons
      FROM g JOIN by_stage s ON s.category = g.category AND s.detail IS NOT DISTINCT FROM g.detail
      LEFT JOIN by_kill k ON k.category = g.category AND k.detail IS NOT DISTINCT FROM g.detail
      ORDER BY g.lostMs DESC, g.category, g.detail`, { oom: OOM_PATTERN });
    for (const group of groups) {
      const share = taskTimeShare(app, group.lostMs);
      if (share < MIN_LOST_SHARE) continue;
      const attempts = Number(group.attempts);
      const stageList = group.stages.map((s) => `${s.stageId}.${s.attemptId}`);
      const single = group.stages.length === 1 ? group.stages[0]! : null;
      const advice = adviceFor(group, attempts !== 1);
      const key = group.category === 'exception' || group.category === 'other'
        ? `${group.category}-${(group.detail ?? 'unknown').replace(/[^A-Za-z0-9_.$-]/g, '_')}`
        : group.category;
      const killed = group.category === 'killed';
      insights.push({
        id: `failures:tasks-${key}`,
        type: 'failures',
        title: `${attempts} task attempt${attempts === 1 ? '' : 's'} ${advice.title}, losing ${seconds(group.lostMs)} of task time`,
        description:
          `${attempts} ${killed ? 'killed' : 'failed'} attempt${attempts === 1 ? '' : 's'} of ${Number(group.indices)} ` +
          `task${Number(group.indices) === 1 ? '' : 's'} in stage${stageList.length === 1 ? '' : 's'} ${stageList.join(', ')} ` +
          `on executor${group.executors.length === 1 ? '' : 's'} ${group.executors.join(', ') || 'unknown'} ran for ` +
          `${seconds(group.lostMs)}, ${percent(share)} of the application's task time, and that work was thrown away.` +
          (group.category === 'oom' ? ' The error text shows the task or its container ran out of memory.' : '') +
          (group.sampleError && !killed ? ` First error: ${errorSummary(group.sampleError)}` : ''),
        evidence: {
          category: group.category,
          ...(group.detail ? { detail: group.detail } : {}),
          attempts,
          distinctTasks: Number(group.indices),
          lostTaskTimeMs: group.lostMs,
          shareOfTaskTime: Number(share.toFixed(4)),
          stages: group.stages.map((s) => ({ stageId: Number(s.stageId), stageAttemptId: Number(s.attemptId), attempts: Number(s.attempts) })),
          executors: group.executors,
          ...(killed
            ? { killReasons: group.killReasons.map((k) => ({ reason: shorten(k.reason) ?? '', attempts: Number(k.attempts) })) }
            : { sampleError: shorten(group.sampleError) }),
          ...floorEvidence(app),
        },
        confidence: attemptsConfidence(attempts),
        suggestion: advice.suggestion,
        tradeoffs: advice.tradeoffs,
        sparkDocsRef: advice.docs,
        jobId: null,
        stageId: single ? Number(single.stageId) : null,
        stageAttemptId: single ? Number(single.attemptId) : null,
        sqlExecutionId: null,
        impact: share,
        impactMs: group.lostMs,
      });
    }

    // 2. Failed jobs: always reported (the job's result was lost), unless they were cancelled.
    const jobs = await query<FailedJob>(`
      WITH failed AS (
        SELECT j.jobId, j.failureReason, j.sqlExecutionId, j.duration, j.stageIds FROM v_jobs j
        WHERE j.appKey = $appKey AND j.status = 'FAILED'
      )
      SELECT f.jobId, f.failureReason, f.sqlExecutionId,
        coalesce(f.duration, (SELECT max(s.completionTime) - min(s.submissionTime) FROM stages s
          WHERE s.appKey = $appKey AND list_contains(f.stageIds, s.stageId)))::DOUBLE AS durationMs,
        coalesce((SELECT list({'stageId': s.stageId, 'attemptId': s.attemptId, 'failureReason': s.failureReason,
            'failedTasks': s.numFailedTasks} ORDER BY s.stageId, s.attemptId)
          FROM v_stages s WHERE s.appKey = $appKey AND s.status = 'FAILED' AND list_contains(f.stageIds, s.stageId)), []) AS failedStages,
        coalesce((SELECT sum(t.duration) FROM v_tasks t WHERE t.appKey = $appKey AND t.outcome IN ('failed', 'killed')
          AND list_contains(f.stageIds, t.stageId)), 0)::DOUBLE AS lostTaskMs,
        coalesce(regexp_matches(f.failureReason, $oom), false) AS isOom
      FROM failed f ORDER BY f.jobId`, { oom: OOM_PATTERN });
    for (const job of jobs) {
      if (job.failureReason !== null && CANCELLED.test(firstLine(job.failureReason) ?? '')) continue;
      const jobId = Number(job.jobId);
      const byWallClock = job.durationMs !== null && app.durationMs !== null && app.durationMs > 0;
      const impactMs = byWallClock ? job.durationMs! : job.lostTaskMs;
      const impact = byWallClock ? Math.min(1, impactMs / app.durationMs!) : taskTimeShare(app, impactMs);
      const resultTooLarge = /spark\.driver\.maxResultSize/.test(job.failureReason ?? '');
      const firstStage = job.failedStages[0];
      insights.push({
        id: `failures:job-${jobId}`,
        type: 'failures',
        title: `Job ${jobId} failed${job.isOom ? ' running out of memory' : resultTooLarge ? ': its results exceeded spark.driver.maxResultSize' : ''}`,
        description:
          `Job ${jobId}${job.sqlExecutionId !== null ? ` (SQL execution ${job.sqlExecutionId})` : ''} failed after ` +
          `${job.durationMs !== null ? seconds(job.durationMs) : 'an unknown time'}` +
          (job.failedStages.length > 0 ? ` when stage ${job.failedStages.map((s) => `${s.stageId}.${s.attemptId}`).join(', ')} failed` : '') +
          `. Its result was not produced. ${errorSummary(job.failureReason) ?? 'Spark logged no reason.'}`,
        evidence: {
          jobId,
          failureReason: shorten(job.failureReason),
          jobDurationMs: job.durationMs,
          failedStages: job.failedStages.map((s) => ({
            stageId: Number(s.stageId),
            stageAttemptId: Number(s.attemptId),
            failedTasks: Number(s.failedTasks),
            failureReason: shorten(errorSummary(s.failureReason)),
          })),
          lostTaskTimeMs: job.lostTaskMs,
          outOfMemory: job.isOom,
          impactBasis: byWallClock ? 'job wall-clock / application wall-clock' : 'failed task time / application task time',
          floor: 'none: a failed job lost its result (cancelled jobs are left out)',
        },
        confidence: 'HIGH',
        suggestion: job.isOom
          ? 'The job failed out of memory: give tasks more memory (spark.executor.memory / spark.executor.memoryOverhead) ' +
            'or spread the work over more, smaller partitions; see the task failures for where it happened.'
          : resultTooLarge
            ? 'The driver refused results larger than spark.driver.maxResultSize: write the result to storage instead of ' +
              'collecting it, aggregate before collecting, or raise spark.driver.maxResultSize together with spark.driver.memory.'
            : 'Read the failing task\'s error (failureReason) and fix its cause; the task failure insights of this application ' +
              'group the failed attempts by cause. Once fixed, the job\'s stages rerun from their last available shuffle output.',
        tradeoffs: resultTooLarge
          ? 'A larger maxResultSize moves the risk to the driver\'s memory; writing results out adds a read step for whoever consumes them.'
          : 'More memory or partitions cost cluster capacity or scheduling overhead; retrying a failed job without a fix repeats the lost work.',
        sparkDocsRef: job.isOom ? MEMORY_DOCS : SCHEDULING_DOCS,
        jobId,
        stageId: firstStage ? Number(firstStage.stageId) : null,
        stageAttemptId: firstStage ? Number(firstStage.attemptId) : null,
        sqlExecutionId: job.sqlExecutionId === null ? null : Number(job.sqlExecutionId),
        impact,
        impactMs,
      });
    }

    // 3. Stages that ran more than one attempt: the earlier attempts' wall-clock was spent again.
    const retried = await query<RetriedStage>(`
      SELECT s.stageId, arg_max(s.name, s.attemptId) AS name,
        list({'attemptId': s.attemptId, 'status': s.status, 'failureReason': s.failureReason, 'durationMs': s.duration::DOUBLE,
          'taskMs': coalesce((SELECT sum(t.duration) FROM v_tasks t WHERE t.appKey = $appKey AND t.stageId = s.stageId
            AND t.stageAttemptId = s.attemptId), 0)::DOUBLE} ORDER BY s.attemptId) AS attempts
      FROM v_stages s WHERE s.appKey = $appKey AND s.status <> 'SKIPPED'
      GROUP BY s.stageId HAVING count(*) > 1 ORDER BY s.stageId`);
    for (const stage of retried) {
      const earlier = stage.attempts.slice(0, -1);
      const last = stage.attempts[stage.attempts.length - 1]!;
      const lostWallMs = earlier.reduce((sum, a) => sum + (a.durationMs ?? 0), 0);
      const lostTaskMs = earlier.reduce((sum, a) => sum + a.taskMs, 0);
      const byWallClock = app.durationMs !== null && app.durationMs > 0;
      const impact = byWallClock ? Math.min(1, lostWallMs / app.durationMs!) : taskTimeShare(app, lostTaskMs);
      if (impact < MIN_LOST_SHARE) continue;
      const stageId = Number(stage.stageId);
      const reasons = earlier.map((a) => firstLine(a.failureReason)).filter((r): r is string => Boolean(r));
      const fetchFailed = reasons.some((r) => /FetchFailed|MetadataFetchFailed/i.test(r));
      insights.push({
        id: `failures:stage-${stageId}-retried`,
        type: 'failures',
        title: `Stage ${stageId} ran ${stage.attempts.length} attempts${fetchFailed ? ' after shuffle fetch failures' : ''}`,
        description:
          `Stage ${stageId}${stage.name ? ` (${stage.name})` : ''} was attempted ${stage.attempts.length} times; the ` +
          `${earlier.length === 1 ? 'first attempt' : `first ${earlier.length} attempts`} took ${seconds(lostWallMs)} ` +
          `(${seconds(lostTaskMs)} of task time) before Spark resubmitted it. The last attempt ended ${last.status}.` +
          (reasons[0] ? ` ${reasons[0]}` : ''),
        evidence: {
          stageId,
          attempts: stage.attempts.map((a) => ({
            stageAttemptId: Number(a.attemptId),
            status: a.status,
            durationMs: a.durationMs,
            taskTimeMs: a.taskMs,
            failureReason: shorten(firstLine(a.failureReason)),
          })),
          lostWallClockMs: lostWallMs,
          lostTaskTimeMs: lostTaskMs,
          impactBasis: byWallClock ? 'earlier attempts\' wall-clock / application wall-clock' : 'earlier attempts\' task time / application task time',
          ...floorEvidence(app),
        },
        confidence: reasons.length > 0 ? 'HIGH' : 'MEDIUM',
        suggestion: fetchFailed
          ? 'The stage was resubmitted because shuffle output it needed was lost with its executor. Keep shuffle files ' +
            'available beyond their executor (external shuffle service, spark.shuffle.service.enabled, or decommissioning) ' +
            'and find why executors were lost (container logs: memory limits, preemption).'
          : 'Read the failure reason of the earlier attempts and fix its cause; a stage is resubmitted when its tasks\' ' +
            'inputs were lost or an attempt was aborted.',
        tradeoffs:
          'The external shuffle service is a node daemon to run and upgrade; decommissioning adds block migration ' +
          'traffic when executors leave.',
        sparkDocsRef: fetchFailed ? SHUFFLE_DOCS : SCHEDULING_DOCS,
        jobId: null,
        stageId,
        stageAttemptId: Number(last.attemptId),
        sqlExecutionId: null,
        impact,
        impactMs: byWallClock ? lostWallMs : lostTaskMs,
      });
    }

    // 4. Executors (or nodes) Spark excluded after repeated task failures.
    const exclusions = await query<Exclusion>(`
      SELECT x.kind, x.time, x.executorId, x.hostId, x.stageId, x.stageAttemptId, x.failures,
        (x.time - (SELECT a.startTime FROM applications a WHERE a.appKey = $appKey))::DOUBLE AS afterStartMs
      FROM executor_exclusions x WHERE x.appKey = $appKey ORDER BY x.seq`);
    const excluding = exclusions.filter((x) => !x.kind.endsWith('Unexcluded'));
    if (excluding.length > 0) {
      // Failed attempts on the excluded executors and on every executor of an excluded node.
      const [lost] = await query<{ lostMs: number; attempts: bigint; nodeExecutors: string[] }>(`
        WITH x AS (
          SELECT * FROM executor_exclusions WHERE appKey = $appKey AND kind NOT LIKE '%Unexcluded'
        ), on_nodes AS (
          SELECT DISTINCT e.executorId FROM executors e JOIN x ON x.hostId = e.host AND x.kind LIKE 'node%'
          WHERE e.appKey = $appKey AND e.executorId <> 'driver'
        ), excluded AS (
          SELECT executorId FROM x WHERE executorId IS NOT NULL UNION SELECT executorId FROM on_nodes
        )
        SELECT coalesce(sum(t.duration), 0)::DOUBLE AS lostMs, count(t.taskId) AS attempts,
          coalesce((SELECT list(executorId ORDER BY executorId) FROM on_nodes), []) AS nodeExecutors
        FROM v_tasks t WHERE t.appKey = $appKey AND t.outcome = 'failed' AND t.executorId IN (SELECT executorId FROM excluded)`);
      const lostMs = lost?.lostMs ?? 0;
      const share = taskTimeShare(app, lostMs);
      if (share >= MIN_LOST_SHARE) {
        const appWide = excluding.some((x) => x.kind === 'executorExcluded' || x.kind === 'nodeExcluded');
        const executors = [...new Set(excluding.filter((x) => x.executorId !== null).map((x) => x.executorId!))];
        const nodes = [...new Set(excluding.filter((x) => x.hostId !== null).map((x) => x.hostId!))];
        const alsoOnNodes = (lost?.nodeExecutors ?? []).filter((id) => !executors.includes(id));
        const lifted = exclusions.filter((x) => x.kind.endsWith('Unexcluded'));
        const property = (key: string): string | null =>
          app.sparkProperties.get(`spark.excludeOnFailure.${key}`) ?? app.sparkProperties.get(`spark.blacklist.${key}`) ?? null;
        const first = excluding[0]!;
        const oneStage = excluding.every((x) => x.stageId !== null && x.stageId === first.stageId && x.stageAttemptId === first.stageAttemptId);
        const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
        const what = [
          executors.length > 0 ? `executor${executors.length === 1 ? '' : 's'} ${executors.join(', ')}` : null,
          nodes.length > 0 ? `node${nodes.length === 1 ? '' : 's'} ${nodes.join(', ')}` +
            (alsoOnNodes.length > 0 ? ` (with executor${alsoOnNodes.length === 1 ? '' : 's'} ${alsoOnNodes.join(', ')})` : '') : null,
        ].filter(Boolean).join(' and ');
        insights.push({
          id: 'failures:excluded-executors',
          type: 'failures',
          title: `Spark excluded ${[executors.length > 0 ? plural(executors.length, 'executor') : null, nodes.length > 0 ? plural(nodes.length, 'node') : null]
            .filter(Boolean).join(' and ')} after repeated task failures`,
          description:
            `After tasks failed there, Spark stopped scheduling on ${what} ` +
            `${appWide ? 'for the whole application' : oneStage ? `for stage ${first.stageId}.${first.stageAttemptId}` : 'for some stages'}` +
            `${lifted.length > 0 ? ' (later lifted)' : ''}. ${Number(lost?.attempts ?? 0)} failed attempts there cost ${seconds(lostMs)}, ` +
            `${percent(share)} of the application's task time. Failures concentrated on a few executors or hosts point at ` +
            'those machines rather than at the code.',
          evidence: {
            exclusions: exclusions.map((x) => ({
              kind: x.kind,
              executorId: x.executorId,
              host: x.hostId,
              stageId: x.stageId === null ? null : Number(x.stageId),
              stageAttemptId: x.stageAttemptId === null ? null : Number(x.stageAttemptId),
              failures: x.failures === null ? null : Number(x.failures),
              afterStartMs: x.afterStartMs,
            })),
            excludedExecutors: executors,
            excludedNodes: nodes,
            executorsOnExcludedNodes: lost?.nodeExecutors ?? [],
            applicationWide: appWide,
            failedAttemptsThere: Number(lost?.attempts ?? 0),
            lostTaskTimeMs: lostMs,
            shareOfTaskTime: Number(share.toFixed(4)),
            settings: {
              enabled: property('enabled'),
              timeout: property('timeout') ?? '1h (default)',
              'stage.maxFailedTasksPerExecutor': property('stage.maxFailedTasksPerExecutor') ?? '2 (default)',
              'application.maxFailedTasksPerExecutor': property('application.maxFailedTasksPerExecutor') ?? '2 (default)',
              killExcludedExecutors: property('killExcludedExecutors') ?? property('killBlacklistedExecutors') ?? 'false (default)',
            },
            ...floorEvidence(app),
          },
          confidence: 'HIGH',
          suggestion:
            'Check the excluded executors\' hosts (disk, network, a missing library or local file) in their executor logs. ' +
            'If the failures follow the data rather than the host, fix the failing code path instead: exclusion only ' +
            'routes work around machines.',
          tradeoffs:
            'Exclusion trades capacity for reliability: an excluded executor sits idle (or is killed with ' +
            'killExcludedExecutors) until the exclusion times out, so eager settings shrink the cluster on transient errors.',
          sparkDocsRef: SCHEDULING_DOCS,
          jobId: null,
          stageId: oneStage ? Number(first.stageId) : null,
          stageAttemptId: oneStage ? Number(first.stageAttemptId) : null,
          sqlExecutionId: null,
          impact: share,
          impactMs: lostMs,
        });
      }
    }
    return insights;
  },
};
