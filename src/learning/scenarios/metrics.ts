import type { Insight } from '../../analysis/insight.js';
import { counted, formatBytes } from '../../analysis/format.js';
import type { ShapeResult, ShapeStage } from '../../simulation/shape/shape-types.js';

/** A value a metric measures, a condition compares against or a learner chooses. */
export type ScenarioScalar = number | string | boolean;

/** What a metric's value is; it decides which operators a condition may use with it. */
export type MetricKind = 'number' | 'boolean' | 'string' | 'list';

/** A metric's value: one scalar, or a list of them (facts read from a log, e.g. the stages that were retried). */
export type MetricValue = ScenarioScalar | ScenarioScalar[];

/** A measured value and, in words, where it came from (copied from the simulation's or detector's own wording). */
export interface Measurement {
  value: MetricValue;
  derivation: string;
}

/** What the findings of issue 3's detectors on a scenario's shipped event log came to. */
export interface LogAnalysis {
  appId: string;
  insights: Insight[];
  /** The application's Spark properties as its log recorded them. */
  sparkProperties: Record<string, string>;
}

/** Everything a metric may read: the simulated plan (shape scenarios), the analysed log (log scenarios). */
export interface MetricInput {
  result: ShapeResult | null;
  log: LogAnalysis | null;
  /** The index in the simulated shape of the "before" shape's operation N (knobs may insert or drop operations). */
  operationIndex: (beforeIndex: number) => number | null;
}

/** The parameters a condition gives its metric. */
export interface MetricParams {
  /** Index of the operation in the scenario's "before" shape. */
  operation?: number;
  /** insightFires: the detector type, e.g. "data-skew". */
  insightType?: string;
}

/** One named metric of the registry. */
export interface MetricDefinition {
  kind: MetricKind;
  /** What it reads: the playground's result or the scenario's analysed event log. */
  source: 'shape' | 'log';
  /** Whether the condition must name an operation (`join` when it must be a join). */
  operation: 'none' | 'any' | 'join';
  needsInsightType?: boolean;
  /** Its name in explanations ("<label>: 4, expected under 3"). */
  label: (params: MetricParams) => string;
  measure: (input: MetricInput, params: MetricParams) => Measurement;
}


/** A Spark setting's name inside a suggestion's text ("spark.sql.shuffle.partitions"); matchAll copies it. */
const SETTING_NAME = /(?<![\w.])spark\.[a-zA-Z][\w.]*[a-zA-Z]/g;

/** Remedies named in words rather than by a setting, as suggestionMentions reports them. */
const REMEDIES: ReadonlyArray<{ name: string; pattern: RegExp }> = [
  { name: 'salt the hot key', pattern: /\bsalt/i },
  { name: 'broadcast the small side', pattern: /\bbroadcast(?: hint|\(df\)| join)/i },
  { name: 'compact the files', pattern: /\bcompact/i },
  { name: 'more, smaller partitions', pattern: /more, smaller partitions/i },
];

/** Thrown when a metric cannot be measured on this result (e.g. the operation it names was removed). */
export class MetricUnavailableError extends Error {
  override readonly name = 'MetricUnavailableError';
}

function requireResult(input: MetricInput): ShapeResult {
  if (!input.result) throw new MetricUnavailableError('this scenario has no simulated plan');
  return input.result;
}

function requireLog(input: MetricInput): LogAnalysis {
  if (!input.log) throw new MetricUnavailableError('this scenario ships no event log');
  return input.log;
}

function simulatedIndex(input: MetricInput, params: MetricParams): number {
  const before = params.operation ?? 0;
  const index = input.operationIndex(before);
  if (index === null) throw new MetricUnavailableError(`operation ${before} was removed by the choices`);
  return index;
}

/**
 * The main pipeline's stage that produces operation N's output: the stage that starts at N's shuffle (a join,
 * aggregation or repartition), else the stage that runs N.
 */
export function stageOfOperation(result: ShapeResult, index: number): ShapeStage {
  const main = result.stages.filter((stage) => stage.shape === 'main');
  const starting = main.filter((stage) => stage.boundary.operationIndex === index);
  const found = starting.at(-1) ?? main.filter((stage) => stage.operationIndexes.includes(index)).at(-1);
  if (!found) throw new MetricUnavailableError(`no stage of the simulated plan runs operation ${index}`);
  return found;
}

