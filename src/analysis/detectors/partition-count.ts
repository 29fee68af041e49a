import { adaptiveExecutionEnabled, type DetectorContext, type Detector, type InsightDraft } from '../detector.js';
import type { Confidence } from '../insight.js';
import { capitalize, counted, formatBytes, formatDuration, formatShare, round, stageLabel } from '../format.js';
import { SPARK_DEFAULTS } from '../spark-settings.js';
import { stageFacts, stageKey, type StageFacts } from '../stage-facts.js';
import { MiB as MB } from '../../model/units.js';

/** Spark defaults the rules are measured against (cited in every insight's evidence). */
const SHUFFLE_PARTITIONS_DEFAULT = SPARK_DEFAULTS['spark.sql.shuffle.partitions'];
const MAX_PARTITION_BYTES_DEFAULT = SPARK_DEFAULTS['spark.sql.files.maxPartitionBytes'];
const ADVISORY_PARTITION_BYTES_DEFAULT = SPARK_DEFAULTS['spark.sql.adaptive.advisoryPartitionSizeInBytes'];
/** A shuffle partition above ~200 MB is past the usual 100-200 MB sizing guidance. */
const LARGE_SHUFFLE_PARTITION_BYTES = 200 * MB;
/** "Far" above a size: twice it. */
const FAR_ABOVE = 2;

/** Too few: at most half the application's task slots get a task. */
const TOO_FEW_SHARE_OF_SLOTS = 0.5;
/** Too many: thousands of tasks (Spark compresses map statuses above 2000 partitions for the same reason)... */
const MANY_TASKS = 2000; // spark.shuffle.minNumPartitionsToHighlyCompress
/** ...well beyond the 2-3 tasks per core the tuning guide recommends... */
const MANY_TASKS_PER_SLOT = 3;
/** ...that are short (the tuning guide: Spark handles tasks "as short as 200 ms" efficiently)... */
const SHORT_TASK_MS = 200;
/** ...or read tiny partitions (AQE does not coalesce partitions below spark.sql.adaptive.coalescePartitions.minPartitionSize, 1 MB). */
const TINY_PARTITION_BYTES = 1 * MB;
/** A tiny-partition stage counts only when its tasks are also not long. */
const TINY_TASK_MAX_MS = 500;

/** Floors: a stage whose tasks ran under 10 s (first launch to last finish) or under 1% of the application does not matter. */
const MIN_STAGE_DURATION_MS = 10_000;
const MIN_SHARE = 0.01;
/** Tasks whose scheduler delay is at least this share of their time waited to start rather than worked. */
const LAUNCH_WAIT_SHARE = 0.5;
/** A longest task this many times the median means the stage waited on a few tasks, not on the partition count. */
const UNEVEN_FACTOR = 2;

type StageRow = StageFacts & {
  /** Task slots other stages' tasks kept busy during this stage's window, slot-ms (concurrent stages). */
  otherBusySlotMs: number;
};

interface Slots {
  slots: number;
  source: 'executors' | 'driver (local mode)';
}

/**
 * Partition count: stages with too few partitions (at most half the application's task slots, or partitions far
 * above 128 MB of input / 200 MB of shuffle) or too many (≥ 2000 tasks, ≥ 3 per slot, that are short or tiny).
 * Costs: for too few, how much longer the stage ran than its task time spread over every slot (or its share of
 * task time when only the partition size is at fault); for too many, the task time spent outside the tasks' code.
 */
export const partitionCountDetector: Detector = {
  type: 'partition-count',
  description:
    'Stages with too few partitions (far fewer tasks than cores, or partitions far above 128 MB input / 200 MB ' +
    'shuffle) or too many (thousands of tasks that are short or tiny).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#tuning-partitions',
  async detect(context) {
    const { app, query } = context;
    if (app.totalTaskTimeMs <= 0) return [];
    const executors = await executorSlots(context);
    const facts = (await stageFacts(context)).filter(
      (f) => f.status === 'COMPLETE' && f.medianDurationMs !== null && f.firstLaunch !== null && f.lastFinish !== null,
    );
    const busy = await otherBusySlotMs(context, facts.filter((f) => f.wallMs >= MIN_STAGE_DURATION_MS));
    const rows: StageRow[] = facts.map((f) => ({ ...f, otherBusySlotMs: busy.get(stageKey(f.stageId, f.stageAttemptId)) ?? 0 }));
    const insights: InsightDraft[] = [];
    for (const row of rows) {
      const slots = slotsDuring(executors, row.firstLaunch!, row.lastFinish!);
      const tooFew = tooFewInsight(row, slots, app);
      if (tooFew) insights.push(tooFew);
      const tooMany = tooManyInsight(row, slots, app);
      if (tooMany) insights.push(tooMany);
    }
    return insights;
  },
};

