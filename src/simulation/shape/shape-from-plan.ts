/**
 * A shape from a real SQL execution: its physical plan (scans with their measured bytes and files, filters, joins
 * and their sides, aggregates, exchanges, writes) becomes a playground input, so the playground can be compared
 * with what Spark did and a learner can change the knobs of their own query. Pure: the caller reads the store.
 */

import type { SparkPlanInfo } from '../../store/sql-plan-store.js';
import { DEFAULT_ROW_BYTES, GiB, KiB, MiB } from './shape-config.js';
import type { JoinDecision, JoinType, ShapeConfig, ShapeInput, ShapeOperation, ShapeSource } from './shape-types.js';

/** What a stored execution gives the conversion. */
export interface PlanFacts {
  plan: SparkPlanInfo;
  /** SQL metric values by accumulator id. */
  metricValues: ReadonlyMap<number, bigint>;
  /** The application's Spark properties. */
  sparkProperties: Readonly<Record<string, string>>;
  sparkVersion: string | null;
  /** Executors that ran tasks (the driver alone in local mode) and their cores. */
  executors: number;
  coresPerExecutor: number;
}

/** A shape derived from a plan, what the plan itself shows (to compare with), and what the shape leaves out. */
export interface PlanShape {
  shape: ShapeInput;
  /** The plan's join strategies, in the order the shape's joins are planned (innermost first). */
  planJoins: Array<JoinDecision['strategy']>;
  /** Shuffle exchanges in the plan (a reused exchange counts once). */
  planShuffles: number;
  /** Plan nodes the playground has no operation for, by name (their effect on sizes is kept through row counts). */
  notModelled: string[];
  /** Every value the conversion assumed, in words. */
  assumptions: string[];
}

/** Nodes that only wrap or reorder rows: the shape passes through them to their (first) child. */
const PASS_THROUGH = new Set([
  'AdaptiveSparkPlan', 'ResultQueryStage', 'InputAdapter', 'ColumnarToRow', 'RowToColumnar', 'Project', 'Sort', 'AQEShuffleRead',
  'CustomShuffleReader', 'ShuffleQueryStage', 'BroadcastQueryStage', 'TableCacheQueryStage', 'WriteFiles', 'SerializeFromObject',
  'DeserializeToObject', 'MapElements', 'MapPartitions', 'LocalLimit', 'GlobalLimit', 'Subquery', 'SubqueryBroadcast', 'Coalesce',
  'BatchEvalPython', 'ArrowEvalPython', 'Expand', 'Generate', 'CollectLimit', 'TakeOrderedAndProject', 'ReusedExchange',
  'AppendColumns', 'CommandResult', 'Exchange', 'BroadcastExchange',
]);
/** Pass-through nodes worth naming as not modelled (they change rows or work in ways the shape does not represent). */
const NAMED_GAPS = new Set(['Expand', 'Generate', 'BatchEvalPython', 'ArrowEvalPython', 'MapPartitions', 'MapElements', 'CollectLimit', 'TakeOrderedAndProject', 'LocalLimit', 'GlobalLimit']);

const JOIN_NODES: Record<string, JoinDecision['strategy']> = {
  BroadcastHashJoin: 'broadcast_hash',
  SortMergeJoin: 'sort_merge',
  ShuffledHashJoin: 'shuffle_hash',
  BroadcastNestedLoopJoin: 'broadcast_nested_loop',
  CartesianProduct: 'cartesian',
};

const JOIN_TYPES: Record<string, JoinType> = {
  Inner: 'inner', LeftOuter: 'left', RightOuter: 'right', FullOuter: 'full', LeftSemi: 'left_semi', LeftAnti: 'left_anti', Cross: 'cross',
  ExistenceJoin: 'left_semi',
};

/** The node's name without codegen numbering: "WholeStageCodegen (3)" → "WholeStageCodegen". */
function baseName(node: SparkPlanInfo): string {
  return node.nodeName.replace(/\s*\(\d+\)$/, '').trim();
}

