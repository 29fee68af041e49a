import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { toSqlExecution } from './sql-execution.mapper.js';
import { SqlExecution } from './sql-execution.type.js';
import { sqlExecutionsLoader } from './sql-executions.loader.js';

/** The SQL executions of an application. */
@Resolver(() => Application)
export class SqlExecutionResolver {
  @FieldResolver(() => [SqlExecution], { description: 'Spark SQL executions by id; empty when the application ran no SQL.' })
  async sqlExecutions(@Root() application: Application, @Ctx() context: ApiContext): Promise<SqlExecution[]> {
    return (await sqlExecutionsLoader(context).load(application.id)).map(toSqlExecution);
  }
}