/**
 * The largest partition a task of the stage reads: the stage's own figure, which already counts AQE's skew split
 * (the hot piece plus the other side's matching partition, or a coalesced partition if that is larger). A largest
 * partition is never below the average one.
 */
function effectiveMaxPartition(stage: ShapeStage): Measurement {
  const largest = stage.maxPartitionBytes.value;
  const average = stage.bytesPerTask.value;
  if (largest >= average) return { value: largest, derivation: stage.maxPartitionBytes.derivation };
  return { value: average, derivation: `${stage.maxPartitionBytes.derivation}; at least the average partition, ${formatBytes(average)}` };
}

function joinAt(input: MetricInput, params: MetricParams): ShapeResult['joins'][number] {
  const result = requireResult(input);
  const index = simulatedIndex(input, params);
  const join = result.joins.find((decision) => decision.shape === 'main' && decision.operationIndex === index);
  if (!join) throw new MetricUnavailableError(`operation ${params.operation ?? 0} is not a join in the simulated plan`);
  return join;
}

function stageMeasurement(input: MetricInput, params: MetricParams, pick: (stage: ShapeStage) => Measurement): Measurement {
  const result = requireResult(input);
  const stage = stageOfOperation(result, simulatedIndex(input, params));
  const measured = pick(stage);
  return { value: measured.value, derivation: `stage ${stage.id}: ${measured.derivation}` };
}

/** The ids of the log's insights of one detector type, with what is after "<type>:" in their id. */
function insightKeys(log: LogAnalysis, type: string): string[] {
  return log.insights.filter((insight) => insight.type === type).map((insight) => insight.id.slice(type.length + 1));
}

/**
 * Every metric a success condition may name. A condition's verdict always comes from one of these, measured on the
 * simulation of the learner's choices (or on the detectors' findings in the scenario's log), never from a table
 * of right answers.
 */