/** A named SQL metric's final value on a node, if logged. */
function metric(facts: PlanFacts, node: SparkPlanInfo, name: string): number | null {
  const found = (node.metrics ?? []).find((candidate) => candidate.name === name);
  if (!found) return null;
  const value = facts.metricValues.get(found.accumulatorId);
  return value === undefined ? null : Number(value);
}

/** Rows a node produced: its own metric, else (for a node that passes rows through) its first child's. */
function rowsOf(facts: PlanFacts, node: SparkPlanInfo): number | null {
  const own = metric(facts, node, 'number of output rows');
  if (own !== null) return own;
  const child = node.children?.[0];
  return child ? rowsOf(facts, child) : null;
}

/** Column names without expression ids: "cs_item_sk#750" → "cs_item_sk". */
function columns(list: string): string[] {
  return list.split(',').map((part) => part.trim().replace(/#\d+L?$/, '')).filter((part) => part.length > 0);
}

/** Spark's byte strings ("4g", "512m", "10485760") as bytes. */
export function parseByteString(text: string | undefined): number | null {
  if (text === undefined) return null;
  const match = /^\s*(-?\d+(?:\.\d+)?)\s*([kmgtp]?)i?b?\s*$/i.exec(text);
  if (!match) return null;
  const unit = { '': 1, k: KiB, m: MiB, g: GiB, t: 1024 * GiB, p: 1024 * 1024 * GiB }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't' | 'p'];
  return Number(match[1]) * unit;
}

/** The playground configuration the application ran with: its properties over the defaults of its Spark version. */
export function configFromProperties(facts: Pick<PlanFacts, 'sparkProperties' | 'sparkVersion' | 'executors' | 'coresPerExecutor'>, assume: (text: string) => void): ShapeConfig {
  const props = facts.sparkProperties;
  const config: ShapeConfig = { executors: Math.max(1, facts.executors), coresPerExecutor: Math.max(1, facts.coresPerExecutor) };
  const number = (key: string): number | null => (props[key] !== undefined && /^-?\d+$/.test(props[key]!.trim()) ? Number(props[key]) : null);
  const bytes = (key: string): number | null => parseByteString(props[key]);
  const bool = (key: string): boolean | null => (props[key] === undefined ? null : props[key]!.trim().toLowerCase() === 'true');
  const partitions = number('spark.sql.shuffle.partitions');
  if (partitions !== null && partitions > 0) config.shufflePartitions = partitions;
  const adaptive = bool('spark.sql.adaptive.enabled');
  const [major = 0, minor = 0] = (facts.sparkVersion ?? '').split('.').map((part) => Number.parseInt(part, 10));
  // AQE is on by default from Spark 3.2 (SPARK-33679); before that it was off unless set.
  const aqeDefault = major > 3 || (major === 3 && minor >= 2);
  config.adaptiveEnabled = adaptive ?? aqeDefault;
  if (adaptive === null) assume(`spark.sql.adaptive.enabled not set: Spark ${facts.sparkVersion ?? '(version unknown)'} default ${aqeDefault} used.`);
  const threshold = bytes('spark.sql.autoBroadcastJoinThreshold');
  if (threshold !== null) config.autoBroadcastJoinThresholdBytes = threshold < 0 ? -1 : threshold;
  const maxPartition = bytes('spark.sql.files.maxPartitionBytes');
  if (maxPartition !== null && maxPartition > 0) config.maxPartitionBytes = maxPartition;
  const openCost = bytes('spark.sql.files.openCostInBytes');
  if (openCost !== null && openCost >= 0) config.openCostInBytes = openCost;
  const advisory = bytes('spark.sql.adaptive.advisoryPartitionSizeInBytes') ?? bytes('spark.sql.adaptive.shuffle.targetPostShuffleInputSize');
  if (advisory !== null && advisory > 0) config.advisoryPartitionSizeBytes = advisory;
  const skew = bool('spark.sql.adaptive.skewJoin.enabled');
  if (skew !== null) config.skewJoinEnabled = skew;
  const memory = bytes('spark.executor.memory');
  // Spark refuses heaps under 450 MiB; a property below that is not what the executors ran with.
  if (memory !== null && memory >= 450 * MiB) config.executorMemoryBytes = memory;
  else assume('spark.executor.memory not set (or not parseable): Spark\'s 1 GiB default used.');
  const maxResult = bytes('spark.driver.maxResultSize');
  if (maxResult !== null && maxResult >= 0) config.driverMaxResultSizeBytes = maxResult;
  return config;
}

/** A shape under construction: its source and its operations in order. */
interface Partial {
  source: ShapeSource;
  operations: ShapeOperation[];
}

/** Converts one plan. Throws Error with a reason when the plan has no data source the shape can start from. */
export function shapeFromPlan(facts: PlanFacts): PlanShape {
  const notModelled = new Set<string>();
  const assumptions: string[] = [];
  const assume = (text: string): void => {
    if (!assumptions.includes(text)) assumptions.push(text);
  };
  const planJoins: Array<JoinDecision['strategy']> = [];
  const config = configFromProperties(facts, assume);
  const slots = (config.executors ?? 1) * (config.coresPerExecutor ?? 1);
  let shuffles = 0;
  const countExchanges = (node: SparkPlanInfo): void => {
    if (baseName(node) === 'Exchange') shuffles++;
    if (baseName(node) === 'ReusedExchange') return;
    for (const child of node.children ?? []) countExchanges(child);
  };
  countExchanges(facts.plan);

  /** The first data child, past wrappers. */
  const dataChild = (node: SparkPlanInfo): SparkPlanInfo | undefined => node.children?.[0];

  /** Whether an Exchange sits under this node before any operator that is not a wrapper. */
  const exchangeBelow = (node: SparkPlanInfo | undefined): SparkPlanInfo | null => {
    let current = node;
    while (current) {
      const name = baseName(current);
      if (name === 'Exchange') return current;
      if (name === 'ReusedExchange') return current;
      if (!['InputAdapter', 'AQEShuffleRead', 'CustomShuffleReader', 'ShuffleQueryStage', 'WholeStageCodegen', 'ColumnarToRow', 'Sort', 'Project'].includes(name)) return null;
      current = current.children?.[0];
    }
    return null;
  };

  const source = (node: SparkPlanInfo): ShapeSource => {
    const name = baseName(node);
    const rows = rowsOf(facts, node);
    const files = metric(facts, node, 'number of files read');
    const size = metric(facts, node, 'size of files read');
    if (/^Scan /.test(name) && files !== null && files > 0 && size !== null) {
      const formatWord = /^Scan (\w+)/.exec(name)?.[1]?.toLowerCase() ?? 'parquet';
      const format = (['parquet', 'orc', 'csv', 'json', 'text'] as const).find((candidate) => candidate === formatWord) ?? 'parquet';
      if (formatWord !== format) assume(`A ${name} scan is read as ${format} (splittable).`);
      return { kind: 'files', totalBytes: size, fileCount: files, format, ...(rows !== null && rows > 0 ? { rowCount: rows } : {}) };
    }
    const splits = /splits=(\d+)/.exec(node.simpleString ?? '')?.[1];
    const partitions = splits !== undefined ? Number(splits) : Math.max(1, slots);
    const rowCount = rows !== null && rows > 0 ? rows : null;
    notModelled.add(`${name} (no file metrics: sized as ${rowCount ?? 'unknown'} rows of ${DEFAULT_ROW_BYTES} B in ${partitions} partitions)`);
    return {
      kind: 'table',
      totalBytes: (rowCount ?? 1) * DEFAULT_ROW_BYTES,
      partitions: Math.max(1, partitions),
      ...(rowCount !== null ? { rowCount } : {}),
    };
  };

  const build = (node: SparkPlanInfo): Partial => {
    const name = baseName(node);
    const children = node.children ?? [];
    if (name === 'StandaloneExchange') {
      const child = dataChild(node);
      if (!child) throw new Error('the plan has an Exchange without a child');
      const built = build(child);
      built.operations.push(standaloneExchangeOperation(node.simpleString ?? ''));
      return built;
    }
    if (children.length === 0) return { source: source(node), operations: [] };
    if (name === 'WholeStageCodegen' || PASS_THROUGH.has(name) || name.startsWith('Execute ') || name === 'DataWritingCommandExec') {
      if (NAMED_GAPS.has(name)) notModelled.add(name);
      const child = dataChild(node);
      if (!child) throw new Error(`the plan's ${name} has no child to read from`);
      const built = build(child);
      if (name.startsWith('Execute ') && /Insert|Create.*AsSelect|SaveIntoDataSource|WriteFiles/i.test(name)) {
        const dynamic = metric(facts, node, 'number of dynamic part');
        built.operations.push(dynamic !== null && dynamic > 0 ? { op: 'write', partitionValues: dynamic } : { op: 'write' });
      }
      return built;
    }
    if (name in JOIN_NODES) {
      const strategy = JOIN_NODES[name]!;
      const text = node.simpleString ?? '';
      const [leftNode, rightNode] = children;
      if (!leftNode || !rightNode) throw new Error(`the plan's ${name} has fewer than two children`);
      const left = build(leftNode);
      const right = build(rightNode);
      planJoins.push(strategy);
      const typeWord = Object.keys(JOIN_TYPES).find((word) => new RegExp(`\\b${word}\\b`).test(text));
      const joinType = typeWord ? JOIN_TYPES[typeWord]! : strategy === 'cartesian' ? 'cross' : 'inner';
      const keys = /\[([^\]]*)\]/.exec(text)?.[1];
      const equi = strategy !== 'broadcast_nested_loop' && strategy !== 'cartesian';
      const operation: ShapeOperation = { op: 'join', right: { source: right.source, operations: right.operations } };
      if (joinType !== 'inner') operation.joinType = equi && joinType === 'cross' ? 'inner' : joinType;
      if (equi && keys) operation.keys = columns(keys);
      if (!equi && joinType !== 'cross') operation.hasEquiCondition = false;
      const outRows = metric(facts, node, 'number of output rows');
      const leftRows = rowsOf(facts, leftNode);
      const rightRows = rowsOf(facts, rightNode);
      if (outRows !== null && leftRows !== null && rightRows !== null && leftRows > 0 && rightRows > 0 && outRows > 0 && joinType !== 'left_semi' && joinType !== 'left_anti') {
        const selectivity = outRows / (leftRows * rightRows);
        if (selectivity > 0 && selectivity <= 1) operation.selectivity = selectivity;
      }
      left.operations.push(operation);
      return left;
    }
    if (name === 'Union') {
      const [first, ...rest] = children;
      if (!first) throw new Error('the plan has a Union without children');
      const built = build(first);
      for (const other of rest) {
        const right = build(other);
        built.operations.push({ op: 'union', right: { source: right.source, operations: right.operations } });
      }
      return built;
    }
    if (name === 'Filter') {
      const child = dataChild(node);
      if (!child) throw new Error('the plan has a Filter without a child');
      const built = build(child);
      const out = rowsOf(facts, node);
      const input = rowsOf(facts, child);
      const selectivity = out !== null && input !== null && input > 0 ? Math.min(1, Math.max(out / input, 1e-9)) : null;
      built.operations.push(selectivity !== null ? { op: 'filter', selectivity } : { op: 'filter' });
      return built;
    }
    if (/Aggregate$/.test(name)) {
      const child = dataChild(node);
      if (!child) throw new Error(`the plan has a ${name} without a child`);
      const text = node.simpleString ?? '';
      // Partial (map-side) and merge aggregates run before the exchange; the final one after it is the groupBy.
      const partial = /functions=\[[^\]]*\b(partial|merge)_/.test(text);
      const exchange = exchangeBelow(child);
      const built = build(child);
      if (partial || exchange === null) return built;
      const keys = columns(/keys=\[([^\]]*)\]/.exec(text)?.[1] ?? '');
      const groups = rowsOf(facts, node);
      const operation: ShapeOperation = { op: 'groupBy' };
      if (keys.length > 0) operation.keys = keys;
      if (groups !== null && groups > 0) operation.distinctGroups = groups;
      built.operations.push(operation);
      return built;
    }
    if (name === 'Window') {
      const child = dataChild(node);
      if (!child) throw new Error('the plan has a Window without a child');
      const exchange = exchangeBelow(child);
      const built = build(child);
      if (exchange === null) return built;
      const keys = /partitionby\(([^)]*)\)|hashpartitioning\(([^)]*?),\s*\d+\)/i.exec(exchange.simpleString ?? '');
      const operation: ShapeOperation = { op: 'window' };
      const list = keys?.[1] ?? keys?.[2];
      if (list && !/SinglePartition/.test(exchange.simpleString ?? '')) operation.keys = columns(list);
      built.operations.push(operation);
      return built;
    }
    notModelled.add(name);
    return build(children[0]!);
  };

  // Exchanges not consumed by an aggregate, join or window (a repartition, an orderBy) become their own operations.
  const root = withStandaloneExchanges(facts.plan);
  const built = build(root);
  return {
    shape: { source: built.source, operations: built.operations, config },
    planJoins,
    planShuffles: shuffles,
    notModelled: [...notModelled].sort(),
    assumptions,
  };
}

