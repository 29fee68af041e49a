import { shareOfTaskTime, type ApplicationFacts, type Detector, type InsightDraft } from '../detector.js';
import { claimedWallMs, type WallClaim } from '../claims.js';
import { stageFacts, stageKey, stageWindowClaims, type StageFacts } from '../stage-facts.js';
import { counted, formatBytes, formatShare } from '../format.js';
import type { Confidence } from '../insight.js';
import { byteSizeProperty, propertyOrDefault } from '../properties.js';
import {
  forEachSqlPlanBatch, loadMetricValues, metricOf, metricValue, planNodes, stagesReporting, type MetricValues, type PlanNode, type SqlPlan,
} from '../sql-plans.js';
import { MiB as MB } from '../../model/units.js';

/** spark.sql.files.openCostInBytes: Spark counts opening a file as costing as much as reading 4 MB of it. */
const DEFAULT_OPEN_COST_BYTES = 4 * MB;
/** spark.sql.files.maxPartitionBytes: how much Spark packs into one read task. */
const DEFAULT_MAX_PARTITION_BYTES = 128 * MB;
/** A scan of fewer files lists and opens them quickly enough not to matter. */
const MIN_FILES_READ = 1_000;
/**
 * spark.sql.shuffle.partitions (200): a write straight after a default shuffle creates this many files per
 * output partition, the usual origin of a small-files table; fewer files than that is not worth a finding.
 */
const MIN_FILES_WRITTEN = 200;
/** Files averaging under 1 MB are unmistakably tiny. */
const CLEARLY_TINY_BYTES = MB;

const READ_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#other-configuration-options';
const WRITE_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#coalesce-hints-for-sql-queries';

/** What a scan's plan text says it read: "Location: InMemoryFileIndex(1 paths)[s3://bucket/table]" → the path. */
export function scanLocation(simpleString: string): string | null {
  const match = /Location:\s*\w+(?:\(\d+ paths?\))?\[([^\]]*)\]/.exec(simpleString);
  return match ? match[1]!.trim() || null : null;
}

/** Where a write command wrote: "Execute InsertIntoHadoopFsRelationCommand s3://bucket/out, false, ..." → the path. */
export function writeTarget(simpleString: string): string | null {
  const match = /(?:InsertIntoHadoopFsRelationCommand|CreateDataSourceTableAsSelectCommand|InsertIntoHiveTable|CreateHiveTableAsSelectCommand)\s+([^,\s]+)/.exec(simpleString);
  return match ? match[1]! : null;
}

/**
 * Small files: scans that read at least 1,000 files averaging under spark.sql.files.openCostInBytes (4 MB, the
 * cost Spark itself charges for opening a file), and writes that created at least 200 files averaging under it.
 * Counts and sizes come from the SQL metrics "number of files read" / "size of files read" and "number of
 * written files" / "written output". The cost shown is the task time of the stages that ran the scan or write.
 */
