import type { ApplicationFacts } from '../../detector.js';
import type { Confidence, EvidenceValue } from '../../insight.js';
import { sparkAtLeast } from '../../properties.js';
import { SPARK_DEFAULTS } from '../../spark-settings.js';
import { memoryCauseOf, type MemoryCause } from '../../../model/memory-failures.js';

/**
 * Below this share of the application's task time (the LOW-severity line), work lost to retried exceptions or
 * speculation is noise. Executor loss, fetch failures, resubmitted stages and failed stages or jobs are always
 * reported: their cost decides their rank, not whether they are shown.
 */
export const MIN_LOST_SHARE = 0.01;
/** spark.task.maxFailures: a task index failing this many times aborts its stage (and its job). */
const TASK_MAX_FAILURES = SPARK_DEFAULTS['spark.task.maxFailures'];
/** Longest error text kept in the evidence. */
export const MAX_MESSAGE_CHARS = 400;

/** A job that ended because it was cancelled (by the user, a job group or the shutdown) did not fail. */
export const CANCELLED = /\bcancell?ed\b|SparkContext was shut down/i;

export const SCHEDULING_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#scheduling';
export const MEMORY_DOCS = 'https://spark.apache.org/docs/latest/tuning.html#memory-management-overview';
export const SHUFFLE_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#shuffle-behavior';
export const GPU_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#custom-resource-scheduling-and-configuration-overview';

/** Why task attempts failed, as a Spark engineer sorts them. */
export type Category = MemoryCause | 'executor-lost' | 'fetch-failed' | 'resubmitted' | 'exception' | 'killed' | 'other';

/** Categories reported whatever their time share: the application lost an executor, shuffle data or a stage. */
export const ALWAYS_REPORTED: ReadonlySet<Category> = new Set(['gpu-oom', 'container-memory', 'oom', 'executor-lost', 'fetch-failed', 'resubmitted']);

/**
 * SQL classifying a failed task from v_tasks columns into a {@link Category}. An exception's memory cause was found
 * when its task was written (the `exception` column), so its trace is not read again here. An executor loss stays one
 * category whatever killed it: the lost-executors insight names the cause from its reasons.
 */
export const categorySql = `
  CASE
    WHEN endReason = 'ExecutorLostFailure' THEN 'executor-lost'
    WHEN endReason = 'ExceptionFailure' THEN coalesce(exception.memoryCause, 'exception')
    WHEN endReason = 'FetchFailed' THEN 'fetch-failed'
    WHEN endReason = 'Resubmitted' THEN 'resubmitted'
    WHEN outcome = 'killed' THEN 'killed'
    ELSE 'other'
  END`;

/** Classifies a free-text failure (a job's or stage's failure reason) the same way. */
export function categoryOfText(text: string | null): Category | null {
  if (!text) return null;
  const memory = memoryCauseOf(text);
  if (memory) return memory;
  if (/ExecutorLostFailure|executor lost/i.test(text)) return 'executor-lost';
  if (/FetchFailed|MetadataFetchFailed|Missing an output location for shuffle/i.test(text)) return 'fetch-failed';
  return null;
}

export const shorten = (text: string | null): string | null =>
  text === null ? null : text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
export const firstLine = (text: string | null): string | null => (text === null ? null : (text.split('\n')[0] ?? '').trim());

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
export const percent = (share: number): string => `${(Math.min(1, Math.max(0, share)) * 100).toFixed(share < 0.1 ? 1 : 0)}%`;
export const attemptsConfidence = (attempts: number): Confidence =>
  attempts >= TASK_MAX_FAILURES ? 'HIGH' : attempts >= 2 ? 'MEDIUM' : 'LOW';

/** The floor evidence every failure insight carries. */
export function floorEvidence(app: ApplicationFacts, alwaysReported: boolean): { [key: string]: EvidenceValue } {
  return {
    applicationTaskTimeMs: app.totalTaskTimeMs,
    minLostShareOfTaskTime: alwaysReported ? null : MIN_LOST_SHARE,
    floor: alwaysReported ? 'none: lost executors, shuffle data, resubmitted or failed stages are always reported' : 'lost share of task time',
    taskMaxFailures: Number(app.sparkProperties.get('spark.task.maxFailures') ?? TASK_MAX_FAILURES),
  };
}

/** Advice for one failure category: what to try and what it costs. */
export interface Advice {
  title: string;
  suggestion: string;
  tradeoffs: string;
  docs: string;
}

