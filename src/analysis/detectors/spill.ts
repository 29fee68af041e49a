import { adaptiveExecutionEnabled, type Detector, type InsightDraft } from '../detector.js';
import { capitalize, formatBytes, formatDuration, formatShare, round, stageLabel } from '../format.js';
import { SPARK_DEFAULTS } from '../spark-settings.js';
import { stageFacts, stagePeakExecutionMemory, stageTaskTimeClaims } from '../stage-facts.js';

/**
 * Spill under one partition of AQE's target size (spark.sql.adaptive.advisoryPartitionSizeInBytes, 64 MB) is too
 * small to matter: a task that needs that little more memory costs little to spill.
 */
const MIN_SPILL_BYTES = 64 * 1024 * 1024;
/** A stage under 1% of the application's task time does not matter (its insight would be INFO). */
const MIN_SHARE_OF_APP_TASK_TIME = 0.01;
/** Spilling in at least this share of a stage's tasks is systematic (memory per task), not a few big partitions. */
const SYSTEMATIC_SHARE = 0.5;
/** Spark defaults the suggestion refers to. */
const SHUFFLE_PARTITIONS_DEFAULT = SPARK_DEFAULTS['spark.sql.shuffle.partitions'];
const MAX_PARTITION_BYTES_DEFAULT = SPARK_DEFAULTS['spark.sql.files.maxPartitionBytes'];
const MEMORY_FRACTION_DEFAULT = SPARK_DEFAULTS['spark.memory.fraction'];

/**
 * With the RAPIDS Accelerator, operators on the GPU spill device memory to host memory and then to disk through
 * their own store; Spark's spill metrics count the CPU operators. The GPU side has its own settings.
 */
const RAPIDS_SPILL =
  ' This application ran the RAPIDS Accelerator: for operators on the GPU, spilling goes from GPU memory to host ' +
  'memory (spark.rapids.memory.host.spillStorageSize) and then disk; fewer concurrent GPU tasks ' +
  '(spark.rapids.sql.concurrentGpuTasks) or smaller batches (spark.rapids.sql.batchSizeBytes) lower it, while JVM heap ' +
  'settings only help the operators that ran on the CPU.';

interface StageSpill {
  stageId: bigint;
  stageAttemptId: bigint;
  tasks: bigint;
  spillingTasks: bigint;
  memorySpilled: number;
  diskSpilled: number;
  inputBytes: number;
  shuffleReadBytes: number;
  taskTime: number;
  spillingTaskTime: number;
  medianBytesPerTask: number;
}

/**
 * Spill: stages whose tasks ran out of execution memory and wrote sorted/aggregated data to disk and read it
 * back (Spark's memoryBytesSpilled / diskBytesSpilled), measured against what the stage read. Quiet below 64 MB
 * spilled or 1% of the application's task time. The cost is the task time of the tasks that spilled.
 */
