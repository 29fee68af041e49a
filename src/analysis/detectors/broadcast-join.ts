import { adaptiveExecutionEnabled, shareOfTaskTime, type ApplicationFacts, type Detector, type InsightDraft } from '../detector.js';
import { claimedWallMs, type WallClaim } from '../claims.js';
import { stageFacts, stageKey, stageWindowClaims, type StageFacts } from '../stage-facts.js';
import { formatBytes, formatDuration, formatShare } from '../format.js';
import type { Confidence } from '../insight.js';
import { byteSizeProperty, propertyOrDefault } from '../properties.js';
import { MiB, GiB } from '../../model/units.js';
import { VENDOR_TASK_METRICS } from '../../model/vendor-metrics.js';
import {
  forEachSqlPlanBatch,
  loadMetricValues,
  metricOf,
  metricValue,
  planNodes,
  stagesReporting,
  type MetricValues,
  type PlanNode,
  type SqlPlan,
} from '../sql-plans.js';

/** spark.sql.autoBroadcastJoinThreshold default. */
const DEFAULT_BROADCAST_THRESHOLD = 10 * MiB;
/**
 * DataFlint's tiers for a shuffled join worth broadcasting: the small side under the broadcast threshold, or
 * under 100 MiB beside a side over 10 GiB, or under 1000 MiB beside one over 300 GiB. (Its last tier, 5 GiB
 * beside 1 TiB, is left out: that broadcast would itself be flagged as too large.)
 */
const RATIO_TIERS = [
  { smallBelow: 100 * MiB, largeAbove: 10 * GiB },
  { smallBelow: 1000 * MiB, largeAbove: 300 * GiB },
] as const;
/**
 * Below one default input partition (spark.sql.files.maxPartitionBytes, 128 MB) the larger side's shuffle is
 * a task's worth of data: too small for the join strategy to matter.
 */
const MIN_LARGE_SIDE_BYTES = 128 * MiB;
/** DataFlint's "broadcast too large" line. */
const LARGE_BROADCAST_BYTES = GiB;
/** Spark refuses to broadcast a table of 8 GB or more. */
const MAX_BROADCAST_BYTES = 8 * GiB;

const JOIN_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#join-strategy-hints-for-sql-queries';
const AQE_JOIN_DOCS = 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#converting-sort-merge-join-to-broadcast-join';

type Side = 'left' | 'right';

interface SideSize {
  bytes: number;
  /** Measured shuffle data ("data size" of an Exchange) or input files ("size of files read"), which are compressed. */
  source: 'shuffle' | 'files';
  /** Exchanges and sorts on the way down, whose time the shuffle join spent. */
  exchanges: PlanNode[];
  sorts: PlanNode[];
}

/** Sides a hash join can build (broadcast) for a join type; a full outer join cannot be broadcast. */
function buildableSides(joinType: string): Side[] {
  if (/^(Inner|Cross)$/i.test(joinType)) return ['left', 'right'];
  if (/^(LeftOuter|LeftSemi|LeftAnti|ExistenceJoin)/i.test(joinType)) return ['right'];
  if (/^RightOuter$/i.test(joinType)) return ['left'];
  return [];
}

/** The join type in a join's simpleString: "SortMergeJoin [a#1], [b#2], Inner, ..." → "Inner". */
export function joinTypeOf(simpleString: string): string | null {
  // Skip the operator name and the two bracketed key lists, which may themselves contain brackets.
  let depth = 0;
  let lists = 0;
  for (let i = 0; i < simpleString.length; i += 1) {
    const char = simpleString[i];
    if (char === '[') depth += 1;
    else if (char === ']') {
      depth -= 1;
      if (depth === 0) {
        lists += 1;
        if (lists === 2) {
          const rest = simpleString.slice(i + 1);
          const match = /^\s*,\s*([A-Za-z]+)/.exec(rest);
          return match ? match[1]! : null;
        }
      }
    }
  }
  return null;
}