export const smallFilesDetector: Detector = {
  type: 'small-files',
  description:
    'Scans of 1,000+ files or writes of 200+ files averaging under spark.sql.files.openCostInBytes (4 MB), from ' +
    'the SQL metrics of files read and written.',
  sparkDocsRef: READ_DOCS,
  async detect(context) {
    const { app, query } = context;
    const openCost = byteSizeProperty(app, 'spark.sql.files.openCostInBytes', DEFAULT_OPEN_COST_BYTES);
    const maxPartition = byteSizeProperty(app, 'spark.sql.files.maxPartitionBytes', DEFAULT_MAX_PARTITION_BYTES);
    // Read only once some plan scans or writes files.
    let measured: { values: MetricValues; loads: Map<string, StageFacts> } | null = null;
    const insights: InsightDraft[] = [];
    const seen = new Set<number>();
    await forEachSqlPlanBatch(query, async (plans) => {
      const relevant = plans
        .map((sql) => ({
          sql,
          nodes: planNodes(sql.plan).filter((node) => metricOf(node, 'number of files read', 'number of files', 'number of written files') !== null),
        }))
        .filter(({ nodes }) => nodes.length > 0);
      if (relevant.length === 0) return;
      measured ??= {
        values: await loadMetricValues(query),
        loads: new Map((await stageFacts(context)).filter((f) => f.status !== 'SKIPPED').map((f) => [stageKey(f.stageId, f.stageAttemptId), f])),
      };
      const { values, loads } = measured;
      // One look-up for every scan's and write's stages of the batch, however many queries it holds.
      const reporting = await stagesReporting(query, relevant.flatMap(({ nodes }) =>
        nodes.flatMap((node) => node.metrics.map((metric) => metric.accumulatorId))));
      for (const { sql, nodes } of relevant) {
        for (const node of nodes) {
          const counter = metricOf(node, 'number of files read', 'number of files', 'number of written files')!;
          if (seen.has(counter.accumulatorId)) continue; // the same scan reused within a plan
          seen.add(counter.accumulatorId);
          const stages = new Map<string, StageFacts>();
          for (const metric of node.metrics) {
            for (const stage of reporting.get(metric.accumulatorId) ?? []) {
              const load = loads.get(stageKey(stage.stageId, stage.attemptId));
              if (load) stages.set(stageKey(stage.stageId, stage.attemptId), load);
            }
          }
          // A write's metrics come from the driver; its stages are those of the execution's jobs.
          const writing = metricOf(node, 'number of written files') !== null;
          if (writing && stages.size === 0) {
            for (const stageId of sql.stageIds) {
              for (const [key, load] of loads) if (load.stageId === stageId) stages.set(key, load);
            }
          }
          const insight = writing
            ? writeInsight(app, sql, node, values, [...stages.values()], openCost)
            : scanInsight(app, sql, node, values, [...stages.values()], openCost, maxPartition);
          if (insight) insights.push(insight);
        }
      }
    });
    return insights;
  },
};

/** The task time and tasks of the stages that ran a scan or write, and where its insight points (one stage, or none). */
function scope(sql: SqlPlan, stages: StageFacts[], claims: WallClaim[]): {
  taskMs: number;
  tasks: number;
  placement: Pick<InsightDraft, 'jobId' | 'stageId' | 'stageAttemptId' | 'sqlExecutionId' | 'impact' | 'impactMs' | 'claims'>;
} {
  const taskMs = stages.reduce((sum, stage) => sum + stage.taskTimeMs, 0);
  const tasks = stages.reduce((sum, stage) => sum + stage.taskAttempts, 0);
  const stage = stages.length === 1 ? stages[0]! : null;
  return {
    taskMs,
    tasks,
    placement: {
      jobId: null,
      stageId: stage ? stage.stageId : null,
      stageAttemptId: stage ? stage.stageAttemptId : null,
      sqlExecutionId: sql.executionId,
      // Recomputed from the claims, each moment counted once across insights.
      impact: 0,
      impactMs: Math.round(claimedWallMs(claims)),
      claims,
    },
  };
}

/** Claims on the windows of `stages`, each at `share`. */
const windowsOf = (stages: readonly StageFacts[], share: number): WallClaim[] => stages.flatMap((stage) => stageWindowClaims(stage, share));

