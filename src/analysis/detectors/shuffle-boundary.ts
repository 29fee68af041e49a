import { claimedWallMs } from '../claims.js';
import type { Detector, DetectorContext, InsightDraft } from '../detector.js';
import { stageFacts, stageKey, stageShuffleWriteTime, stageWindowClaims, type StageFacts } from '../stage-facts.js';
import { capitalize, counted, formatBytes, formatDuration, formatShare, round, stageLabel } from '../format.js';
import { parsePlanTree } from '../../model/plan-tree.js';

/**
 * A shuffle smaller than one partition of AQE's target size (spark.sql.adaptive.advisoryPartitionSizeInBytes,
 * 64 MB) is too small to be worth a finding.
 */
const MIN_SHUFFLE_READ_BYTES = 64 * 1024 * 1024;
/** A stage under 1% of the application's task time does not matter (its insight would be INFO). */
const MIN_SHARE_OF_APP_TASK_TIME = 0.01;

/** SQL metric names of a shuffle's reading side (SQLShuffleReadMetricsReporter), reported by the reading stage. */
const READ_METRIC_NAMES = [
  'remote blocks read', 'local blocks read', 'remote bytes read', 'remote bytes read to disk', 'local bytes read',
  'fetch wait time', 'records read', 'remote reqs duration', 'remote merged blocks fetched',
  'local merged blocks fetched', 'remote merged chunks fetched', 'local merged chunks fetched',
  'remote merged bytes read', 'local merged bytes read', 'remote merged reqs duration',
];
/** SQL metric names of a shuffle's writing side, reported by the stage that wrote it (its parent). */
const WRITE_METRIC_NAMES = ['shuffle bytes written', 'shuffle records written', 'shuffle write time', 'data size'];

/** What made Spark shuffle. */
export type ShuffleOperation =
  | 'join'
  | 'aggregation'
  | 'distinct'
  | 'window'
  | 'sort'
  | 'repartition'
  | 'limit'
  | 'single-partition'
  | 'unknown';

/** Where the operation was read from, most precise first. */
type AttributionSource = 'sql-plan' | 'rdd-scope' | 'stage-name' | 'none';

/** A node of a SQL plan tree (sparkPlanInfo), as far as this detector reads it. */
export interface PlanNode {
  nodeName: string;
  simpleString?: string;
  children?: PlanNode[];
  metrics?: Array<{ name: string; accumulatorId: number }>;
}

interface ShuffleNode {
  node: PlanNode;
  /** Nearest first. */
  ancestors: PlanNode[];
}

/** What made Spark shuffle at one boundary, and where that was read. */
export interface Attribution {
  operation: ShuffleOperation;
  source: AttributionSource;
  /** The operator or call that caused it, as Spark named it (e.g. "SortMergeJoin [k], [k], Inner"). */
  detail: string | null;
  /** The exchange's partitioning (e.g. "hashpartitioning(k, 200)") when the SQL plan says. */
  partitioning: string | null;
}

/** RDD API operations that shuffle, by the name Spark gives their scope or call site. */
const RDD_OPERATIONS: Readonly<Record<string, ShuffleOperation>> = {
  groupByKey: 'aggregation', reduceByKey: 'aggregation', aggregateByKey: 'aggregation', combineByKey: 'aggregation',
  combineByKeyWithClassTag: 'aggregation', foldByKey: 'aggregation', countByKey: 'aggregation',
  countByValue: 'aggregation', groupBy: 'aggregation', agg: 'aggregation',
  join: 'join', leftOuterJoin: 'join', rightOuterJoin: 'join', fullOuterJoin: 'join', cogroup: 'join',
  groupWith: 'join', subtract: 'join', subtractByKey: 'join', intersection: 'join',
  distinct: 'distinct', dropDuplicates: 'distinct',
  repartition: 'repartition', coalesce: 'repartition', partitionBy: 'repartition',
  repartitionAndSortWithinPartitions: 'repartition',
  sortByKey: 'sort', sortBy: 'sort', orderBy: 'sort', sort: 'sort',
};
const SHUFFLE_RDD_NAMES = new Set(['ShuffledRDD', 'CoGroupedRDD', 'SubtractedRDD', 'ShuffledRowRDD']);

