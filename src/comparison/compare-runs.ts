import { capitalize, counted, formatBytes, formatDuration, round } from '../analysis/format.js';
import type { RunJobRow, RunProfileRows, RunSqlRow, RunStageRow } from '../store/comparison-store.js';
import { alignByKeys, attributeWallClock, planShape, stageDepths } from './align.js';
import { MiB } from '../model/units.js';

/** One run as the comparison reads it. */
export interface RunInput {
  appKey: string;
  name: string | null;
  sparkVersion: string | null;
  startTime: number | null;
  endTime: number | null;
  rows: RunProfileRows;
  insights: ReadonlyArray<{ id: string; type: string; title: string; stageId: number | null; sqlExecutionId: number | null }>;
}

/** A number of both runs: the change, and the candidate's value as a multiple of the base's. */
export interface MetricChange {
  metric: string;
  base: number | null;
  candidate: number | null;
  /** candidate − base; null when either is unknown. */
  delta: number | null;
  /** candidate ÷ base; null when either is unknown or the base is 0. */
  ratio: number | null;
}

/** Two stages (each stage id with all its attempts) that ran the same code in the two runs. */
export interface StagePair {
  baseStageId: number;
  candidateStageId: number;
  name: string | null;
  /** signature: name, depth in the job's stage graph and RDD lineage agreed; name: only the name and order. */
  matchedBy: 'signature' | 'name';
  metrics: MetricChange[];
}

/** Two jobs that ran the same action. */
export interface JobPair {
  baseJobId: number;
  candidateJobId: number;
  name: string | null;
  matchedBy: 'signature' | 'name';
  baseStatus: string;
  candidateStatus: string;
  metrics: MetricChange[];
}

/** Two SQL executions of the same query. */
export interface SqlPair {
  baseExecutionId: number;
  candidateExecutionId: number;
  description: string | null;
  /** plan-shape: description and the operators of the plan agreed; description: the plan changed. */
  matchedBy: 'plan-shape' | 'description';
  metrics: MetricChange[];
}

/** Something that ran in one run only. */
export interface Unmatched {
  id: number;
  name: string | null;
  durationMs: number | null;
}

/** A Spark property set differently (null: not set in that run). */
export interface PropertyChange {
  key: string;
  base: string | null;
  candidate: string | null;
}

/** An insight of one run with no counterpart (same type, same aligned stage or query) in the other. */
export interface InsightChange {
  type: string;
  title: string;
  /** Where: "application", "stage 3 (name)" or "SQL 2 (description)", named with the run's own ids. */
  target: string;
}

/** One part of the runs whose change moved the wall clock, with what was measured about it. */
export interface Explanation {
  rank: number;
  kind: 'stage' | 'stage-only-in-base' | 'stage-only-in-candidate' | 'outside-stages';
  baseStageId: number | null;
  candidateStageId: number | null;
  name: string | null;
  /** The part's share of the wall clock in the candidate minus in the base (ms). */
  deltaMs: number;
  /** deltaMs ÷ the summed deltas of all parts that moved the way the whole run did (0-1). */
  shareOfChange: number;
  title: string;
  /** Measured changes, strongest first ("read 3.0x the shuffle bytes: 300 MB vs 100 MB"). */
  evidence: string[];
}

/** Two runs side by side. */
export interface RunComparison {
  base: RunSummary;
  candidate: RunSummary;
  durationDeltaMs: number | null;
  durationRatio: number | null;
  stages: StagePair[];
  stagesOnlyInBase: Unmatched[];
  stagesOnlyInCandidate: Unmatched[];
  jobs: JobPair[];
  jobsOnlyInBase: Unmatched[];
  jobsOnlyInCandidate: Unmatched[];
  sqlExecutions: SqlPair[];
  sqlOnlyInBase: Unmatched[];
  sqlOnlyInCandidate: Unmatched[];
  propertyChanges: PropertyChange[];
  insightsAppeared: InsightChange[];
  insightsDisappeared: InsightChange[];
  explanations: Explanation[];
  /** How the explanation was built and what it cannot say. */
  method: string;
}

