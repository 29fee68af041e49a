import { ArgsType, Field, Int } from 'type-graphql';
import { IsOptional, Min } from 'class-validator';
import { JobStatus } from './job-status.enum.js';

/** Arguments of Application.jobs. */
@ArgsType()
export class JobsArgs {
  @Field(() => [JobStatus], {
    nullable: true,
    description: 'Only jobs in one of these statuses; omitted, null or empty: every job (History Server ?status=).',
  })
  @IsOptional()
  status?: JobStatus[] | null;
}

/** Arguments of Application.job. */
@ArgsType()
export class JobArgs {
  @Field(() => Int)
  @Min(0)
  jobId!: number;
}