/** A stage attempt's facts with what its stage record says about where its shuffle came from. */
interface StageRow {
  facts: StageFacts;
  parentIds: bigint[] | null;
  rddInfo: string | null;
  readAccumulatorIds: bigint[];
}

/**
 * Shuffle boundaries: stages that read shuffle output (at least 64 MB, and at least 1% of the application's task
 * time), with what caused the shuffle, from the SQL plan (the Exchange the stage read and the operator above it),
 * the RDD scopes, or the stage name. It explains where data moved, so it ranks after every problem; its impact is
 * the wall-clock its tasks waited on shuffle fetches: the stage's window at the fetch-wait share of its task time,
 * yielding to the problems found on the same stretch.
 */
export const shuffleBoundaryDetector: Detector = {
  type: 'shuffle-boundary',
  description:
    'Stages that read a large shuffle (≥ 64 MB and ≥ 1% of task time), with the operation that caused it ' +
    '(join, aggregation, distinct, window, sort, repartition).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/rdd-programming-guide.html#shuffle-operations',
  async detect(context) {
    const { app, query } = context;
    if (app.totalTaskTimeMs <= 0) return [];
    const facts = await stageFacts(context);
    const candidates = facts.filter(
      (f) => f.shuffleReadBytes >= MIN_SHUFFLE_READ_BYTES && f.taskTimeMs >= MIN_SHARE_OF_APP_TASK_TIME * app.totalTaskTimeMs,
    );
    if (candidates.length === 0) return [];
    const readNames = READ_METRIC_NAMES.map(sqlString).join(', ');
    const records = await query<{ stageId: number; attemptId: number; parentIds: bigint[] | null; rddInfo: string | null; readAccumulatorIds: bigint[] }>(`
      SELECT stageId::INTEGER AS stageId, attemptId::INTEGER AS attemptId, parentIds, rddInfo::VARCHAR AS rddInfo,
        list_transform(list_filter(coalesce(accumulables, []), a -> a.name IN (${readNames})), a -> a.id) AS readAccumulatorIds
      FROM stages WHERE appKey = $appKey AND stageId IN (${[...new Set(candidates.map((f) => f.stageId))].join(', ')})`);
    const byKey = new Map(records.map((r) => [stageKey(r.stageId, r.attemptId), r]));
    const rows: StageRow[] = candidates.map((f) => {
      const record = byKey.get(stageKey(f.stageId, f.stageAttemptId));
      return { facts: f, parentIds: record?.parentIds ?? null, rddInfo: record?.rddInfo ?? null, readAccumulatorIds: record?.readAccumulatorIds ?? [] };
    });
    const plans = await shuffleNodesOf(context, rows);
    return rows.map((row) => insightFor(row, attribute(row, plans), app.totalTaskTimeMs, facts));
  },
};

