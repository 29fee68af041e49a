import { Arg, Query, Resolver } from 'type-graphql';
import { simulateShape } from '../../simulation/shape/shape-simulator.js';
import { parseShapeInput } from '../../simulation/shape/shape-validation.js';
import { ShapeInputType, toPlainShapeInput } from './shape.input.js';
import { ShapeSimulation, toShapeSimulation } from './shape.type.js';

/** The DataFrame shape playground. */
@Resolver()
export class ShapeResolver {
  @Query(() => ShapeSimulation, {
    description:
      "Explains what Spark's planner would do with a DataFrame shape (a source, operations, configuration): stages and what " +
      'caused each shuffle, tasks and bytes per stage, join strategies, AQE changes and the insights that apply, each number ' +
      'with its derivation and the answer with its assumptions. From sizes and counts only, never data. Invalid shapes answer ' +
      'BAD_USER_INPUT naming every problem.',
  })
  simulateShape(@Arg('input', () => ShapeInputType) input: ShapeInputType): ShapeSimulation {
    return toShapeSimulation(simulateShape(parseShapeInput(toPlainShapeInput(input))));
  }
}
