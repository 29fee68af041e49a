import { adaptiveExecutionEnabled, booleanProperty, shareOfTaskTime as share, type ApplicationFacts, type Detector, type InsightDraft } from '../detector.js';
import { claimedWallMs } from '../claims.js';
import { stageFacts, stageTaskTimeClaims, type StageFacts } from '../stage-facts.js';
import { counted, formatBytes, formatDuration, formatShare } from '../format.js';
import type { Confidence } from '../insight.js';
import { byteSizeProperty, propertyOrDefault, sparkAtLeast, sparkMajorMinor } from '../properties.js';
import { MiB as MB, GiB as GB } from '../../model/units.js';

/**
 * Shuffle-related settings stay quiet below one default advisory partition of shuffle data
 * (spark.sql.adaptive.advisoryPartitionSizeInBytes, 64 MB): too little for how it is shuffled to matter.
 */
const MIN_SHUFFLE_BYTES = 64 * MB;
/** With at least this much SQL shuffle the case for adaptive execution is clear. */
const CLEAR_SQL_SHUFFLE_BYTES = GB;
/** spark.driver.maxResultSize default. */
const DEFAULT_MAX_RESULT_SIZE = GB;
/** A stage's collected results at this share of spark.driver.maxResultSize are within 2× of aborting the job. */
const RESULT_SIZE_SHARE = 0.5;
const RESULT_SIZE_CLEAR_SHARE = 0.8;

const AQE_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#adaptive-query-execution';
const SERIALIZATION_DOCS = 'https://spark.apache.org/docs/latest/tuning.html#data-serialization';
const DYNAMIC_ALLOCATION_DOCS = 'https://spark.apache.org/docs/latest/job-scheduling.html#dynamic-resource-allocation';
const DRIVER_DOCS = 'https://spark.apache.org/docs/latest/configuration.html#application-properties';

const sum = <T>(rows: readonly T[], value: (row: T) => number): number => rows.reduce((total, row) => total + value(row), 0);

/**
 * Why a settings finding states no time: the setting shapes how the stages ran, but this run measured no time
 * that it alone caused, so it is context for the problems and never outranks one.
 */
const SETTING_IMPACT_BASIS = 'none: a setting, not a stretch of time this run measured; the stages it shaped and their task time are evidence';