function scanInsight(
  app: ApplicationFacts,
  sql: SqlPlan,
  node: PlanNode,
  values: MetricValues,
  stages: StageFacts[],
  openCost: number,
  maxPartition: number,
): InsightDraft | null {
  const files = metricValue(node, values, 'number of files read', 'number of files');
  if (files === null || files < MIN_FILES_READ) return null;
  const measured = metricValue(node, values, 'size of files read');
  // Spark before 3.0 logged no file sizes: the scan stages' input bytes stand in (LOW confidence).
  const bytes = measured ?? (stages.length > 0 ? stages.reduce((sum, stage) => sum + stage.inputBytes, 0) : null);
  if (bytes === null) return null;
  const average = bytes / files;
  if (average >= openCost) return null;
  const openShare = (files * openCost) / (bytes + files * openCost);
  const { taskMs, tasks, placement } = scope(sql, stages, windowsOf(stages, openShare));
  const impact = shareOfTaskTime(app, taskMs);
  const location = scanLocation(node.simpleString);
  const confidence: Confidence = measured === null ? 'LOW' : average < CLEARLY_TINY_BYTES && files >= 10 * MIN_FILES_READ ? 'HIGH' : 'MEDIUM';
  return {
    id: `small-files:sql-${sql.executionId}-scan-${node.metrics[0]?.accumulatorId ?? 0}`,
    type: 'small-files',
    title: `A scan read ${files.toLocaleString('en-US')} files averaging ${formatBytes(average)}`,
    description:
      `In SQL execution ${sql.executionId}${sql.description ? ` (${sql.description})` : ''}, ${node.nodeName.trim()}` +
      `${location ? ` of ${location}` : ''} read ${files.toLocaleString('en-US')} files, ${formatBytes(bytes)} in all: ` +
      `${formatBytes(average)} per file, under the ${formatBytes(openCost)} Spark charges for opening one ` +
      `(spark.sql.files.openCostInBytes), so Spark's own cost model counts opening them as ${formatShare(openShare)} of the scan's work.` +
      (tasks > 0 ? ` Its stage${stages.length === 1 ? '' : 's'} ran ${counted(tasks, 'task')}, ${formatBytes(bytes / tasks)} per task, for ` +
        `${formatShare(impact)} of the application's task time.` : ''),
    evidence: {
      sqlExecutionId: sql.executionId,
      operator: node.nodeName.trim(),
      location,
      filesRead: files,
      bytesRead: bytes,
      bytesSource: measured === null ? 'stage input bytes (the log has no size of files read)' : 'size of files read',
      averageFileBytes: Math.round(average),
      openCostShare: Number(openShare.toFixed(3)),
      stages: stages.map((s) => ({ stageId: s.stageId, stageAttemptId: s.stageAttemptId, tasks: s.taskAttempts })),
      tasks,
      averageBytesPerTask: tasks > 0 ? Math.round(bytes / tasks) : null,
      stageTaskTimeMs: taskMs,
      properties: {
        'spark.sql.files.openCostInBytes': propertyOrDefault(app, 'spark.sql.files.openCostInBytes', '4194304'),
        'spark.sql.files.maxPartitionBytes': propertyOrDefault(app, 'spark.sql.files.maxPartitionBytes', '134217728'),
      },
      thresholds: { averageFileBytesBelow: openCost, minFilesRead: MIN_FILES_READ, maxPartitionBytes: maxPartition },
      impactBasis: 'the scan stages\' windows at the open-cost share of the scan\'s work in Spark\'s own cost model (openCostShare)',
    },
    confidence,
    suggestion:
      `Compact the input into fewer, larger files (around ${formatBytes(maxPartition)}, spark.sql.files.maxPartitionBytes, ` +
      'or more): rewrite it once, or use the table format\'s compaction (e.g. OPTIMIZE) and fix the job that writes ' +
      'it. Spark already packs small files into read tasks, but every file is still listed and opened.',
    tradeoffs:
      'Compaction is an extra job that must keep up with new small files; larger files mean fewer, longer read tasks ' +
      'and coarser partition pruning.',
    sparkDocsRef: READ_DOCS,
    ...placement,
  };
}