/**
 * The measured size of what feeds one side of a join: the nearest shuffle's "data size" (summed over branches
 * such as unions), or the files a scan read; null when a side's size cannot be measured (a nested join, a
 * reused exchange, a cached or generated relation).
 */
function sideSize(node: PlanNode, values: MetricValues, sorts: PlanNode[] = []): SideSize | null {
  const name = node.nodeName;
  if (name === 'Exchange' || name === 'ShuffleExchange') {
    const bytes = metricValue(node, values, 'data size', 'data size total (min, med, max)');
    return bytes === null ? null : { bytes, source: 'shuffle', exchanges: [node], sorts };
  }
  if (/^(Scan |FileScan|BatchScan)/.test(name) || name === 'Scan') {
    const bytes = metricValue(node, values, 'size of files read');
    return bytes === null ? null : { bytes, source: 'files', exchanges: [], sorts };
  }
  if (/Join|^ReusedExchange|^BroadcastExchange|^Subquery/.test(name) || node.children.length === 0) return null;
  const below = name === 'Sort' ? [...sorts, node] : sorts;
  const parts = node.children.map((child) => sideSize(child, values, below));
  if (parts.some((part) => part === null)) return null;
  const known = parts as SideSize[];
  return {
    bytes: known.reduce((sum, part) => sum + part.bytes, 0),
    source: known.every((part) => part.source === 'shuffle') ? 'shuffle' : 'files',
    exchanges: known.flatMap((part) => part.exchanges),
    sorts: [...new Set(known.flatMap((part) => part.sorts))],
  };
}

/**
 * An exchange's shuffle write time (ms) and where it was read: Spark's "shuffle write time" SQL metric, or, where
 * the engine keeps it in its own metrics (Photon's "... (part of shuffle file write)"), their sum. Both in ns.
 */
function exchangeWriteMs(exchange: PlanNode, values: MetricValues): { ms: number; source: string | null } {
  const spark = metricValue(exchange, values, 'shuffle write time');
  if (spark !== null && spark > 0) return { ms: spark / 1e6, source: 'SQL metric "shuffle write time"' };
  const { engine, namePart } = VENDOR_TASK_METRICS.shuffleWriteTime;
  const vendor = exchange.metrics
    .filter((metric) => metric.name.includes(namePart))
    .reduce((sum, metric) => sum + (values.get(metric.accumulatorId) ?? 0), 0);
  if (vendor > 0) return { ms: vendor / 1e6, source: `${engine} SQL metrics "${namePart}" (summed)` };
  return { ms: 0, source: spark === null ? null : 'SQL metric "shuffle write time"' };
}

/** Task time the shuffle join measurably spent moving and ordering its inputs (ms), and where the write time came from. */
function shuffleAndSortMs(sides: SideSize[], values: MetricValues): { writeMs: number; fetchWaitMs: number; sortMs: number; writeSources: string[] } {
  let writeMs = 0;
  let fetchWaitMs = 0;
  let sortMs = 0;
  const writeSources = new Set<string>();
  for (const side of sides) {
    for (const exchange of side.exchanges) {
      const write = exchangeWriteMs(exchange, values);
      writeMs += write.ms;
      if (write.source) writeSources.add(write.source);
      fetchWaitMs += metricValue(exchange, values, 'fetch wait time') ?? 0;
    }
    for (const sort of side.sorts) sortMs += metricValue(sort, values, 'sort time') ?? 0;
  }
  return { writeMs, fetchWaitMs, sortMs, writeSources: [...writeSources].sort() };
}

