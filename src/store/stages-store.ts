import { ApplicationAnswers, applicationNumbers, cachedByApp } from './application-cache.js';
import { groupByPosition, keyTable } from './batch-keys.js';
import type { AnalysisDatabase } from './database.js';
import type { KilledTasksRecord } from './jobs-store.js';
import { taskMetricNames, type TaskMetricValues } from './schema.js';

/** A user accumulator of a stage: its final value (History Server lists the accumulators a user made). */
export interface StageAccumulatorRecord {
  id: bigint;
  name: string | null;
  value: string | null;
}

/** Totals of the task metrics over a stage attempt's tasks (failed and killed included, as Spark counts). */
export type StageMetricTotals = TaskMetricValues & { shuffleReadBytes: bigint };

/** One stage attempt as History Server's StageData describes it (v_stages; times in epoch ms). */
export interface StageRecord extends StageMetricTotals {
  appKey: string;
  stageId: bigint;
  attemptId: bigint;
  status: string;
  name: string | null;
  description: string | null;
  details: string | null;
  schedulingPool: string | null;
  numTasks: bigint | null;
  numActiveTasks: bigint;
  numCompleteTasks: bigint;
  numFailedTasks: bigint;
  numKilledTasks: bigint;
  numCompletedIndices: bigint;
  submissionTime: bigint | null;
  firstTaskLaunchedTime: bigint | null;
  completionTime: bigint | null;
  duration: bigint | null;
  failureReason: string | null;
  rddIds: bigint[];
  accumulatorUpdates: StageAccumulatorRecord[];
  killedTasksSummary: KilledTasksRecord[];
  resourceProfileId: bigint;
  isShufflePushEnabled: boolean;
  shuffleMergersCount: bigint;
  jobIds: bigint[];
  parentIds: bigint[];
}

const columns = `s.appKey, s.stageId, s.attemptId, s.status, s.name, s.description, s.details, s.schedulingPool,
  s.numTasks, s.numActiveTasks, s.numCompleteTasks, s.numFailedTasks, s.numKilledTasks, s.numCompletedIndices,
  s.submissionTime, s.firstTaskLaunchedTime, s.completionTime, s.duration, s.failureReason, s.rddIds,
  -- History Server lists the accumulators a user made: not Spark's internal ones, not SQL metrics.
  list_sort(list_transform(
    list_filter(s.accumulables, a -> NOT coalesce(a.internal, false) AND coalesce(a.metadata, '') <> 'sql'),
    a -> {'id': a.id, 'name': a.name, 'value': a."value"})) AS accumulatorUpdates,
  list_sort(list_transform(map_entries(s.killedTasksSummary), e -> {'reason': e.key, 'count': e.value}))
    AS killedTasksSummary,
  s.resourceProfileId, s.isShufflePushEnabled, s.shuffleMergersCount, s.jobIds,
  -- Logs before Spark 1.3 do not record parents.
  coalesce(s.parentIds, []) AS parentIds,
  ${taskMetricNames.map((name) => `s.${name}`).join(', ')}, s.shuffleReadBytes`;

type Keyed<T> = T & { k: bigint };

/**
 * Every stage attempt of each application, newest first as History Server lists them (stage id, then attempt,
 * descending), one list per key in the order of `appKeys`. `statuses` keeps the attempts in one of them; empty
 * keeps all.
 */
export async function stagesByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
  statuses: readonly string[] = [],
): Promise<StageRecord[][]> {
  const all = await cachedByApp(db, stageCache, appKeys, (keys) => readStagesByApp(db, keys), []);
  return statuses.length > 0 ? all.map((stages) => stages.filter((stage) => statuses.includes(stage.status))) : all;
}

/** Stage records of recently read applications: a dashboard asks for the same ones again and again. */
const stageCache = new ApplicationAnswers<StageRecord[]>(128);

