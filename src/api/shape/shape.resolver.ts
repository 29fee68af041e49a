import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { BadInputError } from '../../errors.js';
import { shapeFromLog, type LoggedShape } from '../../simulation/shape/shape-from-log.js';
import { simulateShape } from '../../simulation/shape/shape-simulator.js';
import type { ShapeInput } from '../../simulation/shape/shape-types.js';
import { parseShapeInput } from '../../simulation/shape/shape-validation.js';
import type { ApiContext } from '../context.js';
import { ShapeConfigInput, ShapeFromLogInput, ShapeInputType, toPlainShapeInput } from './shape.input.js';
import { ShapeSimulation, toShapeSimulation, type ShapeFromLogType } from './shape.type.js';

/** What deriving the shape from the log assumed, stated before the playground's own assumptions. */
function shapeAssumptions(logged: LoggedShape): string[] {
  return [
    `Shape derived from SQL execution ${logged.sqlExecutionId} of ${logged.appId}: scans with their measured bytes and files, filters and joins with their measured row counts, the application's settings.`,
    ...logged.assumptions.map((text) => `From the log: ${text}`),
    ...(logged.notModelled.length > 0 ? [`Plan nodes the playground does not model: ${logged.notModelled.join('; ')}.`] : []),
  ];
}

/** The DataFrame shape playground. */
@Resolver()
export class ShapeResolver {
  @Query(() => ShapeSimulation, {
    description:
      "Explains what Spark's planner would do with a DataFrame shape (a source, operations, configuration): stages and what " +
      'caused each shuffle, tasks and bytes per stage, join strategies, AQE changes and the insights that apply, each number ' +
      'with its derivation and the answer with its assumptions. From sizes and counts only, never data. Give `input`, or `from` ' +
      "to derive the shape from a stored SQL execution's plan (its measured sizes and the application's configuration); `config` " +
      'then changes settings of that shape (what if). Invalid shapes answer BAD_USER_INPUT naming every problem.',
  })
  async simulateShape(
    @Ctx() context: ApiContext,
    @Arg('input', () => ShapeInputType, { nullable: true }) input?: ShapeInputType | null,
    @Arg('from', () => ShapeFromLogInput, { nullable: true }) from?: ShapeFromLogInput | null,
    @Arg('config', () => ShapeConfigInput, { nullable: true, description: 'Settings that override the shape\'s own config.' }) config?: ShapeConfigInput | null,
  ): Promise<ShapeSimulation> {
    if ((input === null || input === undefined) === (from === null || from === undefined)) {
      throw new BadInputError('Give exactly one of input (a shape) or from (a stored SQL execution)');
    }
    let shape: ShapeInput;
    let fromLog: ShapeFromLogType | null = null;
    let logged: LoggedShape | null = null;
    if (from) {
      logged = await shapeFromLog(context.db, from.appId, from.sqlExecutionId);
      shape = logged.shape;
      fromLog = {
        appId: logged.appId,
        sqlExecutionId: logged.sqlExecutionId,
        planJoinStrategies: logged.planJoins,
        planShuffles: logged.planShuffles,
        actualTasksPerStage: logged.stages.map((stage) => stage.tasks),
        notModelled: logged.notModelled,
      };
    } else {
      shape = toPlainShapeInput(input) as ShapeInput;
    }
    if (config) shape = { ...shape, config: { ...shape.config, ...(toPlainShapeInput(config) as ShapeInput['config']) } };
    const parsed = parseShapeInput(shape);
    const result = simulateShape(parsed);
    if (logged) result.assumptions.unshift(...shapeAssumptions(logged));
    return toShapeSimulation(result, parsed, fromLog);
  }
}