function shuffledJoinInsight(
  app: ApplicationFacts,
  sql: SqlPlan,
  join: PlanNode,
  values: MetricValues,
  joinStages: Array<{ stageId: number; attemptId: number }>,
  costStages: readonly StageFacts[],
): InsightDraft | null {
  const [leftNode, rightNode] = join.children;
  if (!leftNode || !rightNode) return null;
  const joinType = joinTypeOf(join.simpleString) ?? 'Inner';
  const sizes: Record<Side, SideSize | null> = { left: sideSize(leftNode, values), right: sideSize(rightNode, values) };
  const candidates = buildableSides(joinType).filter((side) => sizes[side] !== null);
  if (candidates.length === 0) return null;
  const smallSide = candidates.reduce((best, side) => (sizes[side]!.bytes < sizes[best]!.bytes ? side : best));
  const largeSide: Side = smallSide === 'left' ? 'right' : 'left';
  const small = sizes[smallSide]!;
  const large = sizes[largeSide];
  if (large === null) return null;

  const configured = app.sparkProperties.get('spark.sql.autoBroadcastJoinThreshold');
  const threshold = byteSizeProperty(app, 'spark.sql.autoBroadcastJoinThreshold', DEFAULT_BROADCAST_THRESHOLD);
  const broadcastDisabled = threshold <= 0;
  const tierOne = broadcastDisabled ? DEFAULT_BROADCAST_THRESHOLD : threshold;
  const underThreshold = small.bytes <= tierOne && large.bytes >= MIN_LARGE_SIDE_BYTES;
  const tier = underThreshold ? null : RATIO_TIERS.find((t) => small.bytes < t.smallBelow && large.bytes > t.largeAbove) ?? null;
  if (!underThreshold && tier === null) return null;

  const aqe = adaptiveExecutionEnabled(app);
  const spent = shuffleAndSortMs([small, large], values);
  const spentMs = spent.writeMs + spent.fetchWaitMs + spent.sortMs;
  const impact = shareOfTaskTime(app, spentMs);
  // SQL metrics are totals per operator, not per stage: the time is spread over the stages that wrote, read and
  // sorted the join's inputs at one share of their task time, which puts it on their windows as wall-clock.
  const costTaskMs = costStages.reduce((sum, stage) => sum + stage.taskTimeMs, 0);
  const costShare = costTaskMs > 0 ? Math.min(1, spentMs / costTaskMs) : 0;
  const claims = costStages.flatMap((stage) => stageWindowClaims(stage, costShare));
  const confidence: Confidence = small.source === 'files' ? 'LOW' : aqe || !underThreshold ? 'MEDIUM' : 'HIGH';
  const operator = join.nodeName;
  const hint = 'a broadcast hint (broadcast(df), or /*+ BROADCAST(t) */ in SQL)';
  const suggestion = broadcastDisabled
    ? `Broadcasting was turned off (spark.sql.autoBroadcastJoinThreshold=${configured}); ${hint} still broadcasts this join's small side.`
    : !underThreshold
      ? `Broadcast the small side with ${hint}, or raise spark.sql.autoBroadcastJoinThreshold above ${formatBytes(small.bytes)}, ` +
        `if the driver and every executor can hold ${formatBytes(small.bytes)}.`
      : aqe
        ? `Broadcast the small side with ${hint}. Adaptive execution was on but kept the shuffle join: check ` +
          'spark.sql.adaptive.autoBroadcastJoinThreshold and any MERGE or SHUFFLE_HASH hints on this query.'
        : `Broadcast the small side with ${hint}, or let adaptive execution (spark.sql.adaptive.enabled=true) convert ` +
          'the join once it has measured the side. Spark\'s planner picks the join before the query runs, from size ' +
          'estimates that are often larger than what filters and aggregations leave.';
  const stage = joinStages.length === 1 ? joinStages[0]! : null;
  const criterion = underThreshold
    ? `under the broadcast threshold (${broadcastDisabled ? `broadcasting was disabled with ${configured}; default ${formatBytes(DEFAULT_BROADCAST_THRESHOLD)}` : formatBytes(threshold)})`
    : `under ${formatBytes(tier!.smallBelow)} beside a side over ${formatBytes(tier!.largeAbove)}`;
  return {
    id: `broadcast-join:sql-${sql.executionId}-${operator}-${join.metrics[0]?.accumulatorId ?? planNodes(sql.plan).indexOf(join)}`,
    type: 'broadcast-join',
    title: `A ${operator} shuffled ${formatBytes(large.bytes)} to join a ${formatBytes(small.bytes)} side`,
    description:
      `In SQL execution ${sql.executionId}${sql.description ? ` (${sql.description})` : ''}, a ${operator} (${joinType} join) ` +
      `shuffled both inputs: its ${smallSide} side was ${formatBytes(small.bytes)} ` +
      `(${small.source === 'shuffle' ? 'shuffled data' : 'input files, compressed'}), ${criterion}, while its ${largeSide} side ` +
      `was ${formatBytes(large.bytes)}. Broadcasting the small side would leave the large one where it was read. The ` +
      `join's shuffles and sorts took ${formatDuration(spentMs)} of task time (${formatShare(impact)} of the application's).` +
      (aqe ? ' Adaptive execution was on and kept the sort-merge join.' : ' Adaptive execution was off.'),
    evidence: {
      sqlExecutionId: sql.executionId,
      operator,
      joinType,
      smallSide,
      smallSideBytes: small.bytes,
      smallSideSource: small.source,
      largeSideBytes: large.bytes,
      largeSideSource: large.source,
      joinStages: joinStages.map((s) => ({ stageId: s.stageId, stageAttemptId: s.attemptId })),
      shuffleWriteTimeMs: Math.round(spent.writeMs),
      shuffleWriteTimeSource: spent.writeSources.length > 0 ? spent.writeSources.join('; ') : 'none reported',
      fetchWaitTimeMs: spent.fetchWaitMs,
      sortTimeMs: spent.sortMs,
      adaptiveExecutionEnabled: aqe,
      finalAdaptivePlan: sql.adaptive,
      properties: {
        'spark.sql.autoBroadcastJoinThreshold': configured ?? '10485760 (default, 10 MB)',
        ...(aqe ? { 'spark.sql.adaptive.autoBroadcastJoinThreshold': propertyOrDefault(app, 'spark.sql.adaptive.autoBroadcastJoinThreshold', 'autoBroadcastJoinThreshold') } : {}),
      },
      thresholds: {
        broadcastThresholdBytes: tierOne,
        ratioTiers: RATIO_TIERS.map((t) => ({ smallBelowBytes: t.smallBelow, largeAboveBytes: t.largeAbove })),
        minLargeSideBytes: MIN_LARGE_SIDE_BYTES,
        cites: 'spark.sql.autoBroadcastJoinThreshold 10 MB; DataFlint join-to-broadcast tiers; spark.sql.files.maxPartitionBytes 128 MB floor',
      },
      costStages: costStages.map((s) => ({ stageId: s.stageId, stageAttemptId: s.stageAttemptId })),
      shareOfCostStagesTaskTime: Number(costShare.toFixed(4)),
      impactBasis: 'shuffle write, fetch wait and sort time of the join inputs as a share of the task time of the stages that ran them, over those stages\' windows',
    },
    confidence,
    suggestion,
    tradeoffs:
      'The broadcast side is collected on the driver and copied to every executor, so it costs driver and executor ' +
      'memory and network (its size × executors); if it grows past what fits, or past spark.sql.broadcastTimeout, the ' +
      'query fails instead of spilling the way a sort-merge join does.',
    sparkDocsRef: aqe ? AQE_JOIN_DOCS : JOIN_DOCS,
    jobId: null,
    stageId: stage?.stageId ?? null,
    stageAttemptId: stage?.attemptId ?? null,
    sqlExecutionId: sql.executionId,
    impact: 0,
    impactMs: Math.round(claimedWallMs(claims)),
    claims,
  };
}

