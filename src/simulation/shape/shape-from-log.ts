/**
 * shapeFromLog: a playground shape from a stored SQL execution, with what Spark actually did, so the playground's
 * prediction can be compared with the run and a learner can change the knobs of their own query.
 */

import { BadInputError, NotFoundError } from '../../errors.js';
import { findApplication } from '../../store/applications-store.js';
import type { AnalysisDatabase } from '../../store/database.js';
import { environmentsByApp } from '../../store/environment-store.js';
import { executedStages, executorFootprint, type ExecutedStage } from '../../store/shape-source-store.js';
import { sqlPlanOf } from '../../store/sql-plan-store.js';
import { sqlExecutionsByApp } from '../../store/sql-store.js';
import { shapeFromPlan, type PlanShape } from './shape-from-plan.js';
import { simulateShape } from './shape-simulator.js';
import type { JoinDecision, ShapeConfig, ShapeInput, ShapeResult } from './shape-types.js';
import { parseShapeInput } from './shape-validation.js';

/** A shape derived from a stored execution and what the run did. */
export interface LoggedShape extends PlanShape {
  appId: string;
  appKey: string;
  sqlExecutionId: number;
  /** The stages the execution ran (skipped stages left out), by their last attempt. */
  stages: ExecutedStage[];
}

/** Reads one SQL execution's final plan, metrics and configuration and turns them into a shape. */
export async function shapeFromLog(db: AnalysisDatabase, appId: string, sqlExecutionId: number): Promise<LoggedShape> {
  const application = await findApplication(db, appId);
  if (!application) throw new NotFoundError(`No application "${appId}"`);
  const record = await sqlPlanOf(db, application.appKey, sqlExecutionId);
  if (!record) {
    const [executions = []] = await sqlExecutionsByApp(db, [application.appKey], { planDescriptions: false });
    const known = executions.map((execution) => String(execution.id));
    throw new NotFoundError(`Application ${appId} has no SQL execution ${sqlExecutionId}${known.length > 0 ? ` (it has ${known.join(', ')})` : ' (it has none)'}`);
  }
  if (!record.plan) throw new BadInputError(`SQL execution ${sqlExecutionId} of ${appId} logged no physical plan`);
  const [environment] = await environmentsByApp(db, [application.appKey]);
  const sparkProperties = Object.fromEntries((environment?.sections.sparkProperties ?? []).map((entry) => [entry.key, entry.value ?? '']));
  const footprint = await executorFootprint(db, application.appKey);
  let planShape: PlanShape;
  try {
    planShape = shapeFromPlan({ plan: record.plan, metricValues: record.metricValues, sparkProperties, sparkVersion: application.sparkVersion, ...footprint });
  } catch (error) {
    throw new BadInputError(`SQL execution ${sqlExecutionId} of ${appId} cannot be turned into a shape: ${(error as Error).message}`);
  }
  // A shape from a log must pass the playground's own validation like any other input.
  planShape.shape = parseShapeInput(planShape.shape);
  return {
    ...planShape,
    appId: application.appId,
    appKey: application.appKey,
    sqlExecutionId,
    stages: await executedStages(db, application.appKey, record.stageIds),
  };
}

/** What deriving a shape from the log assumed, stated before the playground's own assumptions. */
function loggedShapeAssumptions(logged: LoggedShape): string[] {
  return [
    `Shape derived from SQL execution ${logged.sqlExecutionId} of ${logged.appId}: scans with their measured bytes and files, filters and joins with their measured row counts, the application's settings.`,
    ...logged.assumptions.map((text) => `From the log: ${text}`),
    ...(logged.notModelled.length > 0 ? [`Plan nodes the playground does not model: ${logged.notModelled.join('; ')}.`] : []),
  ];
}

/**
 * The playground's answer for a shape read from the log with `overrides` applied to its settings (what if), its
 * assumptions led by what deriving the shape assumed. The API and the CLI both answer through this.
 */
export function simulateLoggedShape(logged: LoggedShape, overrides: Partial<ShapeConfig> = {}): { shape: ShapeInput; result: ShapeResult } {
  const shape = parseShapeInput({ ...logged.shape, config: { ...logged.shape.config, ...overrides } });
  const result = simulateShape(shape);
  result.assumptions.unshift(...loggedShapeAssumptions(logged));
  return { shape, result };
}

/** Predicted against actual for one execution: the playground-vs-log table's row. */
export interface ShapeComparison {
  appKey: string;
  sqlExecutionId: number;
  stages: { predicted: number; actual: number };
  shuffles: { predicted: number; actual: number };
  joins: { predicted: Array<JoinDecision['strategy']>; actual: Array<JoinDecision['strategy']> };
  /** Tasks per stage, sorted, after AQE. */
  tasks: { predicted: number[]; actual: number[] };
  notModelled: string[];
}

/** The join strategy after AQE: a sort-merge join AQE switches counts as the broadcast hash join it becomes. */
function finalStrategies(result: ShapeResult): Array<JoinDecision['strategy']> {
  return result.joins.map((join) => (join.reason.includes('AQE would switch it to a broadcast hash join') ? 'broadcast_hash' : join.strategy));
}

/** Simulates a logged shape and lines its prediction up with what the run did. */
export function compareWithRun(logged: LoggedShape): ShapeComparison {
  const result = simulateShape(logged.shape);
  return {
    appKey: logged.appKey,
    sqlExecutionId: logged.sqlExecutionId,
    stages: { predicted: result.stages.length, actual: logged.stages.length },
    shuffles: { predicted: result.stages.filter((stage) => stage.shuffleWriteBytes.value > 0).length, actual: logged.planShuffles },
    joins: { predicted: finalStrategies(result), actual: logged.planJoins },
    tasks: {
      predicted: result.stages.map((stage) => stage.tasks.value).sort((a, b) => a - b),
      actual: logged.stages.map((stage) => stage.tasks).sort((a, b) => a - b),
    },
    notModelled: logged.notModelled,
  };
}
