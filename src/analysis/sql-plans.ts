import { finalPlansSql, sqlMetricValuesSql, startPlansSql, updatePlansSql } from '../store/sql-plan-store.js';
import { sharedByDetectors, type DetectorContext } from './detector.js';
import { parsePlanTree } from '../model/plan-tree.js';

/** A node of Spark's SparkPlanInfo tree, as logged with SQL executions. */
export interface PlanNode {
  nodeName: string;
  simpleString: string;
  children: PlanNode[];
  metrics: Array<{ name: string; accumulatorId: number; metricType: string }>;
}

/** The plan a SQL execution finished with: the last adaptive re-plan when there is one, else the initial plan. */
export interface SqlPlan {
  executionId: number;
  description: string | null;
  plan: PlanNode;
  /** Whether the plan is an adaptive re-plan (SparkListenerSQLAdaptiveExecutionUpdate). */
  adaptive: boolean;
  /** Stages of the execution's jobs. */
  stageIds: number[];
}

/** Final values of SQL metrics by accumulator id. */
export interface MetricValues {
  /** The final value of the SQL metric with this accumulator id, if it was ever reported. */
  get(accumulatorId: number): number | undefined;
}

/**
 * Metric values as two arrays sorted by accumulator id, searched by halves. An application of thousands of queries
 * has a million metric values or more: read as a row object each into a Map, they held ~100 MB of heap at once.
 */
export class SortedMetricValues implements MetricValues {
  /** `ids` sorted ascending, without repeats; `values[i]` is the value of `ids[i]`. */
  constructor(
    private readonly ids: Float64Array,
    private readonly values: Float64Array,
  ) {}

