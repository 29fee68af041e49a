import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { toStage, toStageGraph } from './stage.mapper.js';
import { StageGraph } from './stage-graph.type.js';
import { Stage } from './stage.type.js';
import { StageArgs, StagesArgs } from './stages.args.js';
import { appStagesLoader, stageAttemptsLoader, stageGraphLoader } from './stages.loader.js';

/** The stages of an application and their DAG. */
@Resolver(() => Application)
export class ApplicationStagesResolver {
  @FieldResolver(() => [Stage], {
    description:
      'Every stage attempt, skipped and pending stages included, highest stage id first and then highest attempt ' +
      '(History Server /stages).',
  })
  async stages(
    @Root() application: Application,
    @Args(() => StagesArgs) args: StagesArgs,
    @Ctx() context: ApiContext,
  ): Promise<Stage[]> {
    const statuses = [...new Set(args.status ?? [])].sort();
    const records = await appStagesLoader(context).load({ appKey: application.id, statuses });
    return records.map(toStage);
  }

  @FieldResolver(() => Stage, {
    nullable: true,
    description:
      'One stage attempt (History Server /stages/{stageId}/{attemptId}); the latest attempt when attemptId is ' +
      'omitted. Null when the application has no such stage or attempt; `attempts` lists the others.',
  })
  async stage(
    @Root() application: Application,
    @Args(() => StageArgs) args: StageArgs,
    @Ctx() context: ApiContext,
  ): Promise<Stage | null> {
    const attempts = await stageAttemptsLoader(context).load({ appKey: application.id, stageId: args.stageId });
    const found =
      args.attemptId === undefined || args.attemptId === null
        ? attempts.at(-1)
        : attempts.find((attempt) => Number(attempt.attemptId) === args.attemptId);
    return found ? toStage(found) : null;
  }

  @FieldResolver(() => StageGraph, {
    description: 'The stage DAG: one node per stage id (latest attempt, skipped stages included), edges from parent to child.',
  })
  async dag(@Root() application: Application, @Ctx() context: ApiContext): Promise<StageGraph> {
    return toStageGraph(await stageGraphLoader(context).load(application.id));
  }
}