function insightFor(row: StageRow, attribution: Attribution, appTaskTime: number, facts: readonly StageFacts[]): InsightDraft {
  const f = row.facts;
  const stageId = f.stageId;
  const attemptId = f.stageAttemptId;
  const tasks = f.taskAttempts;
  const share = f.taskTimeMs / appTaskTime;
  // Both are per-task sums capped at each task's duration: the same kind of time.
  const fetchWaitShare = f.taskTimeMs > 0 ? Math.min(1, f.fetchWaitMs / f.taskTimeMs) : 0;
  const claims = stageWindowClaims(f, fetchWaitShare).map((c) => ({ ...c, yields: true }));
  // The write side of this boundary: the parent stages that wrote shuffle output, their write time from Spark's
  // task metric or the engine's own accumulators (Photon), whichever holds it.
  const parents = new Set((row.parentIds ?? []).map(Number));
  const writers = facts.filter((p) => parents.has(p.stageId) && p.shuffleWriteBytes > 0);
  const writes = writers.map(stageShuffleWriteTime);
  const writeMs = Math.round(writes.reduce((sum, w) => sum + (w.value ?? 0), 0));
  const writeSources = [...new Set(writes.map((w) => w.source))].sort();
  const what = OPERATION_TEXT[attribution.operation];
  const label = stageLabel(stageId, attemptId);
  const remote = f.remoteBytesRead > 0 ? ` (${formatBytes(f.remoteBytesRead)} of it from other executors)` : '';
  const cause =
    attribution.operation === 'unknown'
      ? 'The log does not say which operation introduced this shuffle.'
      : `The shuffle comes from ${what.noun}${attribution.detail ? ` (${attribution.detail})` : ''}: ${what.why}`;
  return {
    id: `shuffle-boundary:stage-${stageId}.${attemptId}`,
    type: 'shuffle-boundary',
    title:
      attribution.operation === 'unknown'
        ? `${capitalize(label)} reads ${formatBytes(f.shuffleReadBytes)} of shuffle output`
        : `${capitalize(label)} reads ${formatBytes(f.shuffleReadBytes)} of shuffle output from ${what.noun}`,
    description:
      `${capitalize(label)}${f.name ? ` (${f.name})` : ''} read ${formatBytes(f.shuffleReadBytes)} of shuffle ` +
      `output${remote} across ${counted(tasks, 'task')}. ${cause} Its tasks took ${formatDuration(f.taskTimeMs)}, ` +
      `${formatShare(share)} of the application's task time, and waited ${formatDuration(f.fetchWaitMs)} ` +
      `on shuffle fetches (${formatShare(fetchWaitShare)} of their task time).` +
      (writeMs > 0 ? ` The stage${writers.length === 1 ? '' : 's'} that wrote it spent ${formatDuration(writeMs)} of task time writing shuffle files.` : ''),
    evidence: {
      stageId,
      stageAttemptId: attemptId,
      operation: attribution.operation,
      attributedFrom: attribution.source,
      operator: attribution.detail,
      partitioning: attribution.partitioning,
      shuffleReadBytes: f.shuffleReadBytes,
      remoteBytesRead: f.remoteBytesRead,
      shuffleReadRecords: f.shuffleReadRecords,
      fetchWaitTimeMs: f.fetchWaitMs,
      writingStages: writers.map((w) => ({ stageId: w.stageId, stageAttemptId: w.stageAttemptId })),
      shuffleWriteTimeMs: writeMs,
      shuffleWriteTimeSource: writeSources.length > 0 ? writeSources.join('; ') : 'none (no parent stage wrote shuffle output)',
      fetchWaitShareOfTaskTime: round(fetchWaitShare),
      tasks,
      stageTaskTimeMs: f.taskTimeMs,
      stageWallClockMs: f.wallMs,
      appTaskTimeMs: appTaskTime,
      shareOfAppTaskTime: round(share),
      impactBasis: 'the stage\'s window (first launch to last finish) at the fetch-wait share of its task time, yielding to problems on the same stretch',
      thresholds: {
        minShuffleReadBytes: MIN_SHUFFLE_READ_BYTES,
        minShuffleReadBytesIs: 'spark.sql.adaptive.advisoryPartitionSizeInBytes default (64 MB)',
        minShareOfAppTaskTime: MIN_SHARE_OF_APP_TASK_TIME,
      },
    },
    // The bytes are measured; what is uncertain is the cause. The SQL plan and RDD scopes name it exactly.
    confidence:
      attribution.source === 'sql-plan' || attribution.source === 'rdd-scope'
        ? 'HIGH'
        : attribution.source === 'stage-name'
          ? 'MEDIUM'
          : 'LOW',
    suggestion: what.suggestion,
    tradeoffs: what.tradeoffs,
    sparkDocsRef:
      attribution.source === 'sql-plan' || attribution.operation === 'join'
        ? 'https://spark.apache.org/docs/latest/sql-performance-tuning.html'
        : shuffleBoundaryDetector.sparkDocsRef,
    jobId: f.jobId,
    stageId,
    stageAttemptId: attemptId,
    sqlExecutionId: f.sqlExecutionId,
    // A boundary explains where data moved; what it measurably costs is the time its tasks waited for shuffle
    // blocks, as wall-clock of the stage (recomputed from the claim).
    impact: 0,
    impactMs: Math.round(claimedWallMs(claims)),
    claims,
    // It explains where data moved; it is context for the problems, never ranked above them.
    role: 'explanation',
  };
}

