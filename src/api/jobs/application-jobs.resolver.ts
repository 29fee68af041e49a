import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { toJob } from './job.mapper.js';
import { Job } from './job.type.js';
import { JobArgs, JobsArgs } from './jobs.args.js';
import { appJobsLoader, jobLoader } from './jobs.loader.js';

/** The jobs of an application. */
@Resolver(() => Application)
export class ApplicationJobsResolver {
  @FieldResolver(() => [Job], {
    description: 'The application\'s jobs, highest id first (History Server /jobs).',
  })
  async jobs(
    @Root() application: Application,
    @Args(() => JobsArgs) args: JobsArgs,
    @Ctx() context: ApiContext,
  ): Promise<Job[]> {
    const statuses = [...new Set(args.status ?? [])].sort();
    const records = await appJobsLoader(context).load({ appKey: application.id, statuses });
    return records.map(toJob);
  }

  @FieldResolver(() => Job, {
    nullable: true,
    description: 'One job by id (History Server /jobs/{jobId}); null when the application has no such job.',
  })
  async job(@Root() application: Application, @Args(() => JobArgs) args: JobArgs, @Ctx() context: ApiContext): Promise<Job | null> {
    const record = await jobLoader(context).load({ appKey: application.id, jobId: args.jobId });
    return record ? toJob(record) : null;
  }
}