function largeBroadcastInsight(
  app: ApplicationFacts,
  sql: SqlPlan,
  exchange: PlanNode,
  values: MetricValues,
  window: { startTime: number; endTime: number } | undefined,
): InsightDraft | null {
  const bytes = metricValue(exchange, values, 'data size', 'data size (bytes)');
  if (bytes === null || bytes < LARGE_BROADCAST_BYTES) return null;
  const rows = metricValue(exchange, values, 'number of output rows');
  const collectMs = metricValue(exchange, values, 'time to collect', 'time to collect (ms)') ?? 0;
  const buildMs = metricValue(exchange, values, 'time to build', 'time to build (ms)') ?? 0;
  const broadcastMs = metricValue(exchange, values, 'time to broadcast', 'time to broadcast (ms)') ?? 0;
  const driverMs = collectMs + buildMs + broadcastMs;
  // The driver collects, builds and sends the table during its SQL execution: that window, at the share it took.
  const executionMs = window ? window.endTime - window.startTime : 0;
  const claims: WallClaim[] = window && executionMs > 0
    ? [{ from: window.startTime, to: window.endTime, share: Math.min(1, driverMs / executionMs) }]
    : [];
  const nearLimit = bytes >= MAX_BROADCAST_BYTES / 2;
  const id = metricOf(exchange, 'data size', 'data size (bytes)')!.accumulatorId;
  return {
    id: `broadcast-join:sql-${sql.executionId}-large-broadcast-${id}`,
    type: 'broadcast-join',
    title: `A ${formatBytes(bytes)} table was broadcast${nearLimit ? ', over half of Spark\'s 8 GB broadcast limit' : ''}`,
    description:
      `In SQL execution ${sql.executionId}${sql.description ? ` (${sql.description})` : ''}, Spark broadcast ` +
      `${formatBytes(bytes)}${rows !== null ? ` (${rows.toLocaleString('en-US')} rows)` : ''} to every executor. Collecting, ` +
      `building and sending it took ${formatDuration(driverMs)} on the driver, and each executor held a copy in memory.`,
    evidence: {
      sqlExecutionId: sql.executionId,
      broadcastBytes: bytes,
      rows,
      timeToCollectMs: collectMs,
      timeToBuildMs: buildMs,
      timeToBroadcastMs: broadcastMs,
      properties: {
        'spark.sql.autoBroadcastJoinThreshold': propertyOrDefault(app, 'spark.sql.autoBroadcastJoinThreshold', '10485760'),
        'spark.driver.memory': propertyOrDefault(app, 'spark.driver.memory', '1g'),
        'spark.executor.memory': propertyOrDefault(app, 'spark.executor.memory', '1g'),
      },
      thresholds: { largeBroadcastBytes: LARGE_BROADCAST_BYTES, sparkMaxBroadcastBytes: MAX_BROADCAST_BYTES, cites: 'DataFlint broadcast-too-large 1 GiB; Spark 8 GB broadcast limit' },
      sqlExecutionWallClockMs: window ? executionMs : null,
      impactBasis: 'broadcast collect + build + send time, within its SQL execution\'s window (at most all of it)',
    },
    confidence: 'HIGH',
    suggestion:
      'Make the broadcast side smaller (select only the join and needed columns, filter before the join), or let this ' +
      'join shuffle instead: lower spark.sql.autoBroadcastJoinThreshold or drop the BROADCAST hint (a SHUFFLE_HASH or ' +
      'MERGE hint also does it).',
    tradeoffs:
      'A shuffle join moves and sorts both sides across the network instead; it spills rather than failing when data ' +
      'grows, but costs more time on the large side.',
    sparkDocsRef: JOIN_DOCS,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: sql.executionId,
    impact: 0,
    impactMs: Math.round(claimedWallMs(claims)),
    claims,
  };
}