  get(accumulatorId: number): number | undefined {
    let low = 0;
    let high = this.ids.length - 1;
    while (low <= high) {
      const middle = (low + high) >>> 1;
      const id = this.ids[middle]!;
      if (id === accumulatorId) return this.values[middle];
      if (id < accumulatorId) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }
}

interface RawNode {
  nodeName?: string;
  simpleString?: string;
  children?: RawNode[];
  metrics?: Array<{ name?: string; accumulatorId?: number; metricType?: string }>;
}

function toNode(raw: RawNode): PlanNode {
  return {
    nodeName: raw.nodeName ?? '',
    simpleString: raw.simpleString ?? raw.nodeName ?? '',
    children: (raw.children ?? []).map(toNode),
    metrics: (raw.metrics ?? [])
      .filter((metric) => metric.name !== undefined && metric.accumulatorId !== undefined)
      .map((metric) => ({ name: metric.name!, accumulatorId: Number(metric.accumulatorId), metricType: metric.metricType ?? 'sum' })),
  };
}

/**
 * How many SQL executions' plans a reader holds at once. Read all at once, 3,500 executions of TPC-DS q72 brought
 * ~100 MB of plan text into the process (and kept 15 MB of parsed trees): the two plan detectors peaked at 363-403 MB
 * on their own, 321-333 MB in batches of 500 (~300 MB in batches of 200). Each batch is a query of ~20 ms: batches of
 * 500 cost those detectors ~0.35 s more on that log (1.0-1.3 s against 1.36-1.6 s), and keep a Thrift server's tens of
 * thousands of queries in bounds.
 */
export const SQL_PLAN_BATCH = 500;

type FinalPlanRow = { executionId: bigint; description: string | null; plan: string | null; planUpdates: number; stageIds: bigint[] };

function sqlPlanOf(row: FinalPlanRow): SqlPlan | null {
  const plan = row.plan ? parsePlanTree<RawNode>(row.plan) : null;
  if (!plan) return null;
  try {
    return {
      executionId: Number(row.executionId),
      description: row.description,
      plan: toNode(plan),
      adaptive: row.planUpdates > 0,
      stageIds: row.stageIds.map(Number),
    };
  } catch {
    return null;
  }
}

/**
 * The final plans of the executions from `firstExecution` to `lastExecution`, in execution order: which plan is each
 * one's last, then those plans, in three statements (see {@link updatePlansSql}).
 */
async function readFinalPlans(query: DetectorContext['query'], firstExecution: number, lastExecution: number): Promise<FinalPlanRow[]> {
  const range = { firstExecution, lastExecution };
  const sources = await query<Omit<FinalPlanRow, 'plan'> & { finalSeq: bigint | null }>(
    finalPlansSql('appKey = $appKey', 'range', { quoted: true, plans: false }),
    range,
  );
  const listOf = (values: ReadonlyArray<bigint>): string => `[${values.join(',')}]`;
  const updated = sources.flatMap((row) => (row.finalSeq === null ? [] : [row.finalSeq]));
  const started = sources.flatMap((row) => (row.finalSeq === null ? [row.executionId] : []));
  const planRows = [
    ...(updated.length > 0 ? await query<{ executionId: bigint; plan: string | null }>(updatePlansSql, { ...range, seqs: listOf(updated) }) : []),
    ...(started.length > 0 ? await query<{ executionId: bigint; plan: string | null }>(startPlansSql, { ...range, executionIds: listOf(started) }) : []),
  ];
  const plans = new Map(planRows.map((row) => [row.executionId, row.plan]));
  return sources.map(({ finalSeq: _finalSeq, ...row }) => ({ ...row, plan: plans.get(row.executionId) ?? null }));
}

/**
 * Plan text past which one detection's parsed plans are not kept for its next reader: kept, 3,500 executions' plans
 * (~100 MB of text) are ~15 MB of parsed trees; a Thrift server's tens of thousands are read again instead.
 */
const KEPT_PLAN_TEXT_CHARS = 128 * 1024 * 1024;

/** The batches a detection's first reader parsed, for the next one (see {@link forEachSqlPlanBatch}); null: too many. */
const keptPlanBatches = new WeakMap<DetectorContext['query'], ReadonlyArray<readonly SqlPlan[]> | null>();

/**
 * Every SQL execution's final plan (latest adaptive update wins), with the stages its jobs ran, handed to `visit`
 * in execution order {@link SQL_PLAN_BATCH} executions at a time: a reader keeps what it found, never the trees. The
 * detection's first reader reads and parses them, and they are kept for the next one (two detectors read every plan)
 * unless their text passes {@link KEPT_PLAN_TEXT_CHARS}. Readers must not change the plans.
 */
export async function forEachSqlPlanBatch(
  query: DetectorContext['query'],
  visit: (plans: readonly SqlPlan[]) => Promise<void>,
  batchSize = SQL_PLAN_BATCH,
): Promise<void> {
  const shared = batchSize === SQL_PLAN_BATCH;
  const kept = shared ? keptPlanBatches.get(query) : undefined;
  if (kept) {
    for (const plans of kept) await visit(plans);
    return;
  }
  // The detection's first reader of shared batches keeps them (null once they are too many); any other reads afresh.
  const firstReader = shared && kept === undefined;
  let keeping: Array<readonly SqlPlan[]> | null = firstReader ? [] : null;
  let keptChars = 0;
  const executions = (await query<{ executionId: bigint }>(
    'SELECT executionId FROM sql_executions WHERE appKey = $appKey ORDER BY executionId',
  )).map((row) => Number(row.executionId));
  for (let first = 0; first < executions.length; first += batchSize) {
    const rows = await readFinalPlans(query, executions[first]!, executions[Math.min(first + batchSize, executions.length) - 1]!);
    const plans = rows.flatMap((row) => sqlPlanOf(row) ?? []);
    if (keeping !== null) {
      keptChars += rows.reduce((chars, row) => chars + (row.plan?.length ?? 0), 0);
      keeping = keptChars > KEPT_PLAN_TEXT_CHARS ? null : keeping;
    }
    if (plans.length === 0) continue;
    keeping?.push(plans);
    await visit(plans);
  }
  if (firstReader) keptPlanBatches.set(query, keeping);
}

/**
 * The final value of every SQL metric of the application: the driver's own update when it sent one (scan file
 * counts, broadcast and write statistics), else the running total the last stage completion reported. Read once
 * per application's detection.
 */
export const loadMetricValues = sharedByDetectors(async (query): Promise<MetricValues> => {
  // One row of two lists of doubles: no object, and no BigInt, per value.
  const [row] = await query<{ ids: number[] | null; values: number[] | null }>(`
    SELECT list(accumulatorId::DOUBLE ORDER BY accumulatorId) AS ids, list(value::DOUBLE ORDER BY accumulatorId) AS values
    FROM (${sqlMetricValuesSql('appKey = $appKey')})`);
  return new SortedMetricValues(Float64Array.from(row?.ids ?? []), Float64Array.from(row?.values ?? []));
});

/**
 * Which stage attempts reported each SQL metric: (accumulator id, stage id, attempt id) triples sorted in that order,
 * as three parallel arrays. Read once per detection: looked up for each plan batch of two detectors, the unnest of
 * every stage's accumulables ran fourteen times on an application of 3,500 queries.
 */
class MetricReporters {
  constructor(
    private readonly ids: Float64Array,
    private readonly stageIds: Float64Array,
    private readonly attemptIds: Float64Array,
  ) {}

