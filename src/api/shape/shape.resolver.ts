import { Arg, Ctx, Query, Resolver } from 'type-graphql';
import { BadInputError } from '../../errors.js';
import { shapeFromLog, simulateLoggedShape } from '../../simulation/shape/shape-from-log.js';
import { simulateShape } from '../../simulation/shape/shape-simulator.js';
import type { ShapeInput } from '../../simulation/shape/shape-types.js';
import { parseShapeInput } from '../../simulation/shape/shape-validation.js';
import type { ApiContext } from '../context.js';
import { ShapeConfigInput, ShapeFromLogInput, ShapeInputType, toPlainShapeInput } from './shape.input.js';
import { ShapeSimulation, toShapeSimulation, type ShapeFromLogType } from './shape.type.js';

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
    const overrides = config ? (toPlainShapeInput(config) as ShapeInput['config']) : undefined;
    if (!from) {
      const plain = toPlainShapeInput(input) as ShapeInput;
      const parsed = parseShapeInput(overrides ? { ...plain, config: { ...plain.config, ...overrides } } : plain);
      return toShapeSimulation(simulateShape(parsed), parsed);
    }
    const logged = await shapeFromLog(context.db, from.appId, from.sqlExecutionId);
    const { shape, result } = simulateLoggedShape(logged, overrides);
    const fromLog: ShapeFromLogType = {
      appId: logged.appId,
      sqlExecutionId: logged.sqlExecutionId,
      planJoinStrategies: logged.planJoins,
      planShuffles: logged.planShuffles,
      actualTasksPerStage: logged.stages.map((stage) => stage.tasks),
      notModelled: logged.notModelled,
    };
    return toShapeSimulation(result, shape, fromLog);
  }
}