/** The facts of one run that a comparison prints at the top. */
export interface RunSummary {
  appKey: string;
  name: string | null;
  sparkVersion: string | null;
  durationMs: number | null;
  executors: number;
  coresPerExecutor: number | null;
  executorMemory: string | null;
  maxStorageMemoryBytes: number | null;
  localMode: boolean;
  tasks: number;
  taskTimeMs: number;
  failedTasks: number;
  /** Core-hours held and used, waste and cost (see Application.cost); null until the store is asked. */
  resources: RunResources | null;
}

/** What a run held and what that cost. */
export interface RunResources {
  allocatedCoreHours: number;
  usedCoreHours: number;
  wasteShare: number;
  /** null without prices. */
  cost: number | null;
}

/** Properties that name the run rather than configure it: different in every run, so never a "change". */
const PER_RUN_PROPERTY = /^(spark\.app\.(id|startTime|submitTime|attempt\.id)|spark\.driver\.(port|host|appUIAddress)|spark\.ui\.proxyBase|spark\.org\.apache\.hadoop\.yarn\.server\.webproxy\.amfilter\..*|spark\.yarn\.app\.(id|attemptId)|spark\.kubernetes\.(driver\.pod\.name|executor\.podNamePrefix)|spark\.sql\.warehouse\.dir|spark\.repl\.class\.(uri|outputDir)|spark\.eventLog\.dir)$/;


function change(metric: string, base: number | null, candidate: number | null): MetricChange {
  const known = base !== null && candidate !== null;
  return {
    metric,
    base,
    candidate,
    delta: known ? round(candidate - base, 3) : null,
    ratio: known && base !== 0 ? round(candidate / base, 3) : null,
  };
}

const duration = (start: number | null, end: number | null): number | null =>
  start !== null && end !== null && end >= start ? end - start : null;

/** Stage figures compared as they are, named as the stage row names them, in the order a pair lists them. */
const STAGE_FIGURES = [
  'taskTimeMs', 'tasks', 'attempts', 'inputBytes', 'outputBytes', 'shuffleReadBytes', 'shuffleWriteBytes',
  'memorySpillBytes', 'diskSpillBytes', 'gcTimeMs', 'failedTasks', 'killedTasks',
] as const satisfies ReadonlyArray<keyof RunStageRow>;

function stageMetrics(base: RunStageRow, candidate: RunStageRow, wallBase: number, wallCandidate: number): MetricChange[] {
  return [
    change('durationMs', duration(base.submissionTime, base.completionTime), duration(candidate.submissionTime, candidate.completionTime)),
    change('wallClockShareMs', round(wallBase, 1), round(wallCandidate, 1)),
    ...STAGE_FIGURES.map((key) => change(key, base[key], candidate[key])),
    change('skewRatio', base.skewRatio === null ? null : round(base.skewRatio, 2), candidate.skewRatio === null ? null : round(candidate.skewRatio, 2)),
    change('maxTaskMs', base.maxTaskMs, candidate.maxTaskMs),
    change('medianTaskMs', base.medianTaskMs, candidate.medianTaskMs),
  ];
}