/** AQE off on Spark 3+, for applications whose SQL queries shuffled at least 64 MB. */
function adaptiveExecutionOff(app: ApplicationFacts, stages: readonly StageFacts[]): InsightDraft | null {
  const version = sparkMajorMinor(app);
  if (version === null || version[0] < 3 || adaptiveExecutionEnabled(app)) return null;
  const sqlShuffle = stages.filter((stage) => stage.sqlExecutionId !== null && stage.shuffleReadBytes > 0);
  const bytes = sum(sqlShuffle, (stage) => stage.shuffleReadBytes);
  if (bytes < MIN_SHUFFLE_BYTES) return null;
  const taskMs = sum(sqlShuffle, (stage) => stage.taskTimeMs);
  const explicit = app.sparkProperties.get('spark.sql.adaptive.enabled');
  const taskShare = share(app, taskMs);
  return {
    id: 'config-hygiene:adaptive-execution-off',
    type: 'config-hygiene',
    title: `Adaptive query execution was off on Spark ${app.sparkVersion}`,
    description:
      `Adaptive query execution was ${explicit === undefined ? `off by default (Spark ${version.join('.')} predates 3.2, which turned it on)` : 'turned off (spark.sql.adaptive.enabled=false)'} ` +
      `while SQL queries read ${formatBytes(bytes)} of shuffle data in ${counted(sqlShuffle.length, 'stage')}, ` +
      `${formatShare(taskShare)} of the application's task time. Those stages ran with a fixed partition count ` +
      `(spark.sql.shuffle.partitions = ${propertyOrDefault(app, 'spark.sql.shuffle.partitions', '200')}) and the join strategies chosen before any data was seen.`,
    evidence: {
      sparkVersion: app.sparkVersion,
      properties: {
        'spark.sql.adaptive.enabled': explicit ?? 'unset (default false before Spark 3.2)',
        'spark.sql.shuffle.partitions': propertyOrDefault(app, 'spark.sql.shuffle.partitions', '200'),
      },
      sqlShuffleStages: sqlShuffle.map((stage) => stage.stageId),
      sqlShuffleReadBytes: bytes,
      sqlShuffleStageTaskTimeMs: taskMs,
      impactBasis: SETTING_IMPACT_BASIS,
      floor: { minSqlShuffleReadBytes: MIN_SHUFFLE_BYTES, cites: 'spark.sql.adaptive.advisoryPartitionSizeInBytes 64 MB' },
    },
    confidence: bytes >= CLEAR_SQL_SHUFFLE_BYTES ? 'MEDIUM' : 'LOW',
    suggestion:
      'Set spark.sql.adaptive.enabled=true. Adaptive execution re-plans each query at its shuffle boundaries with the ' +
      'sizes it measured: it coalesces small shuffle partitions toward spark.sql.adaptive.advisoryPartitionSizeInBytes ' +
      '(64 MB), switches sort-merge joins to broadcast joins when one side turns out small, and splits skewed join partitions.',
    tradeoffs:
      'Plans change while the query runs, so the plan to read is the final one; coalescing can lower the parallelism of ' +
      `CPU-heavy stages${sparkAtLeast(app, 3, 2) ? ' (see spark.sql.adaptive.coalescePartitions.parallelismFirst)' : ''}, ` +
      'and Spark 3.0/3.1 applied fewer of these optimizations than later versions.',
    sparkDocsRef: AQE_DOCS,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: 0,
    impactMs: 0,
    role: 'explanation',
  };
}

/** The Java serializer for RDD shuffles of at least 64 MB (SQL shuffles use Spark's own row format). */
function javaSerializer(app: ApplicationFacts, stages: readonly StageFacts[]): InsightDraft | null {
  const serializer = app.sparkProperties.get('spark.serializer');
  if (serializer !== undefined && !/JavaSerializer/.test(serializer)) return null;
  const rddShuffle = stages.filter((stage) => stage.sqlExecutionId === null && (stage.shuffleWriteBytes > 0 || stage.shuffleReadBytes > 0));
  const written = sum(rddShuffle, (stage) => stage.shuffleWriteBytes);
  if (written < MIN_SHUFFLE_BYTES) return null;
  const taskMs = sum(rddShuffle, (stage) => stage.taskTimeMs);
  const python = rddShuffle.some((stage) => /\.py:\d+/.test(stage.name ?? ''));
  const taskShare = share(app, taskMs);
  return {
    id: 'config-hygiene:java-serializer',
    type: 'config-hygiene',
    title: `RDD shuffles of ${formatBytes(written)} went through the Java serializer`,
    description:
      `spark.serializer was ${serializer === undefined ? 'unset, so Spark used its default JavaSerializer,' : serializer} while ` +
      `${counted(rddShuffle.length, 'stage')} outside SQL queries wrote ${formatBytes(written)} of ` +
      `shuffle data (${formatShare(taskShare)} of the application's task time). Java serialization writes class metadata ` +
      'with the objects and is slower and larger than Kryo for RDD records.' +
      (python ? ' These stages come from Python code, whose records reach the JVM already pickled, so the gain is smaller.' : ''),
    evidence: {
      properties: { 'spark.serializer': serializer ?? 'unset (default org.apache.spark.serializer.JavaSerializer)' },
      rddShuffleStages: rddShuffle.map((stage) => stage.stageId),
      rddShuffleWriteBytes: written,
      rddShuffleStageTaskTimeMs: taskMs,
      pythonStages: python,
      impactBasis: SETTING_IMPACT_BASIS,
      floor: { minRddShuffleWriteBytes: MIN_SHUFFLE_BYTES, cites: 'spark.sql.adaptive.advisoryPartitionSizeInBytes 64 MB' },
    },
    confidence: python ? 'LOW' : 'MEDIUM',
    suggestion:
      'Set spark.serializer=org.apache.spark.serializer.KryoSerializer and register the shuffled classes ' +
      '(spark.kryo.classesToRegister, or spark.kryo.registrationRequired=true to find them all). DataFrame and SQL ' +
      'shuffles are not affected by this setting.',
    tradeoffs:
      'Unregistered classes make Kryo write full class names; some classes need a custom Kryo serializer, and ' +
      'registrationRequired fails jobs until every class is registered.',
    sparkDocsRef: SERIALIZATION_DOCS,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: 0,
    impactMs: 0,
    role: 'explanation',
  };
}