/** A join and the operators below it down to and including the nearest exchanges (whose writers did its shuffle). */
function joinSubtree(join: PlanNode): PlanNode[] {
  const nodes: PlanNode[] = [join];
  const walk = (node: PlanNode): void => {
    for (const child of node.children) {
      nodes.push(child);
      if (!/Exchange$/.test(child.nodeName)) walk(child);
    }
  };
  walk(join);
  return nodes;
}

/**
 * Broadcast joins: shuffled joins (SortMergeJoin, ShuffledHashJoin in the final, adaptive when there is one, plan)
 * whose buildable side measured under spark.sql.autoBroadcastJoinThreshold (10 MB default) beside a larger side
 * of at least 128 MB, or under DataFlint's ratio tiers; and broadcasts of 1 GiB or more. Side sizes come from
 * the exchanges' "data size" (or a scan's "size of files read") SQL metrics.
 */
export const broadcastJoinDetector: Detector = {
  type: 'broadcast-join',
  description:
    'Shuffled joins whose smaller side measured under the broadcast threshold (10 MB default, DataFlint tiers for ' +
    'large joins), and broadcasts of 1 GiB or more.',
  sparkDocsRef: JOIN_DOCS,
  async detect(context) {
    const { app, query } = context;
    const isShuffledJoin = (node: PlanNode): boolean => /^(SortMergeJoin|ShuffledHashJoin)/.test(node.nodeName);
    // Read only once some plan joins or broadcasts.
    let measured: {
      values: MetricValues;
      factsByKey: Map<string, StageFacts>;
      windows: Map<number, { executionId: number; startTime: number; endTime: number }>;
    } | null = null;
    const insights: InsightDraft[] = [];
    await forEachSqlPlanBatch(query, async (plans) => {
      const withJoins = plans.filter((sql) =>
        planNodes(sql.plan).some((node) => /^(SortMergeJoin|ShuffledHashJoin|BroadcastExchange)/.test(node.nodeName)));
      if (withJoins.length === 0) return;
      measured ??= {
        values: await loadMetricValues(query),
        factsByKey: new Map((await stageFacts(context)).map((f) => [stageKey(f.stageId, f.stageAttemptId), f])),
        windows: new Map((await query<{ executionId: number; startTime: number; endTime: number }>(`
          SELECT executionId::INTEGER AS executionId, startTime::DOUBLE AS startTime, endTime::DOUBLE AS endTime
          FROM sql_executions WHERE appKey = $appKey AND startTime IS NOT NULL AND endTime IS NOT NULL`)).map((w) => [w.executionId, w])),
      };
      const { values, factsByKey, windows } = measured;
      // One look-up for every join's stages of the batch (and those of the exchanges and sorts below it).
      const reporting = await stagesReporting(query, withJoins.flatMap((sql) =>
        planNodes(sql.plan).filter(isShuffledJoin).flatMap((join) => planNodes(join).flatMap((node) => node.metrics.map((metric) => metric.accumulatorId)))));
      for (const sql of withJoins) {
        const nodes = planNodes(sql.plan);
        const joins = nodes.filter(isShuffledJoin);
        for (const join of joins) {
          const stages = new Map<string, { stageId: number; attemptId: number }>();
          for (const metric of join.metrics) {
            for (const stage of reporting.get(metric.accumulatorId) ?? []) stages.set(`${stage.stageId}.${stage.attemptId}`, stage);
          }
          // The stages that wrote, read and sorted its inputs, down to (not past) the exchanges below it.
          const cost = new Map<string, StageFacts>();
          for (const node of joinSubtree(join)) {
            for (const metric of node.metrics) {
              for (const stage of reporting.get(metric.accumulatorId) ?? []) {
                const f = factsByKey.get(stageKey(stage.stageId, stage.attemptId));
                if (f) cost.set(stageKey(stage.stageId, stage.attemptId), f);
              }
            }
          }
          const insight = shuffledJoinInsight(app, sql, join, values, [...stages.values()],
            [...cost.values()].sort((a, b) => a.stageId - b.stageId || a.stageAttemptId - b.stageAttemptId));
          if (insight) insights.push(insight);
        }
        const seen = new Set<number>();
        for (const exchange of nodes.filter((node) => node.nodeName === 'BroadcastExchange')) {
          const size = metricOf(exchange, 'data size', 'data size (bytes)');
          if (!size || seen.has(size.accumulatorId)) continue;
          seen.add(size.accumulatorId);
          const insight = largeBroadcastInsight(app, sql, exchange, values, windows.get(sql.executionId));
          if (insight) insights.push(insight);
        }
      }
    });
    return insights;
  },
};