/** Sentences for the changes of a stage pair worth reading, strongest relative change first. */
function stageEvidence(base: RunStageRow, candidate: RunStageRow): string[] {
  const found: Array<{ strength: number; text: string }> = [];
  const ratioText = (b: number, c: number): string => {
    const ratio = c / b;
    return ratio >= 0.1 ? `${round(ratio, ratio >= 10 ? 0 : 1)}x` : ratio > 0 ? `${round(ratio, 3)}x` : 'none now';
  };
  const strength = (b: number, c: number): number => Math.abs(Math.log((c + 1) / (b + 1)));
  const bytes = (label: string, b: number, c: number): void => {
    if (Math.abs(c - b) < MiB || strength(b, c) < Math.log(1.25)) return;
    found.push({
      strength: strength(b, c),
      text: b > 0 ? `${label}: ${ratioText(b, c)}, ${formatBytes(c)} vs ${formatBytes(b)}` : `${label}: ${formatBytes(c)}, none before`,
    });
  };
  const time = (label: string, b: number, c: number): void => {
    if (Math.abs(c - b) < 100 || strength(b, c) < Math.log(1.25)) return;
    found.push({ strength: strength(b, c), text: `${label}: ${ratioText(b, c)}, ${formatDuration(c)} vs ${formatDuration(b)}` });
  };
  const count = (label: string, b: number, c: number): void => {
    if (b === c || strength(b, c) < Math.log(1.25)) return;
    found.push({ strength: strength(b, c), text: `${label}: ${c} vs ${b}` });
  };
  bytes('shuffle read', base.shuffleReadBytes, candidate.shuffleReadBytes);
  bytes('shuffle write', base.shuffleWriteBytes, candidate.shuffleWriteBytes);
  bytes('input read', base.inputBytes, candidate.inputBytes);
  bytes('output written', base.outputBytes, candidate.outputBytes);
  bytes('spilled to disk', base.diskSpillBytes, candidate.diskSpillBytes);
  bytes('spilled from memory', base.memorySpillBytes, candidate.memorySpillBytes);
  time('task time', base.taskTimeMs, candidate.taskTimeMs);
  time('GC time', base.gcTimeMs, candidate.gcTimeMs);
  count('tasks', base.tasks, candidate.tasks);
  count('failed tasks', base.failedTasks, candidate.failedTasks);
  count('attempts', base.attempts, candidate.attempts);
  if (base.skewRatio !== null && candidate.skewRatio !== null && Math.abs(candidate.skewRatio - base.skewRatio) >= 0.5 &&
      Math.max(base.skewRatio, candidate.skewRatio) >= 2) {
    found.push({
      strength: strength(base.skewRatio, candidate.skewRatio),
      text: `skew (longest ÷ median task) went from ${round(base.skewRatio, 1)} to ${round(candidate.skewRatio, 1)}; ` +
        `longest task ${formatDuration(candidate.maxTaskMs ?? 0)} vs ${formatDuration(base.maxTaskMs ?? 0)}`,
    });
  }
  return found.sort((a, b) => b.strength - a.strength).map((item) => item.text);
}

const stageName = (stage: { name: string | null }): string => stage.name ?? '(unnamed)';
const label = (id: number, name: string | null): string => `stage ${id}${name ? ` (${name})` : ''}`;

/** What a stage that ran in one run only did there: its tasks, their time and the shuffle data they read. */
function onlyOneRunEvidence(stage: RunStageRow): string {
  return `${counted(stage.tasks, 'task')}, ${formatDuration(stage.taskTimeMs)} of task time, shuffle read ${formatBytes(stage.shuffleReadBytes)}`;
}

