import { sparkPlanGraph, type PlanGraph, type PlanGraphNode } from '../api/sql/spark-plan-graph.js';
import type { AnalysisDatabase } from '../store/database.js';
import { sqlMetricSamples, sqlPlanOf, sqlPlansByApp, type SqlMetricSamples, type SqlPlanRecord } from '../store/sql-plan-store.js';
import { sqlExecutionsByApp, type SqlExecutionRecord } from '../store/sql-store.js';
import { appRoute, type AppScope } from './app-scope.js';
import { notFound } from './errors.js';
import { shsDate } from './json.js';
import { booleanParam, intParam, pathInt } from './params.js';
import type { Router } from './router.js';
import { scalaIntMapOrder } from './scala-map-order.js';
import { sqlMetricText } from './sql-metric-text.js';

const WHOLE_STAGE_CODEGEN = 'WholeStageCodegen';

/** What the SQL resource adds to each execution (SqlResource's `details` and `planDescription`). */
interface SqlOptions {
  details: boolean;
  planDescription: boolean;
}

/** The id in "WholeStageCodegen (3)", as SqlResource reads it; undefined when the name has none. */
function wholeStageCodegenId(name: string): number | undefined {
  const inner = name.trim().slice(`${WHOLE_STAGE_CODEGEN} (`.length, -1);
  return /^[+-]?\d+$/.test(inner) ? Number(inner) : undefined;
}

/** Each metric's value as History Server prints it, by accumulator id (SQLAppStatusListener.aggregateMetrics). */
function metricTexts(graph: PlanGraph, samples: ReadonlyMap<number, SqlMetricSamples>): Map<number, string> {
  const types = new Map<number, string>();
  for (const node of graph.allNodes) for (const metric of node.metrics) types.set(metric.accumulatorId, metric.metricType);
  const texts = new Map<number, string>();
  for (const [id, type] of types) {
    const sample = samples.get(id);
    if (!sample) continue;
    if (!sample.totalOnly) {
      texts.set(id, sqlMetricText(type, sample.values, sample.maxTask));
    } else if (type !== 'average') {
      // Only the total is known: printed as Spark prints a metric with a single value. An average has no
      // meaningful total, so it is left out rather than shown wrong.
      texts.set(id, sqlMetricText(type, [sample.values.reduce((total, v) => total + v, 0)], null));
    }
  }
  return texts;
}

/** SqlResource.printableMetrics: every node with the metrics that have a value, highest id first. */
function nodesJson(graph: PlanGraph, texts: ReadonlyMap<number, string>): Array<Record<string, unknown>> {
  const clusterOf = new Map<number, PlanGraphNode>();
  for (const node of graph.allNodes) {
    if (node.clusterNodes && node.name.trim().startsWith(WHOLE_STAGE_CODEGEN)) {
      for (const inner of node.clusterNodes) clusterOf.set(inner.id, node);
    }
  }
  return graph.allNodes
    .map((node) => {
      const cluster = clusterOf.get(node.id);
      return {
        nodeId: node.id,
        nodeName: node.name.trim(),
        wholeStageCodegenId: cluster ? wholeStageCodegenId(cluster.name) : undefined,
        metrics: node.metrics.flatMap((metric) => {
          const text = texts.get(metric.accumulatorId);
          return text === undefined ? [] : [{ name: metric.name.trim(), value: text }];
        }),
      };
    })
    .sort((a, b) => b.nodeId - a.nodeId);
}

/** History Server's ExecutionData for one execution. */
function executionJson(
  execution: SqlExecutionRecord,
  graph: PlanGraph | null,
  samples: ReadonlyMap<number, SqlMetricSamples>,
  options: SqlOptions,
  now: number,
): Record<string, unknown> {
  const statusOf = new Map(execution.jobs.map((job) => [Number(job.jobId), job.status]));
  // An execution's jobs are a Scala Map: its key order is what History Server lists.
  const ordered = scalaIntMapOrder(execution.jobs.map((job) => Number(job.jobId)));
  const withStatus = (status: string): number[] => ordered.filter((id) => statusOf.get(id) === status);
  const submission = Number(execution.startTime ?? 0n);
  const end = execution.endTime !== null ? Number(execution.endTime) : now;
  return {
    id: Number(execution.id),
    status: execution.status,
    description: execution.description ?? '',
    planDescription: options.planDescription ? (execution.physicalPlanDescription ?? '') : '',
    submissionTime: shsDate(submission),
    duration: end - submission,
    runningJobIds: withStatus('RUNNING'),
    successJobIds: withStatus('SUCCEEDED'),
    failedJobIds: withStatus('FAILED'),
    nodes: options.details && graph ? nodesJson(graph, metricTexts(graph, samples)) : [],
    edges: options.details && graph ? graph.edges.map((edge) => ({ fromId: edge.fromId, toId: edge.toId })) : [],
    errorMessage: execution.errorMessage ?? undefined,
  };
}

/** The plans an answer shows: of the one execution asked for (only its plan is read), else of them all. */
async function plansFor(db: AnalysisDatabase, appKey: string, executionId: number | null): Promise<SqlPlanRecord[]> {
  if (executionId === null) return (await sqlPlansByApp(db, [appKey]))[0] ?? [];
  const one = await sqlPlanOf(db, appKey, executionId);
  return one ? [one] : [];
}

/** ExecutionData for the executions of an application (one when `executionId` is given). */
async function executionsJson(
  db: AnalysisDatabase,
  app: AppScope,
  options: SqlOptions,
  select: (executions: SqlExecutionRecord[]) => SqlExecutionRecord[],
  executionId: number | null,
): Promise<Array<Record<string, unknown>>> {
  const [[executions], plans, samples] = await Promise.all([
    sqlExecutionsByApp(db, [app.appKey], { planDescriptions: options.planDescription }),
    options.details ? plansFor(db, app.appKey, executionId) : [],
    options.details ? sqlMetricSamples(db, app.appKey, executionId) : Promise.resolve(new Map<number, Map<number, SqlMetricSamples>>()),
  ]);
  const planOf = new Map(plans.map((record) => [Number(record.executionId), record.plan]));
  const now = Date.now();
  return select(executions!).map((execution) => {
    const id = Number(execution.id);
    const plan = planOf.get(id);
    const graph = plan ? sparkPlanGraph(plan) : null;
    return executionJson(execution, graph, samples.get(id) ?? new Map(), options, now);
  });
}

function sqlOptions(query: URLSearchParams): SqlOptions {
  return { details: booleanParam(query, 'details', true), planDescription: booleanParam(query, 'planDescription', true) };
}

/** /sql and /sql/{executionId} (Spark's SqlResource). */
export function sqlRoutes(router: Router): void {
  appRoute(router, 'sql', async ({ db, query }, app) => {
    const options = sqlOptions(query);
    const offset = intParam(query, 'offset', 0);
    const length = intParam(query, 'length', -1);
    // executionsList(offset, length) pages in id order; a length of 0 or less lists every execution.
    return executionsJson(db, app, options, (all) => (length <= 0 ? all : all.slice(Math.max(0, offset), Math.max(0, offset) + length)), null);
  });

  appRoute(router, 'sql/:executionId(\\d+)', async ({ db, params, query }, app) => {
    const executionId = pathInt(params.executionId);
    const [json] = await executionsJson(db, app, sqlOptions(query), (all) => all.filter((e) => Number(e.id) === executionId), executionId);
    if (!json) throw notFound(`unknown query execution id: ${executionId}`);
    return json;
  });
}