/**
 * A copy of the plan where each Exchange whose consumer is not an aggregate, join or window is wrapped in a marker
 * node the builder turns into repartition or orderBy. Done on a copy so the builder's recursion stays simple.
 */
function withStandaloneExchanges(plan: SparkPlanInfo): SparkPlanInfo {
  const consumers = /Aggregate$|Join$|^CartesianProduct$|^Window$/;
  const visit = (node: SparkPlanInfo, consumed: boolean): SparkPlanInfo => {
    const name = baseName(node);
    const children = (node.children ?? []).map((child, index) => {
      const passes = ['InputAdapter', 'AQEShuffleRead', 'CustomShuffleReader', 'ShuffleQueryStage', 'WholeStageCodegen', 'ColumnarToRow', 'Sort', 'Project'].includes(name);
      const childConsumed = consumers.test(name) || (passes && consumed);
      return visit(child, index === 0 || consumers.test(name) ? childConsumed : false);
    });
    const copy: SparkPlanInfo = { ...node, children };
    if (name === 'Exchange' && !consumed) {
      return { nodeName: 'StandaloneExchange', simpleString: node.simpleString ?? '', children: [copy] };
    }
    return copy;
  };
  return visit(plan, false);
}

/** The repartition or orderBy a standalone exchange stands for. */
function standaloneExchangeOperation(simpleString: string): ShapeOperation {
  const range = /rangepartitioning\((.*),\s*(\d+)\)/.exec(simpleString);
  if (range) return { op: 'orderBy', keys: columns(range[1]!.replace(/\s+(ASC|DESC)[^,]*/g, '')) };
  const roundRobin = /RoundRobinPartitioning\((\d+)\)/i.exec(simpleString);
  if (roundRobin) return { op: 'repartition', partitions: Number(roundRobin[1]) };
  const hash = /hashpartitioning\((.*),\s*(\d+)\)/.exec(simpleString);
  if (hash) return { op: 'repartition', keys: columns(hash[1]!), partitions: Number(hash[2]) };
  return { op: 'repartition', partitions: 1 };
}
