import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { toSqlExecution } from './sql-execution.mapper.js';
import { SqlExecution } from './sql-execution.type.js';
import { planDescriptionsLoader, sqlExecutionsLoader } from './sql-executions.loader.js';

/** The SQL executions of an application. */
@Resolver(() => Application)
export class SqlExecutionResolver {
  @FieldResolver(() => [SqlExecution], { description: 'Spark SQL executions by id; empty when the application ran no SQL.' })
  async sqlExecutions(@Root() application: Application, @Ctx() context: ApiContext): Promise<SqlExecution[]> {
    return (await sqlExecutionsLoader(context).load(application.id)).map(toSqlExecution);
  }
}

/** A SQL execution's plan description, read only when a query asks for it: an application's can be megabytes each. */
@Resolver(() => SqlExecution)
export class SqlExecutionPlanDescriptionResolver {
  @FieldResolver(() => String, {
    nullable: true,
    description: 'The physical plan as text; with adaptive query execution, the last (final) plan Spark logged.',
  })
  async physicalPlanDescription(@Root() execution: SqlExecution, @Ctx() context: ApiContext): Promise<string | null> {
    return (await planDescriptionsLoader(context).load(execution.appKey)).get(execution.id) ?? null;
  }
}