const OPERATION_TEXT: Record<ShuffleOperation, { noun: string; why: string; suggestion: string; tradeoffs: string }> = {
  join: {
    noun: 'a join',
    why: 'both sides are partitioned by the join keys so matching rows meet in one task.',
    suggestion:
      'If one side is small, a broadcast join avoids shuffling the other (broadcast() hint, or ' +
      'spark.sql.autoBroadcastJoinThreshold, 10 MB by default). For joins repeated on the same keys, bucketing both ' +
      'tables by the join key lets Spark skip this exchange. Filtering and selecting only the needed columns before ' +
      'the join shrinks what is shuffled.',
    tradeoffs:
      'A broadcast side is collected to the driver and held in memory on every executor; too large a broadcast can ' +
      'fail with out-of-memory errors. Bucketing fixes the table layout and bucket count at write time.',
  },
  aggregation: {
    noun: 'an aggregation (groupBy)',
    why: 'rows are partitioned by the grouping keys so each group is finished in one task.',
    suggestion:
      'Spark SQL already combines rows map-side before this exchange, so what remains grows with the number of ' +
      'distinct groups and the columns carried. Filter first, aggregate on fewer or coarser keys, and carry only the ' +
      'columns the aggregation needs. With the RDD API, prefer reduceByKey/aggregateByKey to groupByKey, which ships ' +
      'every value.',
    tradeoffs:
      'Map-side combining costs memory and CPU in the writing tasks; coarser keys change the granularity of the result.',
  },
  distinct: {
    noun: 'a distinct / deduplication',
    why: 'rows are partitioned by every column that defines a duplicate.',
    suggestion:
      'Project only the columns that define a duplicate before deduplicating (dropDuplicates(cols)), or use ' +
      'approx_count_distinct when only a count is needed.',
    tradeoffs:
      'dropDuplicates on a subset keeps an arbitrary row per key; approx_count_distinct has a bounded relative error ' +
      '(5% by default).',
  },
  window: {
    noun: 'a window function',
    why: 'rows are partitioned by the PARTITION BY keys and sorted within them.',
    suggestion:
      'Filter before the window and keep only the needed columns. A window without PARTITION BY moves every row to ' +
      'one task; partition by a key with many distinct values where the logic allows.',
    tradeoffs: 'Adding PARTITION BY keys changes what the window computes; check the result is still the one wanted.',
  },
  sort: {
    noun: 'a global sort (orderBy / sortBy)',
    why: 'Spark samples the keys and range-partitions every row so the output is ordered across partitions.',
    suggestion:
      'If order is only needed within each partition (e.g. before writing files), sortWithinPartitions avoids the ' +
      'shuffle. For a top-N, orderBy(...).limit(n) is planned as TakeOrderedAndProject and sorts only per partition.',
    tradeoffs: 'sortWithinPartitions gives no order across partitions; readers that need a total order must sort again.',
  },
  repartition: {
    noun: 'an explicit repartition',
    why: 'the code asked for a new partitioning (repartition / partitionBy / coalesce with shuffle).',
    suggestion:
      'Check that this repartition is needed. To only lower the number of partitions, coalesce(n) merges them ' +
      'without a shuffle; to prepare a later join or aggregation, repartition once on those keys so Spark can reuse ' +
      'that partitioning.',
    tradeoffs:
      'coalesce(n) can leave partitions uneven and also lowers the parallelism of the work before it in the same stage.',
  },
  limit: {
    noun: 'a limit or top-N',
    why: 'the rows kept by each partition are gathered into one task.',
    suggestion:
      'Filter and project before the limit so fewer and narrower rows reach it; an unordered limit on a large input ' +
      'is cheaper when the input itself is smaller.',
    tradeoffs: 'None beyond the extra code: a limit gathers at most n rows per partition.',
  },
  'single-partition': {
    noun: 'an operation that needs all rows in one partition',
    why: 'a global aggregate without keys, a window without PARTITION BY, or a collect to one task.',
    suggestion:
      'Aggregate or filter as much as possible before this point, and use keys (GROUP BY / PARTITION BY) where ' +
      'the logic allows so the work is spread over tasks.',
    tradeoffs: 'Adding keys changes the result; a two-step (keyed, then global) aggregation adds a stage.',
  },
  unknown: {
    noun: 'an unidentified operation',
    why: '',
    suggestion:
      'Shuffles move rows between executors by key. Reading fewer columns and rows before it (select and filter ' +
      'early) shrinks it; the stage\'s call site and SQL plan show which operation introduced it.',
    tradeoffs: 'Filtering or projecting earlier has no downside when the dropped data is not used later.',
  },
};