/**
 * For each stage attempt, the task time other stages' tasks spent inside its window (first launch to last
 * finish): slots those tasks held were not idle, whatever this stage's task count.
 */
async function otherBusySlotMs({ query }: DetectorContext, stages: StageFacts[]): Promise<Map<string, number>> {
  if (stages.length === 0) return new Map();
  const rows = await query<{ k: string; busy: number }>(`
    WITH w AS (
      SELECT unnest($ids::INTEGER[]) AS stageId, unnest($attempts::INTEGER[]) AS attemptId,
        unnest($froms::DOUBLE[]) AS f, unnest($tos::DOUBLE[]) AS t
    )
    SELECT w.stageId || '.' || w.attemptId AS k,
      coalesce(sum(greatest(0, least(x.finishTime, w.t) - greatest(x.launchTime, w.f))), 0)::DOUBLE AS busy
    FROM w JOIN app_tasks($appKey) x ON x.appKey = $appKey AND x.finishTime IS NOT NULL
      AND x.launchTime < w.t AND x.finishTime > w.f AND NOT (x.stageId = w.stageId AND x.stageAttemptId = w.attemptId)
    GROUP BY ALL`, {
    ids: `[${stages.map((f) => f.stageId).join(',')}]`,
    attempts: `[${stages.map((f) => f.stageAttemptId).join(',')}]`,
    froms: `[${stages.map((f) => f.firstLaunch).join(',')}]`,
    tos: `[${stages.map((f) => f.lastFinish).join(',')}]`,
  });
  return new Map(rows.map((row) => [row.k, row.busy]));
}

interface ExecutorSlots {
  slots: number;
  addTime: number | null;
  removeTime: number | null;
}

/** Executors (driver excluded) with their task slots (cores / spark.task.cpus), and the driver's for local mode. */
async function executorSlots({ query }: DetectorContext): Promise<{ executors: ExecutorSlots[]; driverSlots: number | null }> {
  const rows = await query<{ id: string; slots: number; addTime: number | null; removeTime: number | null }>(`
    SELECT id, maxTasks::DOUBLE AS slots, addTime::DOUBLE AS addTime, removeTime::DOUBLE AS removeTime
    FROM v_executors WHERE appKey = $appKey AND maxTasks > 0`);
  const driver = rows.find((row) => row.id === 'driver');
  return { executors: rows.filter((row) => row.id !== 'driver'), driverSlots: driver?.slots ?? null };
}

/**
 * The task slots a stage could use: the most executor slots registered at once while its tasks ran (from its
 * first launch to its last finish), driver excluded; in local mode, the driver's. Null when the log does not say.
 */
function slotsDuring(
  { executors, driverSlots }: { executors: ExecutorSlots[]; driverSlots: number | null },
  from: number,
  to: number,
): Slots | null {
  if (executors.length > 0) {
    const alive = (at: number): number =>
      executors
        .filter((e) => (e.addTime === null || e.addTime <= at) && (e.removeTime === null || e.removeTime > at))
        .reduce((sum, e) => sum + e.slots, 0);
    const moments = [from, ...executors.flatMap((e) => (e.addTime !== null && e.addTime > from && e.addTime <= to ? [e.addTime] : []))];
    const slots = Math.max(...moments.map(alive));
    if (slots > 0) return { slots, source: 'executors' };
  }
  return driverSlots ? { slots: driverSlots, source: 'driver (local mode)' } : null;
}

function sparkSettings(app: DetectorContext['app']): { [key: string]: string | null } {
  return Object.fromEntries(
    [
      'spark.sql.shuffle.partitions',
      'spark.sql.files.maxPartitionBytes',
      'spark.sql.adaptive.advisoryPartitionSizeInBytes',
      'spark.default.parallelism',
    ].map((key) => [key, app.sparkProperties.get(key) ?? null]),
  );
}

const sparkDefaults = {
  'spark.sql.shuffle.partitions': SHUFFLE_PARTITIONS_DEFAULT,
  'spark.sql.files.maxPartitionBytes': MAX_PARTITION_BYTES_DEFAULT,
  'spark.sql.adaptive.advisoryPartitionSizeInBytes': ADVISORY_PARTITION_BYTES_DEFAULT,
};