async function readStagesByApp(db: AnalysisDatabase, appKeys: readonly string[]): Promise<StageRecord[][]> {
  const wanted = keyTable({ appKey: { type: 'VARCHAR', values: appKeys } });
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, ${columns} FROM wanted w JOIN v_stages s ON s.appKey = w.appKey
     ORDER BY w.k, s.stageId DESC, s.attemptId DESC`,
    wanted.params,
  );
  return groupByPosition(appKeys.length, rows as unknown as Array<Keyed<StageRecord>>);
}

/**
 * Every attempt of each (application, stage id), first attempt first; an empty list for an unknown stage. An
 * application whose stages are kept in memory (a stage page usually follows its list) is answered from them: the
 * query of one stage took ~9 ms of a GraphQL tasks page's ~27.
 */
export async function stageAttempts(
  db: AnalysisDatabase,
  keys: ReadonlyArray<{ appKey: string; stageId: number }>,
): Promise<StageRecord[][]> {
  const numbers = await applicationNumbers(db, keys.map((key) => key.appKey));
  const answers: StageRecord[][] = [];
  const unkept: number[] = [];
  keys.forEach((key, i) => {
    const appNo = numbers.get(key.appKey);
    const stages = appNo === undefined ? undefined : stageCache.get(db, key.appKey, appNo);
    // Kept newest first (stage id, then attempt, descending): one stage's attempts, reversed, are first attempt first.
    if (stages) answers[i] = stages.filter((stage) => Number(stage.stageId) === key.stageId).reverse();
    else unkept.push(i);
  });
  if (unkept.length > 0) {
    const read = await readStageAttempts(db, unkept.map((i) => keys[i]!));
    unkept.forEach((i, position) => {
      answers[i] = read[position]!;
    });
  }
  return answers;
}

async function readStageAttempts(
  db: AnalysisDatabase,
  keys: ReadonlyArray<{ appKey: string; stageId: number }>,
): Promise<StageRecord[][]> {
  const wanted = keyTable({
    appKey: { type: 'VARCHAR', values: keys.map((key) => key.appKey) },
    stageId: { type: 'BIGINT', values: keys.map((key) => key.stageId) },
  });
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, ${columns} FROM wanted w JOIN v_stages s ON s.appKey = w.appKey AND s.stageId = w.stageId
     ORDER BY w.k, s.attemptId`,
    wanted.params,
  );
  return groupByPosition(keys.length, rows as unknown as Array<Keyed<StageRecord>>);
}

/**
 * The stage attempts of each (application, job id): every attempt of every stage the job planned, skipped ones
 * included, by stage id then attempt.
 */
export async function stagesOfJobs(
  db: AnalysisDatabase,
  keys: ReadonlyArray<{ appKey: string; jobId: number }>,
): Promise<StageRecord[][]> {
  const wanted = keyTable({
    appKey: { type: 'VARCHAR', values: keys.map((key) => key.appKey) },
    jobId: { type: 'BIGINT', values: keys.map((key) => key.jobId) },
  });
  const rows = await db.query(
    `WITH ${wanted.sql}, planned AS (SELECT DISTINCT appKey, jobId, stageId FROM job_stages)
     SELECT w.k, ${columns} FROM wanted w
     JOIN planned p ON p.appKey = w.appKey AND p.jobId = w.jobId
     JOIN v_stages s ON s.appKey = p.appKey AND s.stageId = p.stageId
     ORDER BY w.k, s.stageId, s.attemptId`,
    wanted.params,
  );
  return groupByPosition(keys.length, rows as unknown as Array<Keyed<StageRecord>>);
}

/** A stage in an application's graph: its latest attempt. */
export interface StageGraphNodeRecord {
  stageId: bigint;
  attemptId: bigint;
  name: string | null;
  status: string;
  numTasks: bigint | null;
  duration: bigint | null;
}

/** A dependency: stage `from` produced shuffle output that stage `to` read. */
export interface StageGraphEdgeRecord {
  from: bigint;
  to: bigint;
}

/** An application's stage graph (DAG). */
export interface StageGraphRecord {
  nodes: StageGraphNodeRecord[];
  edges: StageGraphEdgeRecord[];
}

/**
 * The stage graph of each application, in the order of `appKeys`: one node per stage id (its latest attempt;
 * skipped stages included) by stage id, and an edge from each parent to its child when both are known.
 */
export async function stageGraphs(db: AnalysisDatabase, appKeys: readonly string[]): Promise<StageGraphRecord[]> {
  const wanted = keyTable({ appKey: { type: 'VARCHAR', values: appKeys } });
  const rows = await db.query(
    `WITH ${wanted.sql}
     SELECT w.k, s.stageId, s.attemptId, s.name, s.status, s.numTasks, s.duration,
       coalesce(s.parentIds, []) AS parentIds
     FROM wanted w JOIN v_stages s ON s.appKey = w.appKey
     QUALIFY row_number() OVER (PARTITION BY w.k, s.stageId ORDER BY s.attemptId DESC) = 1
     ORDER BY w.k, s.stageId`,
    wanted.params,
  );
  const groups = groupByPosition(appKeys.length, rows as unknown as Array<Keyed<StageGraphNodeRecord & { parentIds: bigint[] }>>);
  return groups.map((stages) => {
    const known = new Set(stages.map((stage) => stage.stageId));
    return {
      nodes: stages.map(({ parentIds: _parentIds, ...node }) => node),
      // Parents the log names but never describes (e.g. from a truncated log) have no node: no edge either.
      edges: stages.flatMap((stage) =>
        [...stage.parentIds]
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .filter((parent) => known.has(parent))
          .map((parent) => ({ from: parent, to: stage.stageId })),
      ),
    };
  });
}