/** Compares two runs: what aligned, how each aligned part changed, and which changes carry the wall-clock change. */
export function compareRuns(base: RunInput, candidate: RunInput): RunComparison {
  const baseDuration = duration(base.startTime, base.endTime);
  const candidateDuration = duration(candidate.startTime, candidate.endTime);

  // Stages: name + depth + lineage, then name + depth, then name alone.
  const depthsBase = stageDepths(base.rows.stages);
  const depthsCandidate = stageDepths(candidate.rows.stages);
  const ran = (stage: RunStageRow): boolean => stage.status !== 'SKIPPED';
  const baseStages = new Set(base.rows.stages);
  const depthOf = (stage: RunStageRow): number =>
    (baseStages.has(stage) ? depthsBase : depthsCandidate).get(stage.stageId) ?? 0;
  const stageAlignment = alignByKeys(base.rows.stages.filter(ran), candidate.rows.stages.filter(ran), [
    (stage) => `${stageName(stage)}|${depthOf(stage)}|${stage.lineage.join(';')}`,
    (stage) => `${stageName(stage)}|${depthOf(stage)}`,
    (stage) => stageName(stage),
  ]);
  const wallClockOf = (run: RunInput): ReturnType<typeof attributeWallClock> => attributeWallClock(
    run.rows.stages.filter(ran).map((s) => ({ id: s.stageId, start: s.submissionTime, end: s.completionTime })),
    run.startTime ?? 0,
    run.endTime ?? run.startTime ?? 0,
  );
  const wallBase = wallClockOf(base);
  const wallCandidate = wallClockOf(candidate);
  const stages: StagePair[] = stageAlignment.pairs.map(({ base: b, candidate: c, level }) => ({
    baseStageId: b.stageId,
    candidateStageId: c.stageId,
    name: c.name,
    matchedBy: level === 0 ? 'signature' : 'name',
    metrics: stageMetrics(b, c, wallBase.byId.get(b.stageId) ?? 0, wallCandidate.byId.get(c.stageId) ?? 0),
  }));
  const unmatchedStage = (stage: RunStageRow): Unmatched => ({
    id: stage.stageId,
    name: stage.name,
    durationMs: duration(stage.submissionTime, stage.completionTime),
  });

  // Jobs: name + description + the names of their stages, then the name alone.
  const stageNamesOf = (run: RunInput) => {
    const names = new Map(run.rows.stages.map((stage) => [stage.stageId, stageName(stage)]));
    return (job: RunJobRow): string => job.stageIds.map((id) => names.get(id) ?? '?').join(';');
  };
  const baseStageNames = stageNamesOf(base);
  const candidateStageNames = stageNamesOf(candidate);
  const baseJobs = new Set(base.rows.jobs);
  const jobStages = (job: RunJobRow): string => (baseJobs.has(job) ? baseStageNames(job) : candidateStageNames(job));
  const jobAlignment = alignByKeys(base.rows.jobs, candidate.rows.jobs, [
    (job) => `${job.name ?? ''}|${job.description ?? ''}|${jobStages(job)}`,
    (job) => `${job.name ?? ''}|${job.description ?? ''}`,
  ]);
  const jobs: JobPair[] = jobAlignment.pairs.map(({ base: b, candidate: c, level }) => ({
    baseJobId: b.jobId,
    candidateJobId: c.jobId,
    name: c.name,
    matchedBy: level === 0 ? 'signature' : 'name',
    baseStatus: b.status,
    candidateStatus: c.status,
    metrics: [
      change('durationMs', duration(b.submissionTime, b.completionTime), duration(c.submissionTime, c.completionTime)),
      change('stages', b.stageIds.length, c.stageIds.length),
    ],
  }));
  const unmatchedJob = (job: RunJobRow): Unmatched => ({ id: job.jobId, name: job.name, durationMs: duration(job.submissionTime, job.completionTime) });

  // SQL executions: description + plan shape, then description alone.
  const sqlAlignment = alignByKeys(base.rows.sql, candidate.rows.sql, [
    (execution) => `${execution.description ?? ''}|${planShape(execution.planJson)}`,
    (execution) => execution.description ?? '',
  ]);
  const sqlExecutions: SqlPair[] = sqlAlignment.pairs.map(({ base: b, candidate: c, level }) => ({
    baseExecutionId: b.executionId,
    candidateExecutionId: c.executionId,
    description: c.description,
    matchedBy: level === 0 ? 'plan-shape' : 'description',
    metrics: [
      change('durationMs', duration(b.startTime, b.endTime), duration(c.startTime, c.endTime)),
      change('failed', b.failed ? 1 : 0, c.failed ? 1 : 0),
    ],
  }));
  const unmatchedSql = (execution: RunSqlRow): Unmatched => ({
    id: execution.executionId,
    name: execution.description,
    durationMs: duration(execution.startTime, execution.endTime),
  });

  // Insights: the same type about the same aligned part (candidate ids translated to the base's).
  const stageToBase = new Map(stages.map((pair) => [pair.candidateStageId, pair.baseStageId]));
  const sqlToBase = new Map(sqlExecutions.map((pair) => [pair.candidateExecutionId, pair.baseExecutionId]));
  const namesOf = new Map([base, candidate].map((run) => [run, {
    stages: new Map(run.rows.stages.map((stage) => [stage.stageId, stage.name])),
    sql: new Map(run.rows.sql.map((execution) => [execution.executionId, execution.description])),
  }]));
  const insightKey = (insight: RunInput['insights'][number], side: 'base' | 'candidate'): string => {
    if (insight.stageId !== null) {
      const id = side === 'base' ? insight.stageId : stageToBase.get(insight.stageId);
      return `${insight.type}|stage|${id === undefined ? `candidate-${insight.stageId}` : id}`;
    }
    if (insight.sqlExecutionId !== null) {
      const id = side === 'base' ? insight.sqlExecutionId : sqlToBase.get(insight.sqlExecutionId);
      return `${insight.type}|sql|${id === undefined ? `candidate-${insight.sqlExecutionId}` : id}`;
    }
    return `${insight.type}|application`;
  };
  const targetOf = (run: RunInput, insight: RunInput['insights'][number]): string => {
    if (insight.stageId !== null) return label(insight.stageId, namesOf.get(run)!.stages.get(insight.stageId) ?? null);
    if (insight.sqlExecutionId !== null) {
      const description = namesOf.get(run)!.sql.get(insight.sqlExecutionId);
      return `SQL ${insight.sqlExecutionId}${description ? ` (${description})` : ''}`;
    }
    return 'application';
  };
  const baseKeys = new Set(base.insights.map((insight) => insightKey(insight, 'base')));
  const candidateKeys = new Set(candidate.insights.map((insight) => insightKey(insight, 'candidate')));
  const insightsAppeared = candidate.insights
    .filter((insight) => !baseKeys.has(insightKey(insight, 'candidate')))
    .map((insight) => ({ type: insight.type, title: insight.title, target: targetOf(candidate, insight) }));
  const insightsDisappeared = base.insights
    .filter((insight) => !candidateKeys.has(insightKey(insight, 'base')))
    .map((insight) => ({ type: insight.type, title: insight.title, target: targetOf(base, insight) }));

  // Properties.
  const keys = [...new Set([...base.rows.sparkProperties.keys(), ...candidate.rows.sparkProperties.keys()])].sort();
  const propertyChanges = keys
    .filter((key) => !PER_RUN_PROPERTY.test(key))
    .map((key) => ({ key, base: base.rows.sparkProperties.get(key) ?? null, candidate: candidate.rows.sparkProperties.get(key) ?? null }))
    .filter((entry) => entry.base !== entry.candidate);

  const explanations = explain(base, candidate, stageAlignment, wallBase, wallCandidate, baseDuration, candidateDuration);

  return {
    base: summary(base, baseDuration),
    candidate: summary(candidate, candidateDuration),
    durationDeltaMs: baseDuration !== null && candidateDuration !== null ? candidateDuration - baseDuration : null,
    durationRatio: baseDuration && candidateDuration !== null ? round(candidateDuration / baseDuration, 3) : null,
    stages,
    stagesOnlyInBase: stageAlignment.onlyInBase.map(unmatchedStage),
    stagesOnlyInCandidate: stageAlignment.onlyInCandidate.map(unmatchedStage),
    jobs,
    jobsOnlyInBase: jobAlignment.onlyInBase.map(unmatchedJob),
    jobsOnlyInCandidate: jobAlignment.onlyInCandidate.map(unmatchedJob),
    sqlExecutions,
    sqlOnlyInBase: sqlAlignment.onlyInBase.map(unmatchedSql),
    sqlOnlyInCandidate: sqlAlignment.onlyInCandidate.map(unmatchedSql),
    propertyChanges,
    insightsAppeared,
    insightsDisappeared,
    explanations,
    method:
      'Each run\'s wall clock is split among its stages (a stretch of time shared by stages running together is split ' +
      'evenly between them; time with no stage running is "outside stages", the driver\'s own work and waiting), so the ' +
      'parts add up to each run\'s duration. A part\'s change is its share in the candidate minus its share in the base; ' +
      'the ranking lists the parts that moved the way the whole run did, largest first. Evidence lists the measured ' +
      'differences of the part; it shows what changed alongside, not a proven cause.',
  };
}

