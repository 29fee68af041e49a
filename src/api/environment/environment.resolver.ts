import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { environmentLoader } from './environment.loader.js';
import { toEnvironment } from './environment.mapper.js';
import { ApplicationEnvironment } from './environment.type.js';

/** The environment of an application. */
@Resolver(() => Application)
export class EnvironmentResolver {
  @FieldResolver(() => ApplicationEnvironment, {
    nullable: true,
    description: 'Runtime, Spark/Hadoop/system/metrics properties, classpath and resource profiles; null when the log has no environment update.',
  })
  async environment(@Root() application: Application, @Ctx() context: ApiContext): Promise<ApplicationEnvironment | null> {
    const record = await environmentLoader(context).load(application.id);
    return record ? toEnvironment(record) : null;
  }
}