function writeInsight(
  app: ApplicationFacts,
  sql: SqlPlan,
  node: PlanNode,
  values: MetricValues,
  stages: StageFacts[],
  openCost: number,
): InsightDraft | null {
  const files = metricValue(node, values, 'number of written files');
  const bytes = metricValue(node, values, 'written output');
  if (files === null || bytes === null || files < MIN_FILES_WRITTEN) return null;
  const average = bytes / files;
  if (average >= openCost) return null;
  const partitions = metricValue(node, values, 'number of dynamic part');
  // Committing task output (renaming each file into place) is the write's measured per-file work in its tasks;
  // the job commit then runs on the driver after the last task, before the query ends.
  const taskCommitMs = metricValue(node, values, 'task commit time') ?? 0;
  const jobCommitMs = metricValue(node, values, 'job commit time') ?? 0;
  const stageTaskMs = stages.reduce((sum, stage) => sum + stage.taskTimeMs, 0);
  const commitShare = stageTaskMs > 0 ? Math.min(1, taskCommitMs / stageTaskMs) : 0;
  const lastFinish = Math.max(...stages.map((stage) => stage.lastFinish ?? -Infinity));
  const claims = [
    ...windowsOf(stages, commitShare),
    ...(jobCommitMs > 0 && Number.isFinite(lastFinish) ? [{ from: lastFinish, to: lastFinish + jobCommitMs, share: 1 }] : []),
  ];
  const { taskMs, tasks, placement } = scope(sql, stages, claims);
  const target = writeTarget(node.simpleString);
  const confidence: Confidence = average < CLEARLY_TINY_BYTES && files >= 10 * MIN_FILES_WRITTEN ? 'HIGH' : 'MEDIUM';
  return {
    id: `small-files:sql-${sql.executionId}-write-${node.metrics[0]?.accumulatorId ?? 0}`,
    type: 'small-files',
    title: `A write created ${files.toLocaleString('en-US')} files averaging ${formatBytes(average)}`,
    description:
      `SQL execution ${sql.executionId}${sql.description ? ` (${sql.description})` : ''} wrote ` +
      `${formatBytes(bytes)}${target ? ` to ${target}` : ''} as ${files.toLocaleString('en-US')} files` +
      `${partitions ? ` across ${partitions.toLocaleString('en-US')} partition directories` : ''}: ` +
      `${formatBytes(average)} per file, under the ${formatBytes(openCost)} Spark charges for opening a file, so every ` +
      'later read of this output pays for the file count.' +
      (tasks > 0 ? ` The write ran ${counted(tasks, 'task')} (${(files / tasks).toFixed(1)} files per task).` : ''),
    evidence: {
      sqlExecutionId: sql.executionId,
      operator: node.nodeName.trim(),
      target,
      filesWritten: files,
      bytesWritten: bytes,
      averageFileBytes: Math.round(average),
      dynamicPartitions: partitions,
      stages: stages.map((s) => ({ stageId: s.stageId, stageAttemptId: s.stageAttemptId, tasks: s.taskAttempts })),
      tasks,
      filesPerTask: tasks > 0 ? Number((files / tasks).toFixed(2)) : null,
      stageTaskTimeMs: taskMs,
      properties: {
        'spark.sql.files.openCostInBytes': propertyOrDefault(app, 'spark.sql.files.openCostInBytes', '4194304'),
        'spark.sql.shuffle.partitions': propertyOrDefault(app, 'spark.sql.shuffle.partitions', '200'),
        'spark.sql.files.maxRecordsPerFile': propertyOrDefault(app, 'spark.sql.files.maxRecordsPerFile', '0'),
      },
      thresholds: { averageFileBytesBelow: openCost, minFilesWritten: MIN_FILES_WRITTEN },
      taskCommitTimeMs: taskCommitMs,
      taskCommitShareOfTaskTime: Number(commitShare.toFixed(4)),
      jobCommitTimeMs: jobCommitMs,
      impactBasis: 'the write stages\' windows at the share of their task time spent committing task output, and the driver\'s job commit after them; later reads of the output pay the rest',
    },
    confidence,
    suggestion:
      'Write fewer, larger files: repartition by the output\'s partition columns before writing ' +
      '(df.repartition(cols).write.partitionBy(cols)), coalesce or use a REBALANCE / COALESCE hint, or let adaptive ' +
      'execution coalesce the final shuffle (spark.sql.adaptive.advisoryPartitionSizeInBytes); table formats also ' +
      'offer optimized writes and compaction.',
    tradeoffs:
      'Repartitioning before the write adds a shuffle, and fewer output files mean fewer write tasks, so a large ' +
      'write can take longer; a partition column with many values still yields many files.',
    sparkDocsRef: WRITE_DOCS,
    ...placement,
  };
}