function tooFewInsight(row: StageRow, slots: Slots | null, app: DetectorContext['app']): InsightDraft | null {
  const tasks = row.numTasks;
  const duration = row.wallMs;
  const wallClock = app.durationMs ?? app.totalTaskTimeMs;
  // When a few tasks ran far longer than the median, they (skew, stragglers), not the partition count, set the
  // stage's length: other detectors speak to that.
  const uneven = row.maxDurationMs! > UNEVEN_FACTOR * Math.max(row.medianDurationMs!, 1);
  // Tasks that mostly waited to start (scheduler delay) were held up by scheduling, not by their count: the
  // launch-delay detector speaks to that.
  const waitedToLaunch = row.schedulerDelayMs >= LAUNCH_WAIT_SHARE * row.taskTimeMs;
  const fewerThanSlots = slots !== null && tasks <= TOO_FEW_SHARE_OF_SLOTS * slots.slots && !uneven && !waitedToLaunch;
  const largeInput = (row.medianInputBytes ?? 0) >= FAR_ABOVE * MAX_PARTITION_BYTES_DEFAULT;
  const largeShuffle = (row.medianShuffleReadBytes ?? 0) >= FAR_ABOVE * LARGE_SHUFFLE_PARTITION_BYTES;
  if (!fewerThanSlots && !largeInput && !largeShuffle) return null;
  if (duration < MIN_STAGE_DURATION_MS) return null;
  // Fewer tasks than slots: the stage ran longer than its work spread over every slot would take.
  // Slots other stages' tasks used in this window were not idle (concurrent stages share the executors).
  const idleEstimate = fewerThanSlots ? Math.max(0, duration - (row.taskTimeMs + row.otherBusySlotMs) / slots!.slots) : 0;
  const impactMs = fewerThanSlots ? idleEstimate : row.taskTimeMs;
  const impact = fewerThanSlots ? idleEstimate / wallClock : row.taskTimeMs / app.totalTaskTimeMs;
  if (impact < MIN_SHARE) return null;
  if (fewerThanSlots && idleEstimate <= 0) return null;
  const stageId = row.stageId;
  const attemptId = row.stageAttemptId;
  const label = stageLabel(stageId, attemptId);
  const reasons: string[] = [];
  if (fewerThanSlots) {
    reasons.push(`it ran ${counted(tasks, 'task')} while ${slots!.slots} task slots were registered`);
  }
  if (largeShuffle) reasons.push(`its median task read ${formatBytes((row.medianShuffleReadBytes ?? 0))} of shuffle data (guidance: 100-200 MB)`);
  if (largeInput) reasons.push(`its median task read ${formatBytes((row.medianInputBytes ?? 0))} of input (splits default to 128 MB)`);
  const readsShuffle = row.shuffleReadBytes > 0 && row.shuffleReadBytes >= row.inputBytes;
  const readsInput = row.inputBytes > 0 && !readsShuffle;
  const configured = sparkSettings(app);
  const how = readsShuffle
    ? `raise its shuffle partition count: spark.sql.shuffle.partitions (${configured['spark.sql.shuffle.partitions'] ?? `${SHUFFLE_PARTITIONS_DEFAULT} by default`}), or the n given to repartition(n) / coalesce(n) or to the RDD shuffle${
        adaptiveExecutionEnabled(app)
          ? '; adaptive execution coalesces toward spark.sql.adaptive.advisoryPartitionSizeInBytes (64 MB by default), so a smaller value keeps more partitions'
          : ''
      }`
    : readsInput
      ? `split its input finer: spark.sql.files.maxPartitionBytes (${configured['spark.sql.files.maxPartitionBytes'] ?? '128 MB by default'}) caps splits of splittable files; files that cannot be split (gzip) or very few files give one task each, so repartition right after reading or store splittable files`
      : 'create it with more partitions (the numSlices / numPartitions argument, or spark.default.parallelism)';
  const confidence: Confidence = uneven ? 'LOW' : duration >= 60_000 && (fewerThanSlots || tasks >= 10) ? 'HIGH' : 'MEDIUM';
  return {
    id: `partition-count:too-few:stage-${stageId}.${attemptId}`,
    type: 'partition-count',
    title: fewerThanSlots
      ? `${capitalize(label)} ran ${counted(tasks, 'task')} on ${slots!.slots} task slots`
      : `${capitalize(label)} has large partitions (${formatBytes(Math.max((row.medianShuffleReadBytes ?? 0), (row.medianInputBytes ?? 0)))} per task)`,
    description: (
      `${capitalize(label)}${row.name ? ` (${row.name})` : ''} has too few partitions: ${reasons.join('; ')}. It took ` +
      `${formatDuration(duration)} from its first task's launch to its last task's end, and ${formatDuration(row.taskTimeMs)} of task time. ` +
      (fewerThanSlots
        ? `Spread over every slot, that task time${row.otherBusySlotMs > 0 ? ` and the ${formatDuration(row.otherBusySlotMs)} other stages' tasks ran meanwhile` : ''} would fill ${formatDuration((row.taskTimeMs + row.otherBusySlotMs) / slots!.slots)}; the ` +
          `other ${formatDuration(idleEstimate)} the stage ran is ${formatShare(impact)} of the application's run time. `
        : '') +
      (uneven
        ? `Its longest task ran ${(row.maxDurationMs! / Math.max(row.medianDurationMs!, 1)).toFixed(1)}× the median, so the stage also waited on a few tasks (see the data-skew and stragglers insights).`
        : '')
    ).trimEnd(),
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      problem: 'too-few',
      reasons: [
        ...(fewerThanSlots ? ['fewer-tasks-than-slots'] : []),
        ...(largeShuffle ? ['large-shuffle-partitions'] : []),
        ...(largeInput ? ['large-input-partitions'] : []),
      ],
      tasks,
      taskSlots: slots?.slots ?? null,
      taskSlotsFrom: slots?.source ?? null,
      stageRunMs: duration,
      stageTaskTimeMs: row.taskTimeMs,
      medianTaskDurationMs: row.medianDurationMs!,
      maxTaskDurationMs: row.maxDurationMs!,
      medianInputBytesPerTask: (row.medianInputBytes ?? 0),
      medianShuffleReadBytesPerTask: (row.medianShuffleReadBytes ?? 0),
      idleSlotEstimateMs: fewerThanSlots ? idleEstimate : null,
      otherStagesTaskTimeInWindowMs: row.otherBusySlotMs,
      schedulerDelayMs: row.schedulerDelayMs,
      impactBasis: fewerThanSlots
        ? 'stage wall-clock beyond its and concurrent stages\' task time spread over every slot'
        : 'the stage\'s window, shared with other insights that claim it',
      adaptiveExecutionEnabled: adaptiveExecutionEnabled(app),
      configured,
      sparkDefaults,
      thresholds: {
        tooFewTasksPerSlot: TOO_FEW_SHARE_OF_SLOTS,
        unevenMaxToMedian: UNEVEN_FACTOR,
        largeInputPartitionBytes: FAR_ABOVE * MAX_PARTITION_BYTES_DEFAULT,
        largeShufflePartitionBytes: FAR_ABOVE * LARGE_SHUFFLE_PARTITION_BYTES,
        minStageRunMs: MIN_STAGE_DURATION_MS,
        minImpact: MIN_SHARE,
      },
    },
    confidence,
    suggestion: `Give this stage more, smaller partitions: ${how}.`,
    tradeoffs:
      'More partitions mean more tasks to schedule and more shuffle blocks (map tasks × reduce partitions), and ' +
      'more, smaller output files when the stage writes; aim for tasks of at least a few hundred milliseconds.',
    sparkDocsRef: partitionCountDetector.sparkDocsRef,
    jobId: row.jobId,
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: null,
    impact: Math.min(1, impact),
    impactMs,
    claims: [{ from: row.firstLaunch!, to: row.lastFinish!, share: duration > 0 ? (fewerThanSlots ? idleEstimate / duration : 1) : 0 }],
  };
}