/** What to try for each kind of task failure, named as the application's Spark version names its settings. */
export function adviceFor(
  app: ApplicationFacts,
  group: { category: Category; detail: string | null; killReasons: Array<{ reason: string }> },
  plural: boolean,
): Advice {
  const decommission = sparkAtLeast(app, 3, 1)
    ? ', or graceful decommissioning (spark.decommission.enabled, Spark 3.1+) to move their blocks before they go'
    : '';
  switch (group.category) {
    case 'gpu-oom': {
      const setting = (key: string, fallback: string): string => `${key} (${app.sparkProperties.get(key) ?? fallback})`;
      return {
        title: 'ran out of GPU memory',
        suggestion:
          'The RAPIDS Accelerator could not allocate GPU memory. Run fewer tasks on a GPU at once ' +
          `(${setting('spark.rapids.sql.concurrentGpuTasks', '2 by default')}), make batches smaller ` +
          `(${setting('spark.rapids.sql.batchSizeBytes', '1 GB by default')}), give RMM more of the GPU ` +
          `(${setting('spark.rapids.memory.gpu.allocFraction', 'its default')}), or spread the data over more, ` +
          'smaller partitions (spark.sql.shuffle.partitions). JVM heap settings do not help here.',
        tradeoffs:
          'Fewer concurrent GPU tasks and smaller batches lower GPU utilisation; more partitions add tasks and shuffle ' +
          'blocks; a larger RMM pool leaves less GPU memory for other processes.',
        docs: GPU_DOCS,
      };
    }
    case 'container-memory':
      return {
        title: plural ? 'had their container killed for exceeding its memory limit' : 'had its container killed for exceeding its memory limit',
        suggestion:
          'The cluster manager (YARN or Kubernetes) killed the executor container for using more memory than it was ' +
          'given: off-heap use (Python workers, Arrow, Netty buffers, native libraries) outgrew the overhead. Raise ' +
          `${sparkAtLeast(app, 2, 3) ? 'spark.executor.memoryOverhead' : 'spark.yarn.executor.memoryOverhead'} (10% of ` +
          'executor memory, at least 384 MB, by default), or run fewer cores per executor so fewer tasks share it.',
        tradeoffs: 'More overhead memory per executor fits fewer executors on a node; fewer cores per executor lowers its parallelism.',
        docs: MEMORY_DOCS,
      };
    case 'oom':
      return {
        title: 'ran out of memory',
        suggestion:
          'Give each task more memory or make it hold less: raise spark.executor.memory, lower spark.executor.cores so ' +
          'fewer tasks share one heap, or spread the data over more, smaller partitions (spark.sql.shuffle.partitions, ' +
          'repartition) and avoid building large per-key collections (groupByKey, collect_list) on skewed keys.',
        tradeoffs:
          'More memory per executor means fewer executors per node or a larger bill; more partitions mean more tasks and ' +
          'more scheduling and shuffle-file overhead.',
        docs: MEMORY_DOCS,
      };
    case 'executor-lost':
      return {
        title: plural ? 'lost their executor' : 'lost its executor',
        suggestion:
          'Read the lost executors\' container or pod logs for why they exited (memory limit, preemption, node failure, ' +
          `heartbeat timeout). Keep their shuffle output available with the external shuffle service (spark.shuffle.service.enabled)${decommission}.`,
        tradeoffs:
          'The shuffle service is a node-level daemon to run and upgrade; decommissioning adds block migration traffic ' +
          'when executors leave.',
        docs: SCHEDULING_DOCS,
      };
    case 'fetch-failed':
      return {
        title: 'could not fetch shuffle data',
        suggestion:
          'A task could not read another executor\'s shuffle output (the executor was lost, its shuffle files were ' +
          'removed, or it was too busy to serve them), so Spark re-ran the map stage. Keep shuffle files available beyond ' +
          `their executor with the external shuffle service (spark.shuffle.service.enabled)${decommission}; for transient ` +
          'network errors raise spark.shuffle.io.maxRetries / spark.shuffle.io.retryWait.',
        tradeoffs:
          'The shuffle service is a node-level daemon to run and upgrade; more fetch retries make a truly lost ' +
          'executor take longer to detect.',
        docs: SHUFFLE_DOCS,
      };
    case 'resubmitted':
      return {
        title: plural ? 'were resubmitted after their output was lost' : 'was resubmitted after its output was lost',
        suggestion:
          'Spark re-ran finished tasks because the executor holding their shuffle output was lost. Find why executors ' +
          `were lost and keep shuffle output beyond them (external shuffle service${decommission ? ', decommissioning' : ''}).`,
        tradeoffs: 'The shuffle service and decommissioning add node-level services and migration traffic.',
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
            tradeoffs: 'Less speculation leaves slow tasks unhedged, so a straggling node holds its stage longer.',
            docs: SCHEDULING_DOCS,
          }
        : {
            title: `${plural ? 'were' : 'was'} killed`,
            suggestion:
              'These tasks were killed (TaskKilled), mostly because their stage or job was cancelled or failed (see ' +
              'killReasons). Address the failure that cancelled them; cancelled work is recomputed if the job is run again.',
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
          'executors were lost (container logs) and keep shuffle data available with the external shuffle service.',
        tradeoffs: 'The shuffle service adds a node-level service to run.',
        docs: SCHEDULING_DOCS,
      };
  }
}