function summary(run: RunInput, durationMs: number | null): RunSummary {
  const stages = run.rows.stages;
  return {
    appKey: run.appKey,
    name: run.name,
    sparkVersion: run.sparkVersion,
    durationMs,
    executors: run.rows.executors.executors,
    coresPerExecutor: run.rows.executors.coresPerExecutor,
    executorMemory: run.rows.sparkProperties.get(run.rows.executors.localMode ? 'spark.driver.memory' : 'spark.executor.memory') ?? null,
    maxStorageMemoryBytes: run.rows.executors.maxStorageMemory,
    localMode: run.rows.executors.localMode,
    tasks: stages.reduce((sum, stage) => sum + stage.tasks, 0),
    taskTimeMs: stages.reduce((sum, stage) => sum + stage.taskTimeMs, 0),
    failedTasks: stages.reduce((sum, stage) => sum + stage.failedTasks, 0),
    resources: null,
  };
}

function explain(
  base: RunInput,
  candidate: RunInput,
  alignment: ReturnType<typeof alignByKeys<RunStageRow>>,
  wallBase: ReturnType<typeof attributeWallClock>,
  wallCandidate: ReturnType<typeof attributeWallClock>,
  baseDuration: number | null,
  candidateDuration: number | null,
): Explanation[] {
  if (baseDuration === null || candidateDuration === null || baseDuration === candidateDuration) return [];
  const direction = Math.sign(candidateDuration - baseDuration);
  type Part = Omit<Explanation, 'rank' | 'shareOfChange'>;
  const parts: Part[] = [];
  for (const { base: b, candidate: c } of alignment.pairs) {
    const before = wallBase.byId.get(b.stageId) ?? 0;
    const after = wallCandidate.byId.get(c.stageId) ?? 0;
    const deltaMs = after - before;
    parts.push({
      kind: 'stage',
      baseStageId: b.stageId,
      candidateStageId: c.stageId,
      name: c.name,
      deltaMs,
      title: `Stage ${c.stageId}${c.name ? ` (${c.name})` : ''}, stage ${b.stageId} in the base, accounts for ${formatDuration(after)} of the wall clock ` +
        `vs ${formatDuration(before)}`,
      evidence: stageEvidence(b, c),
    });
  }
  for (const stage of alignment.onlyInBase) {
    const ms = wallBase.byId.get(stage.stageId) ?? 0;
    parts.push({
      kind: 'stage-only-in-base', baseStageId: stage.stageId, candidateStageId: null, name: stage.name, deltaMs: -ms,
      title: `${capitalize(label(stage.stageId, stage.name))} ran only in the base, for ${formatDuration(ms)} of its wall clock`,
      evidence: [onlyOneRunEvidence(stage)],
    });
  }
  for (const stage of alignment.onlyInCandidate) {
    const ms = wallCandidate.byId.get(stage.stageId) ?? 0;
    parts.push({
      kind: 'stage-only-in-candidate', baseStageId: null, candidateStageId: stage.stageId, name: stage.name, deltaMs: ms,
      title: `${capitalize(label(stage.stageId, stage.name))} ran only in the candidate, for ${formatDuration(ms)} of its wall clock`,
      evidence: [onlyOneRunEvidence(stage)],
    });
  }
  const outsideDelta = wallCandidate.outsideMs - wallBase.outsideMs;
  parts.push({
    kind: 'outside-stages', baseStageId: null, candidateStageId: null, name: null, deltaMs: outsideDelta,
    title: `Time with no stage running (driver work, scheduling, waiting): ${formatDuration(wallCandidate.outsideMs)} vs ${formatDuration(wallBase.outsideMs)}`,
    evidence: [
      `jobs: ${candidate.rows.jobs.length} vs ${base.rows.jobs.length}; SQL executions: ${candidate.rows.sql.length} vs ${base.rows.sql.length}`,
    ],
  });
  const moving = parts.filter((part) => Math.sign(part.deltaMs) === direction && Math.abs(part.deltaMs) >= 1);
  const total = moving.reduce((sum, part) => sum + Math.abs(part.deltaMs), 0);
  return moving
    .sort((a, b) => Math.abs(b.deltaMs) - Math.abs(a.deltaMs))
    .map((part, index) => ({
      ...part,
      rank: index + 1,
      deltaMs: round(part.deltaMs, 1),
      shareOfChange: total > 0 ? round(Math.min(1, Math.abs(part.deltaMs) / total), 4) : 0,
    }));
}