export const spillDetector: Detector = {
  type: 'spill',
  description:
    'Stages whose tasks spilled to disk (≥ 64 MB), with the spill relative to the data they read and how many ' +
    'tasks spilled.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/tuning.html#memory-management-overview',
  async detect(context) {
    const { app, query } = context;
    if (app.totalTaskTimeMs <= 0) return [];
    const facts = await stageFacts(context);
    const rows = await query<StageSpill>(`
      WITH t AS (
        SELECT stageId, stageAttemptId, count(*) AS tasks,
          count(*) FILTER (WHERE memoryBytesSpilled > 0 OR diskBytesSpilled > 0) AS spillingTasks,
          sum(memoryBytesSpilled)::DOUBLE AS memorySpilled, sum(diskBytesSpilled)::DOUBLE AS diskSpilled,
          sum(inputBytes)::DOUBLE AS inputBytes,
          sum(shuffleRemoteBytesRead + shuffleLocalBytesRead)::DOUBLE AS shuffleReadBytes,
          coalesce(sum(duration), 0)::DOUBLE AS taskTime,
          coalesce(sum(duration) FILTER (WHERE memoryBytesSpilled > 0 OR diskBytesSpilled > 0), 0)::DOUBLE
            AS spillingTaskTime,
          quantile_cont(inputBytes + shuffleRemoteBytesRead + shuffleLocalBytesRead, 0.5)::DOUBLE AS medianBytesPerTask
        FROM app_tasks($appKey) WHERE appKey = $appKey AND hasMetrics GROUP BY ALL
      )
      SELECT t.* FROM t
      WHERE greatest(t.memorySpilled, t.diskSpilled) >= ${MIN_SPILL_BYTES}
        AND t.taskTime >= ${MIN_SHARE_OF_APP_TASK_TIME} * $appTaskTime
      ORDER BY t.stageId, t.stageAttemptId`,
      { appTaskTime: app.totalTaskTimeMs },
    );
    const property = (key: string): string | null => app.sparkProperties.get(key) ?? null;
    const aqe = adaptiveExecutionEnabled(app);
    return rows.map((row): InsightDraft => {
      const stageId = Number(row.stageId);
      const stage = facts.find((f) => f.stageId === stageId && f.stageAttemptId === Number(row.stageAttemptId));
      const name = stage?.name ?? null;
      // Photon leaves peakExecutionMemory at 0 and reports its peak in its own accumulators (see stage facts).
      const { value: peak, source: peakSource } = stage ? stagePeakExecutionMemory(stage) : { value: null, source: 'task metrics (peakExecutionMemory)' };
      const attemptId = Number(row.stageAttemptId);
      const tasks = Number(row.tasks);
      const spillingTasks = Number(row.spillingTasks);
      const spillingShare = spillingTasks / tasks;
      const bytesRead = row.inputBytes + row.shuffleReadBytes;
      const memoryRatio = bytesRead > 0 ? row.memorySpilled / bytesRead : null;
      const diskRatio = bytesRead > 0 ? row.diskSpilled / bytesRead : null;
      const readsShuffle = row.shuffleReadBytes >= row.inputBytes && row.shuffleReadBytes > 0;
      const systematic = spillingShare >= SYSTEMATIC_SHARE;
      const label = stageLabel(stageId, attemptId);
      const relative =
        memoryRatio === null
          ? 'The stage read no input or shuffle data, so the spilled data was produced inside it.'
          : `That is ${memoryRatio.toFixed(2)}× the ${formatBytes(bytesRead)} the stage read ` +
            `(${readsShuffle ? 'mostly shuffle output' : 'mostly input'}).`;
      const pattern = systematic
        ? `${spillingTasks === tasks ? (tasks === 1 ? 'Its one task' : `All ${tasks} of its tasks`) : `${spillingTasks} of its ${tasks} tasks`} ` +
          'spilled, so the memory each task gets is short for this work, not ' +
          'just a few large partitions.'
        : `Only ${spillingTasks} of its ${tasks} tasks spilled: the spill comes from a few large partitions, which ` +
          'points at uneven data (see the data-skew insight if there is one) more than at memory per task.';
      const configuredPartitions = property('spark.sql.shuffle.partitions');
      const configuredSplit = property('spark.sql.files.maxPartitionBytes');
      const partitionsHint = readsShuffle
        ? 'raise the number of shuffle partitions (spark.sql.shuffle.partitions, ' +
          `${configuredPartitions === null ? `${SHUFFLE_PARTITIONS_DEFAULT} by default` : `set to ${configuredPartitions} here`}` +
          `${aqe ? '; with adaptive execution on, a smaller spark.sql.adaptive.advisoryPartitionSizeInBytes (64 MB by default) makes it coalesce less' : ''}` +
          '; with the RDD API, the numPartitions argument of the shuffle)'
        : 'split the input finer (spark.sql.files.maxPartitionBytes, ' +
          `${configuredSplit === null ? '128 MB by default' : `set to ${configuredSplit} here`})`;
      const fraction = Number(property('spark.memory.fraction') ?? MEMORY_FRACTION_DEFAULT);
      const fractionHint =
        Number.isFinite(fraction) && fraction < MEMORY_FRACTION_DEFAULT
          ? ` spark.memory.fraction is ${fraction} here, below Spark's ${MEMORY_FRACTION_DEFAULT} default, which leaves ` +
            'execution and storage a smaller share of the heap; raising it toward the default gives tasks more room.'
          : '';
      return {
        id: `spill:stage-${stageId}.${attemptId}`,
        type: 'spill',
        title: `${capitalize(label)} spilled ${formatBytes(row.diskSpilled)} to disk (${formatBytes(row.memorySpilled)} in memory)`,
        description:
          `In ${label}${name ? ` (${name})` : ''} tasks ran out of execution memory and spilled ` +
          `${formatBytes(row.memorySpilled)} of in-memory data, written as ${formatBytes(row.diskSpilled)} on disk and ` +
          `read back. ${relative} ${pattern} The tasks that spilled took ${formatDuration(row.spillingTaskTime)}, ` +
          `${formatShare(row.spillingTaskTime / app.totalTaskTimeMs)} of the application's task time.`,
        evidence: {
          stageId,
          stageAttemptId: attemptId,
          memoryBytesSpilled: row.memorySpilled,
          diskBytesSpilled: row.diskSpilled,
          inputBytes: row.inputBytes,
          shuffleReadBytes: row.shuffleReadBytes,
          memorySpillToBytesRead: memoryRatio === null ? null : round(memoryRatio),
          diskSpillToBytesRead: diskRatio === null ? null : round(diskRatio),
          tasks,
          spillingTasks,
          spillingTaskShare: round(spillingShare),
          medianBytesReadPerTask: row.medianBytesPerTask,
          maxPeakExecutionMemory: peak,
          maxPeakExecutionMemorySource: peakSource,
          spillingTaskTimeMs: row.spillingTaskTime,
          appTaskTimeMs: app.totalTaskTimeMs,
          configured: {
            'spark.sql.shuffle.partitions': property('spark.sql.shuffle.partitions'),
            'spark.sql.files.maxPartitionBytes': property('spark.sql.files.maxPartitionBytes'),
            'spark.executor.memory': property('spark.executor.memory'),
            'spark.executor.cores': property('spark.executor.cores'),
            'spark.memory.fraction': property('spark.memory.fraction'),
          },
          sparkDefaults: {
            'spark.sql.shuffle.partitions': SHUFFLE_PARTITIONS_DEFAULT,
            'spark.sql.files.maxPartitionBytes': MAX_PARTITION_BYTES_DEFAULT,
            'spark.memory.fraction': MEMORY_FRACTION_DEFAULT,
          },
          adaptiveExecutionEnabled: aqe,
          platform: app.platform.vendor,
          rapidsAccelerator: app.platform.rapids,
          thresholds: {
            minSpillBytes: MIN_SPILL_BYTES,
            minSpillBytesIs: 'spark.sql.adaptive.advisoryPartitionSizeInBytes default (64 MB)',
            minShareOfAppTaskTime: MIN_SHARE_OF_APP_TASK_TIME,
            systematicSpillingTaskShare: SYSTEMATIC_SHARE,
          },
        },
        // Clear when many tasks spilled; a handful of spilling tasks is a weaker, partition-specific signal.
        confidence: spillingTasks >= 10 && systematic ? 'HIGH' : spillingTasks >= 10 || systematic ? 'MEDIUM' : 'LOW',
        suggestion: (systematic
          ? `Give each task less data or more memory: ${partitionsHint}; or raise spark.executor.memory, or lower ` +
            `spark.executor.cores so fewer tasks share one executor's memory.${fractionHint}`
          : `Even out the partitions that spilled (salting or AQE skew handling for joins), or ${partitionsHint}.${fractionHint}`) +
          (app.platform.rapids ? RAPIDS_SPILL : ''),
        tradeoffs:
          'More partitions mean more tasks and shuffle blocks (scheduling overhead, smaller output files); more memory ' +
          'per executor fits fewer executors per node, and fewer cores per executor lowers parallelism per executor.',
        sparkDocsRef: spillDetector.sparkDocsRef,
        jobId: stage?.jobId ?? null,
        stageId,
        stageAttemptId: attemptId,
        sqlExecutionId: stage?.sqlExecutionId ?? null,
        impact: Math.min(1, row.spillingTaskTime / app.totalTaskTimeMs),
        impactMs: row.spillingTaskTime,
        claims: stageTaskTimeClaims(stage, row.spillingTaskTime),
      };
    });
  },
};