function tooManyInsight(row: StageRow, slots: Slots | null, app: DetectorContext['app']): InsightDraft | null {
  const tasks = row.numTasks;
  if (tasks < MANY_TASKS) return null;
  if (slots !== null && tasks < MANY_TASKS_PER_SLOT * slots.slots) return null;
  const medianBytes = (row.medianInputBytes ?? 0) + (row.medianShuffleReadBytes ?? 0);
  const short = row.medianDurationMs! < SHORT_TASK_MS;
  const tiny = row.inputBytes + row.shuffleReadBytes > 0 && medianBytes < TINY_PARTITION_BYTES && row.medianDurationMs! < TINY_TASK_MAX_MS;
  if (!short && !tiny) return null;
  const impact = row.overheadMs / app.totalTaskTimeMs;
  if (impact < MIN_SHARE) return null;
  const stageId = row.stageId;
  const attemptId = row.stageAttemptId;
  const label = stageLabel(stageId, attemptId);
  const overheadShare = row.taskTimeMs > 0 ? row.overheadMs / row.taskTimeMs : 0;
  const listing = /^Listing leaf files and directories/i.test(row.jobDescription ?? '');
  const readsShuffle = row.shuffleReadBytes > 0 && row.shuffleReadBytes >= row.inputBytes;
  const configured = sparkSettings(app);
  const suggestion = listing
    ? 'This stage lists a partitioned table\'s directories, one task per path (up to ' +
      'spark.sql.sources.parallelPartitionDiscovery.parallelism, 10000 by default). Fewer partition directories ' +
      '(coarser partition columns), a lower parallelism setting, or a table format / catalog that tracks files ' +
      '(Delta, Iceberg, Hive metastore partitions) lowers the number of listing tasks.'
    : readsShuffle
      ? `Use fewer shuffle partitions: spark.sql.shuffle.partitions (${configured['spark.sql.shuffle.partitions'] ?? `${SHUFFLE_PARTITIONS_DEFAULT} by default`}) or the n of repartition(n); adaptive execution (spark.sql.adaptive.enabled with coalescePartitions) merges small shuffle partitions toward advisoryPartitionSizeInBytes (64 MB).`
      : 'Read with fewer, larger splits: compact small files (or raise spark.sql.files.maxPartitionBytes / spark.sql.files.openCostInBytes so more files share a task), or coalesce(n) after reading.';
  return {
    id: `partition-count:too-many:stage-${stageId}.${attemptId}`,
    type: 'partition-count',
    title: `${capitalize(label)} ran ${tasks} ${short ? 'short' : 'tiny'} tasks (median ${formatDuration(row.medianDurationMs!)}${tiny ? `, ${formatBytes(medianBytes)} each` : ''})`,
    description:
      `${capitalize(label)}${row.name ? ` (${row.name})` : ''} ran ${tasks} tasks` +
      `${slots ? ` on ${slots.slots} task slots (${(tasks / slots.slots).toFixed(0)} per slot)` : ''}, with a median ` +
      `task of ${formatDuration(row.medianDurationMs!)}${medianBytes > 0 ? ` reading ${formatBytes(medianBytes)}` : ''}. ` +
      `Its tasks spent ${formatDuration(row.overheadMs)} outside their own code (scheduling, deserialization, ` +
      `results), ${formatShare(overheadShare)} of their time and ${formatShare(impact)} of the application's task time.` +
      (listing ? ` The job is Spark listing files: "${truncate(row.jobDescription ?? '', 100)}".` : ''),
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      problem: 'too-many',
      reasons: [...(short ? ['short-tasks'] : []), ...(tiny ? ['tiny-partitions'] : [])],
      tasks,
      taskSlots: slots?.slots ?? null,
      taskSlotsFrom: slots?.source ?? null,
      medianTaskDurationMs: row.medianDurationMs!,
      medianBytesReadPerTask: medianBytes,
      stageTaskTimeMs: row.taskTimeMs,
      overheadMs: row.overheadMs,
      overheadShareOfTaskTime: round(overheadShare),
      fileListing: listing,
      adaptiveExecutionEnabled: adaptiveExecutionEnabled(app),
      configured,
      sparkDefaults,
      thresholds: {
        manyTasks: MANY_TASKS,
        manyTasksPerSlot: MANY_TASKS_PER_SLOT,
        shortTaskMs: SHORT_TASK_MS,
        tinyPartitionBytes: TINY_PARTITION_BYTES,
        tinyTaskMaxMs: TINY_TASK_MAX_MS,
        minImpact: MIN_SHARE,
      },
    },
    confidence: overheadShare >= 0.25 ? 'HIGH' : overheadShare >= 0.1 ? 'MEDIUM' : 'LOW',
    suggestion,
    tradeoffs:
      'Fewer partitions mean larger tasks: more memory per task (spill risk) and less parallelism if the count drops ' +
      'below the number of cores; compacting files is an extra job to run.',
    sparkDocsRef: partitionCountDetector.sparkDocsRef,
    jobId: row.jobId,
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: null,
    impact: Math.min(1, impact),
    impactMs: row.overheadMs,
    claims: [{ from: row.firstLaunch!, to: row.lastFinish!, share: overheadShare }],
  };
}

function truncate(text: string, length: number): string {
  const clean = text.replace(/<br\/?>/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length > length ? `${clean.slice(0, length - 3)}...` : clean;
}