export const metrics: Readonly<Record<string, MetricDefinition>> = {
  maxToTypicalPartitionRatio: {
    kind: 'number',
    source: 'shape',
    operation: 'any',
    label: (p) => `largest / typical partition of operation ${p.operation}'s stage`,
    measure: (input, params) => {
      const result = requireResult(input);
      const stage = stageOfOperation(result, simulatedIndex(input, params));
      const max = effectiveMaxPartition(stage);
      const typical = stage.bytesPerTask.value;
      const ratio = typical > 0 ? Number(max.value) / typical : 1;
      return {
        value: Math.round(ratio * 100) / 100,
        derivation:
          `stage ${stage.id}: largest partition ${formatBytes(Number(max.value))} (${max.derivation}) / typical ` +
          `${formatBytes(typical)} (${stage.bytesPerTask.derivation})`,
      };
    },
  },
  tasksInStage: {
    kind: 'number',
    source: 'shape',
    operation: 'any',
    label: (p) => `number of tasks of operation ${p.operation}'s stage`,
    measure: (input, params) => stageMeasurement(input, params, (stage) => stage.tasks),
  },
  bytesPerTask: {
    kind: 'number',
    source: 'shape',
    operation: 'any',
    label: (p) => `bytes per task of operation ${p.operation}'s stage`,
    measure: (input, params) => stageMeasurement(input, params, (stage) => stage.bytesPerTask),
  },
  maxPartitionBytes: {
    kind: 'number',
    source: 'shape',
    operation: 'any',
    label: (p) => `largest partition of operation ${p.operation}'s stage`,
    measure: (input, params) => stageMeasurement(input, params, effectiveMaxPartition),
  },
  spillBytesPerTask: {
    kind: 'number',
    source: 'shape',
    operation: 'any',
    label: (p) => `bytes spilled per task in operation ${p.operation}'s stage`,
    measure: (input, params) => stageMeasurement(input, params, (stage) => stage.spillBytesPerTask),
  },
  maxSpillBytesPerTask: {
    kind: 'number',
    source: 'shape',
    operation: 'none',
    label: () => 'most bytes a task spills in any stage',
    measure: (input) => {
      const stages = requireResult(input).stages;
      const worst = stages.reduce<ShapeStage | null>(
        (best, stage) => (best === null || stage.spillBytesPerTask.value > best.spillBytesPerTask.value ? stage : best),
        null,
      );
      if (!worst) return { value: 0, derivation: 'the plan has no stages' };
      return { value: worst.spillBytesPerTask.value, derivation: `stage ${worst.id}: ${worst.spillBytesPerTask.derivation}` };
    },
  },
  joinStrategy: {
    kind: 'string',
    source: 'shape',
    operation: 'join',
    label: (p) => `strategy of the join at operation ${p.operation}`,
    measure: (input, params) => {
      const join = joinAt(input, params);
      return { value: join.strategy, derivation: join.reason };
    },
  },
  broadcastSide: {
    kind: 'string',
    source: 'shape',
    operation: 'join',
    label: (p) => `broadcast side of the join at operation ${p.operation}`,
    measure: (input, params) => {
      const join = joinAt(input, params);
      return { value: join.broadcastSide ?? 'none', derivation: join.reason };
    },
  },
  shufflesLeftSideOfJoin: {
    kind: 'boolean',
    source: 'shape',
    operation: 'join',
    label: (p) => `large (left) side of the join at operation ${p.operation} shuffled`,
    measure: (input, params) => {
      const join = joinAt(input, params);
      return { value: join.shufflesLeft, derivation: join.reason };
    },
  },
  shuffleCount: {
    kind: 'number',
    source: 'shape',
    operation: 'none',
    label: () => 'number of shuffles in the plan',
    measure: (input) => {
      const shuffles = requireResult(input).stages.filter((stage) => stage.boundary.operationIndex !== null && stage.boundary.op !== 'broadcast');
      return {
        value: shuffles.length,
        derivation: shuffles.length === 0 ? 'no stage starts at a shuffle' : shuffles.map((stage) => `stage ${stage.id}: ${stage.boundary.reason}`).join('; '),
      };
    },
  },
  totalShuffleBytes: {
    kind: 'number',
    source: 'shape',
    operation: 'none',
    label: () => 'bytes crossing shuffles',
    measure: (input) => {
      const total = requireResult(input).totalShuffleBytes;
      return { value: total.value, derivation: total.derivation };
    },
  },
  driverResultBytes: {
    kind: 'number',
    source: 'shape',
    operation: 'none',
    label: () => 'bytes collected to the driver',
    measure: (input) => {
      const collected = requireResult(input).driverResultBytes;
      return collected
        ? { value: collected.value, derivation: collected.derivation }
        : { value: 0, derivation: 'the pipeline brings no rows to the driver (no collect)' };
    },
  },
  filesWritten: {
    kind: 'number',
    source: 'shape',
    operation: 'none',
    label: () => 'number of files written',
    measure: (input) => {
      const files = requireResult(input).filesWritten;
      return files ? { value: files.value, derivation: files.derivation } : { value: 0, derivation: 'the pipeline writes nothing' };
    },
  },
  insightFires: {
    kind: 'boolean',
    source: 'shape',
    operation: 'none',
    needsInsightType: true,
    label: (p) => `${p.insightType} insight fires`,
    measure: (input, params) => {
      const found = requireResult(input).insights.filter((insight) => insight.type === params.insightType);
      return {
        value: found.length > 0,
        derivation: found.length > 0 ? found.map((insight) => insight.title).join('; ') : `no ${params.insightType} insight on this plan`,
      };
    },
  },
  retriedStageIds: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'stages the failures detector found retried in the log',
    measure: (input) => {
      const log = requireLog(input);
      const retried = log.insights.filter((insight) => insight.type === 'failures' && /^failures:stage-\d+-retried$/.test(insight.id));
      return {
        value: retried.map((insight) => insight.stageId ?? -1),
        derivation: retried.length > 0 ? retried.map((insight) => insight.title).join('; ') : 'no stage ran more than one attempt',
      };
    },
  },
  fetchFailedStageIds: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'stages the failures detector found resubmitted after shuffle fetch failures',
    measure: (input) => {
      const log = requireLog(input);
      const fetchFailed = log.insights.filter((insight) => {
        if (!/^failures:stage-\d+-retried$/.test(insight.id)) return false;
        const attempts = insight.evidence.attempts;
        return Array.isArray(attempts) && attempts.some((attempt) =>
          typeof attempt === 'object' && attempt !== null && !Array.isArray(attempt) && /FetchFailed/i.test(String(attempt.failureReason ?? '')));
      });
      return {
        value: fetchFailed.map((insight) => insight.stageId ?? -1),
        derivation: fetchFailed.length > 0 ? fetchFailed.map((insight) => insight.description).join(' ') : 'no stage attempt failed on a shuffle fetch',
      };
    },
  },
  taskFailureCauses: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'causes of failed tasks the failures detector found in the log',
    measure: (input) => {
      const log = requireLog(input);
      const causes = insightKeys(log, 'failures').filter((key) => key.startsWith('tasks-')).map((key) => key.slice('tasks-'.length));
      // Tasks that failed with their executor are reported once, by the lost-executors insight.
      const lost = log.insights.filter((insight) => insight.id === 'failures:executors-lost' && Number(insight.evidence.failedAttempts ?? 0) > 0);
      if (lost.length > 0 && !causes.includes('executor-lost')) causes.push('executor-lost');
      const titles = log.insights.filter((insight) => insight.id.startsWith('failures:tasks-') || lost.includes(insight)).map((insight) => insight.title);
      return { value: causes, derivation: titles.length > 0 ? titles.join('; ') : 'no task failed' };
    },
  },
  suggestedSettings: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'Spark settings the log\'s insights suggest',
    measure: (input) => {
      const log = requireLog(input);
      const settings = new Set<string>();
      for (const insight of log.insights) for (const match of insight.suggestion.matchAll(SETTING_NAME)) settings.add(match[0]);
      return {
        value: [...settings].sort(),
        derivation: `named in the suggestions of ${counted(log.insights.length, 'insight')}: ${log.insights.map((insight) => insight.id).join(', ')}`,
      };
    },
  },
  settingsAlreadyOn: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'boolean Spark settings the application already ran with set to true',
    measure: (input) => {
      const log = requireLog(input);
      const on = Object.entries(log.sparkProperties).filter(([, value]) => value.trim().toLowerCase() === 'true').map(([key]) => key).sort();
      return { value: on, derivation: on.length > 0 ? `the log's environment sets ${on.map((key) => `${key}=true`).join(', ')}` : 'the log sets no boolean setting to true' };
    },
  },
  insightStageIds: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    needsInsightType: true,
    label: (p) => `stages the ${p.insightType} detector points at in the log`,
    measure: (input, params) => {
      const found = requireLog(input).insights.filter((insight) => insight.type === params.insightType && insight.stageId !== null);
      return {
        value: [...new Set(found.map((insight) => insight.stageId!))].sort((a, b) => a - b),
        derivation: found.length > 0 ? found.map((insight) => insight.title).join('; ') : `no ${params.insightType} insight names a stage`,
      };
    },
  },
  insightTypesInLog: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    label: () => 'kinds of problem the detectors found in the log',
    measure: (input) => {
      const insights = requireLog(input).insights;
      return {
        value: [...new Set(insights.map((insight) => insight.type))].sort(),
        derivation: insights.length > 0 ? insights.map((insight) => `${insight.severity} ${insight.title}`).join('; ') : 'the detectors found nothing',
      };
    },
  },
  suggestionMentions: {
    kind: 'list',
    source: 'log',
    operation: 'none',
    needsInsightType: true,
    label: (p) => `settings and remedies the ${p.insightType} insights suggest`,
    measure: (input, params) => {
      const found = requireLog(input).insights.filter((insight) => insight.type === params.insightType);
      const mentioned = new Set<string>();
      for (const insight of found) {
        for (const match of insight.suggestion.matchAll(SETTING_NAME)) mentioned.add(match[0]);
        for (const remedy of REMEDIES) if (remedy.pattern.test(insight.suggestion)) mentioned.add(remedy.name);
      }
      return {
        value: [...mentioned].sort(),
        derivation: found.length > 0 ? found.map((insight) => insight.suggestion).join(' ') : `no ${params.insightType} insight on the log`,
      };
    },
  },
  insightFiresInLog: {
    kind: 'boolean',
    source: 'log',
    operation: 'none',
    needsInsightType: true,
    label: (p) => `${p.insightType} insight fires on the log`,
    measure: (input, params) => {
      const found = requireLog(input).insights.filter((insight) => insight.type === params.insightType);
      return {
        value: found.length > 0,
        derivation: found.length > 0 ? found.map((insight) => insight.title).join('; ') : `no ${params.insightType} insight on the log`,
      };
    },
  },
};

/** The names of every registered metric, for error messages. */
export const metricNames: readonly string[] = Object.keys(metrics);