/**
 * A shuffle node of a plan, classified as the plan is read: plans can be megabytes of JSON each, so they are
 * not kept. `id` tells nodes apart (the same node reports several accumulators).
 */
interface ClassifiedShuffle {
  id: number;
  attribution: Attribution;
}

/** The shuffle nodes (Exchange and friends) of every plan version of the stages' SQL executions, by accumulator id. */
interface ShuffleIndex {
  byReadId: Map<number, ClassifiedShuffle>;
  byWriteId: Map<number, ClassifiedShuffle>;
  /** Write-side accumulator ids each stage reported, for matching a stage's parents. */
  writeIdsByStage: Map<number, number[]>;
}

async function shuffleNodesOf({ query }: DetectorContext, rows: StageRow[]): Promise<ShuffleIndex> {
  const index: ShuffleIndex = { byReadId: new Map(), byWriteId: new Map(), writeIdsByStage: new Map() };
  const executions = [...new Set(rows.flatMap((row) => (row.facts.sqlExecutionId === null ? [] : [row.facts.sqlExecutionId])))];
  if (executions.length === 0) return index;
  const plans = await query<{ plan: string }>(`
    SELECT plan FROM (
      SELECT sparkPlanInfo::VARCHAR AS plan, -1 AS seq FROM sql_executions
      WHERE appKey = $appKey AND executionId IN (${executions.join(', ')})
      UNION ALL
      SELECT sparkPlanInfo::VARCHAR, seq FROM sql_plan_updates
      WHERE appKey = $appKey AND executionId IN (${executions.join(', ')})
    ) WHERE plan IS NOT NULL ORDER BY seq`);
  // Later plan versions (adaptive re-plans) overwrite earlier ones: their ancestors are the final operators.
  let nodes = 0;
  for (const { plan } of plans) {
    const root = parsePlanTree<PlanNode>(plan);
    if (!root) continue;
    for (const shuffle of shufflesOfPlan(root)) {
      const entry = { id: (nodes += 1), attribution: shuffle.attribution };
      for (const id of shuffle.readIds) index.byReadId.set(id, entry);
      for (const id of shuffle.writeIds) index.byWriteId.set(id, entry);
    }
  }
  const parents = [...new Set(rows.flatMap((row) => (row.parentIds ?? []).map(Number)))];
  if (parents.length > 0) {
    const writes = await query<{ stageId: bigint; ids: bigint[] }>(`
      SELECT stageId, list(DISTINCT a.id) AS ids
      FROM (SELECT stageId, unnest(accumulables) AS a FROM stages
            WHERE appKey = $appKey AND stageId IN (${parents.join(', ')}))
      WHERE a.name IN (${WRITE_METRIC_NAMES.map(sqlString).join(', ')}) GROUP BY ALL`);
    for (const row of writes) index.writeIdsByStage.set(Number(row.stageId), row.ids.map(Number));
  }
  return index;
}