  /** Index of the first triple whose accumulator id is not below `id`. */
  private firstAtLeast(id: number): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ids[middle]! < id) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The stage attempts that reported metric `id`, by stage and attempt. */
  stagesOf(id: number): Array<{ stageId: number; attemptId: number }> {
    const stages: Array<{ stageId: number; attemptId: number }> = [];
    for (let i = this.firstAtLeast(id); i < this.ids.length && this.ids[i] === id; i += 1) {
      stages.push({ stageId: this.stageIds[i]!, attemptId: this.attemptIds[i]! });
    }
    return stages;
  }
}

const loadMetricReporters = sharedByDetectors(async (query): Promise<MetricReporters> => {
  // One row of three lists of doubles: no object, and no BigInt, per triple.
  const [row] = await query<{ ids: number[] | null; stageIds: number[] | null; attemptIds: number[] | null }>(`
    SELECT list(id ORDER BY id, stageId, attemptId) AS ids, list(stageId ORDER BY id, stageId, attemptId) AS stageIds,
      list(attemptId ORDER BY id, stageId, attemptId) AS attemptIds
    FROM (SELECT DISTINCT a.id::DOUBLE AS id, s.stageId::DOUBLE AS stageId, s.attemptId::DOUBLE AS attemptId
          FROM (SELECT stageId, attemptId, unnest(accumulables) AS a FROM stages WHERE appKey = $appKey) s
          WHERE a.metadata = 'sql' AND a.id IS NOT NULL)`);
  return new MetricReporters(
    Float64Array.from(row?.ids ?? []),
    Float64Array.from(row?.stageIds ?? []),
    Float64Array.from(row?.attemptIds ?? []),
  );
});

/** The stages (id and attempt) whose completion reported any of the given SQL metrics, by stage and attempt. */
export async function stagesReporting(query: DetectorContext['query'], accumulatorIds: readonly number[]): Promise<Map<number, Array<{ stageId: number; attemptId: number }>>> {
  const result = new Map<number, Array<{ stageId: number; attemptId: number }>>();
  if (accumulatorIds.length === 0) return result;
  const reporters = await loadMetricReporters(query);
  for (const id of new Set(accumulatorIds.map((accumulatorId) => Math.trunc(accumulatorId)))) {
    const stages = reporters.stagesOf(id);
    if (stages.length > 0) result.set(id, stages);
  }
  return result;
}

/** A node's metric by one of its names (Spark renamed some: "data size (bytes)" became "data size"). */
export function metricOf(node: PlanNode, ...names: string[]): { accumulatorId: number; metricType: string } | null {
  for (const name of names) {
    const metric = node.metrics.find((candidate) => candidate.name === name);
    if (metric) return metric;
  }
  return null;
}

/** A node's metric value by one of its names, or null when the plan has no such metric or it was never reported. */
export function metricValue(node: PlanNode, values: MetricValues, ...names: string[]): number | null {
  for (const name of names) {
    const metric = node.metrics.find((candidate) => candidate.name === name);
    const value = metric ? values.get(metric.accumulatorId) : undefined;
    if (value !== undefined) return value;
  }
  return null;
}

/**
 * Every node of a plan, depth first (a node, then each child's subtree in order). One array for the whole walk: spread
 * level by level, the nodes were copied once per level above them, and the detectors spent ~0.6 s of an application of
 * 2,800 queries here.
 */
export function planNodes(root: PlanNode): PlanNode[] {
  const nodes: PlanNode[] = [];
  const pending: PlanNode[] = [root];
  for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
    nodes.push(node);
    for (let i = node.children.length - 1; i >= 0; i -= 1) pending.push(node.children[i]!);
  }
  return nodes;
}