/** Dynamic allocation removing executors with no shuffle service, shuffle tracking or shuffle migration to keep their files. */
async function unprotectedDynamicAllocation(
  app: ApplicationFacts,
  stages: readonly StageFacts[],
  query: <T>(sql: string) => Promise<T[]>,
): Promise<InsightDraft | null> {
  const master = app.sparkProperties.get('spark.master') ?? '';
  if (!booleanProperty(app, 'spark.dynamicAllocation.enabled', false) || /^local(\[|$)/.test(master)) return null;
  const service = booleanProperty(app, 'spark.shuffle.service.enabled', false);
  // Spark 3.4 turned shuffle tracking on by default.
  const tracking = booleanProperty(app, 'spark.dynamicAllocation.shuffleTracking.enabled', sparkAtLeast(app, 3, 4));
  const migration = booleanProperty(app, 'spark.decommission.enabled', false) &&
    booleanProperty(app, 'spark.storage.decommission.enabled', false) &&
    booleanProperty(app, 'spark.storage.decommission.shuffleBlocks.enabled', true);
  const plugin = app.sparkProperties.get('spark.shuffle.sort.io.plugin.class');
  const customStorage = plugin !== undefined && !/LocalDiskShuffleDataIO/.test(plugin);
  if (service || tracking || migration || customStorage) return null;
  const written = sum(stages, (stage) => stage.shuffleWriteBytes);
  if (written < MIN_SHUFFLE_BYTES) return null;
  const [lost] = await query<{ removed: bigint }>(`
    SELECT (SELECT count(*) FROM executors e JOIN applications a USING (appKey)
            WHERE e.appKey = $appKey AND e.executorId <> 'driver' AND e.removeTime IS NOT NULL
              AND (a.endTime IS NULL OR e.removeTime < a.endTime)) AS removed`);
  const removed = Number(lost?.removed ?? 0);
  if (removed === 0) return null;
  const fetchFailed = sum(stages, (stage) => stage.fetchFailedTasks);
  const lostMs = sum(stages, (stage) => stage.lostShuffleTaskMs);
  // The lost attempts' time, as wall-clock: each stage attempt's window at the share of its task time they took.
  const claims = stages
    .filter((stage) => stage.lostShuffleTaskMs > 0)
    .flatMap((stage) => stageTaskTimeClaims(stage, stage.lostShuffleTaskMs));
  const confidence: Confidence = fetchFailed > 0 ? 'HIGH' : 'MEDIUM';
  return {
    id: 'config-hygiene:dynamic-allocation-without-shuffle-service',
    type: 'config-hygiene',
    title: 'Dynamic allocation removed executors with nothing keeping their shuffle files',
    description:
      `Dynamic allocation removed ${counted(removed, 'executor')} during the run, but neither the external ` +
      'shuffle service nor shuffle tracking (nor shuffle block migration) kept the shuffle files they wrote ' +
      `(${formatBytes(written)} in all). Removing such an executor forces the map stages that wrote them to run again` +
      (fetchFailed > 0 ? `; ${fetchFailed} fetch failures cost ${formatDuration(lostMs)} of task time here.` : '.'),
    evidence: {
      properties: {
        'spark.dynamicAllocation.enabled': propertyOrDefault(app, 'spark.dynamicAllocation.enabled', 'false'),
        'spark.shuffle.service.enabled': propertyOrDefault(app, 'spark.shuffle.service.enabled', 'false'),
        'spark.dynamicAllocation.shuffleTracking.enabled': propertyOrDefault(
          app, 'spark.dynamicAllocation.shuffleTracking.enabled', sparkAtLeast(app, 3, 4) ? 'true' : 'false'),
        'spark.decommission.enabled': propertyOrDefault(app, 'spark.decommission.enabled', 'false'),
      },
      sparkVersion: app.sparkVersion,
      executorsRemovedDuringRun: removed,
      shuffleWriteBytes: written,
      fetchFailedAttempts: fetchFailed,
      lostTaskTimeMs: lostMs,
      lostTaskTimeStages: stages.filter((stage) => stage.lostShuffleTaskMs > 0).map((stage) => ({ stageId: stage.stageId, stageAttemptId: stage.stageAttemptId })),
      impactBasis: 'the windows of the stage attempts with fetch-failed or resubmitted tasks, each at the share of its task time those tasks took',
      floor: { minShuffleWriteBytes: MIN_SHUFFLE_BYTES, minExecutorsRemoved: 1 },
    },
    confidence,
    suggestion:
      'Keep shuffle files available when executors go: enable the external shuffle service ' +
      '(spark.shuffle.service.enabled=true, on YARN or standalone) or shuffle tracking ' +
      '(spark.dynamicAllocation.shuffleTracking.enabled=true, e.g. on Kubernetes).',
    tradeoffs:
      'The shuffle service is a node daemon to deploy and upgrade; shuffle tracking keeps executors that hold shuffle ' +
      'data alive until spark.dynamicAllocation.shuffleTracking.timeout, so fewer executors are released.',
    sparkDocsRef: DYNAMIC_ALLOCATION_DOCS,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    impact: 0,
    impactMs: Math.round(claimedWallMs(claims)),
    claims,
  };
}

/**
 * Result stages whose tasks sent the driver at least half of spark.driver.maxResultSize. The risk is the job
 * aborting; the time it measurably cost is the driver fetching results stored in the block manager (getting
 * result time), claimed as that share of the stage's window.
 */
function largeResults(app: ApplicationFacts, facts: readonly StageFacts[]): InsightDraft[] {
  const configured = app.sparkProperties.get('spark.driver.maxResultSize');
  const limit = byteSizeProperty(app, 'spark.driver.maxResultSize', DEFAULT_MAX_RESULT_SIZE);
  const unlimited = limit <= 0;
  // With no limit, compare against the default one: what most drivers are sized for.
  const reference = unlimited ? DEFAULT_MAX_RESULT_SIZE : limit;
  const floor = RESULT_SIZE_SHARE * reference;
  return facts.filter((stage) => stage.resultBytes > 0 && stage.resultBytes >= floor).map((stage): InsightDraft => {
    const { stageId, stageAttemptId: attemptId } = stage;
    const ofLimit = stage.resultBytes / reference;
    const stageDurationMs = stage.submissionTime !== null && stage.completionTime !== null ? stage.completionTime - stage.submissionTime : null;
    const claims = stageTaskTimeClaims(stage, stage.gettingResultMs);
    return {
      id: `config-hygiene:large-results-stage-${stageId}.${attemptId}`,
      type: 'config-hygiene',
      title: `Stage ${stageId} sent ${formatBytes(stage.resultBytes)} of results to the driver`,
      description:
        `The ${counted(stage.successfulTasks, 'task')} of stage ${stageId}${stage.name ? ` (${stage.name})` : ''} returned ` +
        `${formatBytes(stage.resultBytes)} of serialized results to the driver (largest task ${formatBytes(stage.maxTaskResultBytes)}), ` +
        (unlimited
          ? `with no spark.driver.maxResultSize limit (0); that is ${formatShare(ofLimit)} of the default 1 GB limit. `
          : `${formatShare(Math.min(1, ofLimit))} of spark.driver.maxResultSize (${configured ?? '1g, the default'}); past it Spark aborts the job. `) +
        'All of it has to fit in the driver\'s memory at once.' +
        (stage.gettingResultMs > 0 ? ` Fetching the results took ${formatDuration(stage.gettingResultMs)} of task time.` : ''),
      evidence: {
        stageId,
        stageAttemptId: attemptId,
        tasks: stage.successfulTasks,
        resultBytes: stage.resultBytes,
        maxTaskResultBytes: stage.maxTaskResultBytes,
        shareOfMaxResultSize: Number(ofLimit.toFixed(4)),
        stageDurationMs,
        gettingResultTimeMs: stage.gettingResultMs,
        stageTaskTimeMs: stage.taskTimeMs,
        properties: {
          'spark.driver.maxResultSize': configured ?? '1g (default)',
          'spark.driver.memory': propertyOrDefault(app, 'spark.driver.memory', '1g'),
        },
        impactBasis: 'the stage\'s window at the share of its task time spent getting results to the driver; the risk of an aborted job is in confidence and severity',
        threshold: { shareOfMaxResultSize: RESULT_SIZE_SHARE, maxResultSizeBytes: reference },
      },
      confidence: ofLimit >= RESULT_SIZE_CLEAR_SHARE ? 'HIGH' : 'MEDIUM',
      suggestion:
        'Keep large results off the driver: write them out (DataFrame.write) instead of collecting, aggregate or limit ' +
        'before collect(), or stream them with toLocalIterator(). If the driver really needs them, raise ' +
        'spark.driver.maxResultSize together with spark.driver.memory.',
      tradeoffs:
        'Writing results out adds a read step for their consumer; toLocalIterator runs one job per partition; a larger ' +
        'maxResultSize moves the risk to an out-of-memory driver, which ends the whole application.',
      sparkDocsRef: DRIVER_DOCS,
      jobId: stage.jobId,
      stageId,
      stageAttemptId: attemptId,
      sqlExecutionId: stage.sqlExecutionId,
      impact: 0,
      impactMs: Math.round(claimedWallMs(claims)),
      claims,
      // Within 80% of aborting the job is worth a look whatever time it took.
      ...(ofLimit >= RESULT_SIZE_CLEAR_SHARE ? { severityFloor: 'LOW' as const } : {}),
    };
  });
}

/**
 * Configuration hygiene: settings that the application's own measurements say work against it, each its own
 * insight with the property values as evidence: adaptive execution off on Spark 3+ while SQL queries shuffled,
 * the Java serializer for RDD shuffles, dynamic allocation removing executors with nothing to keep their shuffle
 * files, and result stages sending the driver at least half of spark.driver.maxResultSize. The first two are
 * settings with no time of their own (impact 0, explanations); the others claim the wall-clock their stages lost
 * to fetch failures and resubmits, or spent getting results to the driver.
 */
export const configHygieneDetector: Detector = {
  type: 'config-hygiene',
  description:
    'Settings the measurements argue against: AQE off on Spark 3+ with SQL shuffles, the Java serializer for RDD ' +
    'shuffles, dynamic allocation without shuffle service or tracking, results near spark.driver.maxResultSize.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/configuration.html',
  async detect(context) {
    const { app, query } = context;
    const stages = (await stageFacts(context)).filter((stage) => stage.status !== 'SKIPPED');
    const insights = [
      adaptiveExecutionOff(app, stages),
      javaSerializer(app, stages),
      await unprotectedDynamicAllocation(app, stages, query),
      ...largeResults(app, stages),
    ];
    return insights.filter((insight): insight is InsightDraft => insight !== null);
  },
};