/** A shuffle of a plan tree: the accumulators its reads and writes report, and what made Spark shuffle. */
export interface PlanShuffle {
  readIds: number[];
  writeIds: number[];
  attribution: Attribution;
}

/** The shuffles of one plan tree, in the order a depth-first walk meets them. */
export function shufflesOfPlan(root: PlanNode): PlanShuffle[] {
  const found: PlanShuffle[] = [];
  walk(root, [], (node, ancestors) => {
    if (!isShuffleNode(node)) return;
    const ids = (names: readonly string[]): number[] =>
      (node.metrics ?? []).filter((metric) => names.includes(metric.name)).map((metric) => metric.accumulatorId);
    found.push({ readIds: ids(READ_METRIC_NAMES), writeIds: ids(WRITE_METRIC_NAMES), attribution: classifyPlanShuffle({ node, ancestors }) });
  });
  return found;
}

/**
 * The part of a plan tree {@link shufflesOfPlan} reads: shuffle nodes whole, their ancestors by name alone, and no
 * other node. Its shuffles are the tree's, in the same order and classified the same. The ingest keeps superseded
 * plan versions this way: on Databricks logs each version is up to megabytes, and only this detector reads them.
 */
export function shuffleSkeleton(root: PlanNode): PlanNode {
  const prune = (node: PlanNode): PlanNode | null => {
    const children = (node.children ?? []).map(prune).filter((child): child is PlanNode => child !== null);
    if (isShuffleNode(node)) return { nodeName: node.nodeName, simpleString: node.simpleString, metrics: node.metrics, children };
    return children.length > 0 ? { nodeName: node.nodeName, simpleString: node.simpleString, children } : null;
  };
  return prune(root) ?? { nodeName: root.nodeName, simpleString: root.simpleString, children: [] };
}

function walk(node: PlanNode, ancestors: PlanNode[], visit: (node: PlanNode, ancestors: PlanNode[]) => void): void {
  visit(node, ancestors);
  const below = [node, ...ancestors];
  for (const child of node.children ?? []) walk(child, below, visit);
}

/** A plan node that writes or reads a shuffle: Exchange (any vendor's), or TakeOrderedAndProject/CollectLimit. */
function isShuffleNode(node: PlanNode): boolean {
  if (/^(Gpu)?(Shuffle)?(Columnar)?Exchange$/.test(node.nodeName)) return true;
  return (node.metrics ?? []).some((metric) => metric.name === 'shuffle bytes written' || READ_METRIC_NAMES.includes(metric.name));
}

function attribute(row: StageRow, index: ShuffleIndex): Attribution {
  const read = new Map<number, Attribution>();
  for (const id of row.readAccumulatorIds) {
    const entry = index.byReadId.get(Number(id));
    if (entry) read.set(entry.id, entry.attribution);
  }
  // Logs before Spark 3.0 report no read-side SQL metrics: match the exchanges the parent stages wrote.
  if (read.size === 0) {
    for (const parent of row.parentIds ?? []) {
      for (const id of index.writeIdsByStage.get(Number(parent)) ?? []) {
        const entry = index.byWriteId.get(id);
        if (entry) read.set(entry.id, entry.attribution);
      }
    }
  }
  if (read.size > 0) {
    const attributions = [...read.values()];
    const order: ShuffleOperation[] = ['join', 'repartition', 'window', 'aggregation', 'distinct', 'sort', 'limit', 'single-partition'];
    attributions.sort((a, b) => rank(order, a.operation) - rank(order, b.operation));
    if (attributions[0]!.operation !== 'unknown') return attributions[0]!;
  }
  return attributeFromRdds(row);
}

function rank(order: ShuffleOperation[], operation: ShuffleOperation): number {
  const at = order.indexOf(operation);
  return at < 0 ? order.length : at;
}

