import type { StageGraphRecord, StageRecord } from '../../store/stages-store.js';
import { toDate } from '../applications/application.mapper.js';
import { toKilledTasks } from '../jobs/job.mapper.js';
import type { StageGraph } from './stage-graph.type.js';
import type { StageStatus } from './stage-status.enum.js';
import { Stage } from './stage.type.js';
import { asInstance } from '../common/as-instance.js';

/** Stages already mapped from kept store rows (the store keeps an application's rows between requests). */
const mappedStages = new WeakMap<StageRecord, Stage>();

/** Store row → GraphQL Stage; the same row gives the same Stage, which no resolver changes. */
export function toStage(record: StageRecord): Stage {
  let stage = mappedStages.get(record);
  if (!stage) {
    // An instance of the class, as type-graphql would otherwise copy it into one for each field resolver of it.
    stage = asInstance(Stage, mapStage(record));
    mappedStages.set(record, stage);
  }
  return stage;
}

function mapStage(record: StageRecord): Stage {
  return {
    // Metric totals pass through as bigint (Long); the fields below need a conversion.
    ...record,
    status: record.status as StageStatus,
    stageId: Number(record.stageId),
    attemptId: Number(record.attemptId),
    numTasks: Number(record.numTasks ?? 0),
    numActiveTasks: Number(record.numActiveTasks),
    numCompleteTasks: Number(record.numCompleteTasks),
    numFailedTasks: Number(record.numFailedTasks),
    numKilledTasks: Number(record.numKilledTasks),
    numCompletedIndices: Number(record.numCompletedIndices),
    submissionTime: toDate(record.submissionTime),
    firstTaskLaunchedTime: toDate(record.firstTaskLaunchedTime),
    completionTime: toDate(record.completionTime),
    rddIds: record.rddIds.map(Number),
    accumulatorUpdates: record.accumulatorUpdates.map((accumulator) => ({ ...accumulator, update: null })),
    killedTasksSummary: toKilledTasks(record.killedTasksSummary),
    resourceProfileId: Number(record.resourceProfileId),
    shuffleMergersCount: Number(record.shuffleMergersCount),
    jobIds: record.jobIds.map(Number),
    parentIds: record.parentIds.map(Number),
  };
}

/** Store graph → GraphQL StageGraph. */
export function toStageGraph(record: StageGraphRecord): StageGraph {
  return {
    nodes: record.nodes.map((node) => ({
      stageId: Number(node.stageId),
      attemptId: Number(node.attemptId),
      name: node.name,
      status: node.status as StageStatus,
      numTasks: Number(node.numTasks ?? 0),
      durationMs: node.duration,
    })),
    edges: record.edges.map((edge) => ({ from: Number(edge.from), to: Number(edge.to) })),
  };
}
