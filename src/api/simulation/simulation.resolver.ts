import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { simulateApplication } from '../../simulation/simulation-service.js';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { ExecutorSimulation } from './executor-simulation.type.js';
import { SimulationArgs } from './simulation.args.js';

/** Executor what-if on an ingested application. */
@Resolver(() => Application)
export class ApplicationSimulationResolver {
  @FieldResolver(() => ExecutorSimulation, {
    description:
      'Estimated wall time and utilization with other executor counts, the critical path, the ideal time and the ' +
      "model's error on the actual configuration. Estimates with stated assumptions, never promises.",
  })
  async simulation(
    @Root() application: Application,
    @Args(() => SimulationArgs) args: SimulationArgs,
    @Ctx() { db }: ApiContext,
  ): Promise<ExecutorSimulation> {
    return simulateApplication(db, application.id, {
      executorCounts: args.executorCounts,
      coresPerExecutor: args.coresPerExecutor,
    });
  }
}
