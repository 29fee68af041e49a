import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { toStage } from './stage.mapper.js';
import { Stage } from './stage.type.js';
import { stageAttemptsLoader } from './stages.loader.js';

/** What hangs off a stage attempt besides its tasks. */
@Resolver(() => Stage)
export class StageResolver {
  @FieldResolver(() => [Stage], {
    description: 'Every attempt of this stage id, this one included, first attempt first (History Server /stages/{stageId}).',
  })
  async attempts(@Root() stage: Stage, @Ctx() context: ApiContext): Promise<Stage[]> {
    const records = await stageAttemptsLoader(context).load({ appKey: stage.appKey, stageId: stage.stageId });
    return records.map(toStage);
  }
}
