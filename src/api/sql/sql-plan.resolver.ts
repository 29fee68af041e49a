import DataLoader from 'dataloader';
import { Ctx, FieldResolver, Int, Resolver, Root } from 'type-graphql';
import { sqlPlansByApp, type SqlPlanRecord } from '../../store/sql-plan-store.js';
import type { ApiContext } from '../context.js';
import { SqlExecution } from './sql-execution.type.js';
import { toSqlPlan } from './sql-plan.mapper.js';
import { SqlPlan } from './sql-plan.type.js';

function sqlPlansLoader({ db, loaders }: ApiContext): DataLoader<string, SqlPlanRecord[]> {
  return loaders.get('sqlPlans', () => new DataLoader((appKeys: readonly string[]) => sqlPlansByApp(db, appKeys)));
}

async function planRecord(execution: SqlExecution, context: ApiContext): Promise<SqlPlanRecord | undefined> {
  return (await sqlPlansLoader(context).load(execution.appKey)).find((record) => Number(record.executionId) === execution.id);
}

/** The plan graph of a SQL execution and the stages it ran as (batched per request by application). */
@Resolver(() => SqlExecution)
export class SqlPlanResolver {
  @FieldResolver(() => SqlPlan, { nullable: true, description: 'The physical plan as a graph; null when the log has none.' })
  async plan(@Root() execution: SqlExecution, @Ctx() context: ApiContext): Promise<SqlPlan | null> {
    const record = await planRecord(execution, context);
    return record ? toSqlPlan(record) : null;
  }

  @FieldResolver(() => [Int], { description: "Stages of the execution's jobs." })
  async stageIds(@Root() execution: SqlExecution, @Ctx() context: ApiContext): Promise<number[]> {
    return ((await planRecord(execution, context))?.stageIds ?? []).map(Number);
  }
}
