import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { toExecutor } from './executor.mapper.js';
import { Executor } from './executor.type.js';
import { ExecutorsArgs } from './executors.args.js';
import { executorsLoader } from './executors.loader.js';

/** The executors of an application. */
@Resolver(() => Application)
export class ExecutorResolver {
  @FieldResolver(() => [Executor], {
    description: 'Executors and the driver, driver first then by id (History Server /allexecutors, or /executors with activeOnly).',
  })
  async executors(
    @Root() application: Application,
    @Args(() => ExecutorsArgs) args: ExecutorsArgs,
    @Ctx() context: ApiContext,
  ): Promise<Executor[]> {
    const records = await executorsLoader(context).load(application.id);
    return records.filter((record) => !args.activeOnly || record.isActive).map(toExecutor);
  }
}
