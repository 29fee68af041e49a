import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { toStage } from '../stages/stage.mapper.js';
import { Stage } from '../stages/stage.type.js';
import { jobStagesLoader } from '../stages/stages.loader.js';
import { Job } from './job.type.js';

/** What hangs off a job. */
@Resolver(() => Job)
export class JobResolver {
  @FieldResolver(() => [Stage], {
    description: 'Every attempt of the stages the job planned, skipped ones included, by stage id then attempt.',
  })
  async stages(@Root() job: Job, @Ctx() context: ApiContext): Promise<Stage[]> {
    const records = await jobStagesLoader(context).load({ appKey: job.appKey, jobId: job.jobId });
    return records.map(toStage);
  }
}