/** What an Exchange in a SQL plan was for: its partitioning, else the operator it feeds. */
export function classifyPlanShuffle({ node, ancestors }: ShuffleNode): Attribution {
  const text = node.simpleString ?? node.nodeName;
  const partitioning = /^(?:Gpu)?(?:Shuffle)?(?:Columnar)?Exchange\s+(.*?)(?:,\s*(?:ENSURE_REQUIREMENTS|REPARTITION\w*|REBALANCE\w*)|,\s*\[plan_id|$)/.exec(
    text,
  );
  const partitioningText = partitioning?.[1] ? readable(partitioning[1]) : null;
  const result = (operation: ShuffleOperation, detail: string | null): Attribution => ({
    operation,
    source: 'sql-plan',
    detail,
    partitioning: partitioningText,
  });
  if (!/Exchange/.test(node.nodeName)) {
    return result(/TakeOrdered|Limit/i.test(node.nodeName) ? 'limit' : 'unknown', readable(text));
  }
  if (/\b(REPARTITION_BY_\w+|REBALANCE_PARTITIONS_BY_\w+)\b/.test(text) || /RoundRobinPartitioning/.test(text)) {
    return result('repartition', partitioningText);
  }
  if (/rangepartitioning/i.test(text)) return result('sort', partitioningText);
  for (const ancestor of ancestors) {
    if (isShuffleNode(ancestor)) break;
    const name = ancestor.nodeName;
    const detail = readable(ancestor.simpleString ?? name);
    if (/Join/i.test(name)) return result('join', detail);
    if (/Aggregate/i.test(name)) return result(/functions=\[\]/.test(ancestor.simpleString ?? '') ? 'distinct' : 'aggregation', detail);
    if (/^(Gpu)?Window/i.test(name)) return result('window', detail);
    if (/TakeOrdered|Limit/i.test(name)) return result('limit', detail);
  }
  if (/SinglePartition/.test(text)) return result('single-partition', partitioningText);
  return result('unknown', partitioningText);
}

/** RDD API stages: the scope or call site of the shuffled RDD, else of any RDD, else the stage name. */
function attributeFromRdds(row: StageRow): Attribution {
  const rdds = parseRddInfo(row.rddInfo);
  const lookup = (word: string | null): ShuffleOperation | undefined =>
    word !== null && Object.hasOwn(RDD_OPERATIONS, word) ? RDD_OPERATIONS[word] : undefined;
  const ordered = [...rdds.filter((rdd) => SHUFFLE_RDD_NAMES.has(rdd.name)), ...rdds];
  for (const rdd of ordered) {
    for (const word of [rdd.scope, firstWord(rdd.callsite)]) {
      const operation = lookup(word);
      if (operation) return { operation, source: 'rdd-scope', detail: rdd.callsite ?? word, partitioning: null };
    }
  }
  const fromName = lookup(firstWord(row.facts.name));
  if (fromName) return { operation: fromName, source: 'stage-name', detail: row.facts.name, partitioning: null };
  return { operation: 'unknown', source: 'none', detail: null, partitioning: null };
}

function parseRddInfo(json: string | null): Array<{ name: string; scope: string | null; callsite: string | null }> {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as Array<Record<string, unknown>>;
    if (!Array.isArray(list)) return [];
    return list.map((rdd) => {
      let scope: string | null = null;
      const raw = rdd['Scope'];
      if (typeof raw === 'string') {
        try {
          const parsed = JSON.parse(raw) as { name?: unknown };
          scope = typeof parsed.name === 'string' ? parsed.name : null;
        } catch {
          scope = null;
        }
      }
      return {
        name: typeof rdd['Name'] === 'string' ? rdd['Name'] : '',
        scope,
        callsite: typeof rdd['Callsite'] === 'string' ? rdd['Callsite'] : null,
      };
    });
  } catch {
    return [];
  }
}

function firstWord(text: string | null): string | null {
  const match = text ? /^\s*([A-Za-z_$][\w$]*)/.exec(text) : null;
  return match ? match[1]! : null;
}

/** Plan text without Spark's expression ids (`key#12L` → `key`), cut to a readable length. */
function readable(text: string): string {
  const clean = text.replace(/#\d+L?\b/g, '').replace(/\s+/g, ' ').trim();
  return clean.length > 160 ? `${clean.slice(0, 157)}...` : clean;
}

function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
