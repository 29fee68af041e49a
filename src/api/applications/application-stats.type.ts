import { Field, Int, ObjectType } from 'type-graphql';

/** Headline counts of an application: Int, as Spark's own job, stage and task counters are (never past 2^31 in one log). */
@ObjectType({ description: 'Headline counts of an application attempt.' })
export class ApplicationStats {
  @Field(() => Int)
  totalJobs!: number;

  @Field(() => Int, { description: 'Stage attempts that ran (skipped stages excluded).' })
  totalStages!: number;

  @Field(() => Int, { description: 'Task attempts, including failed and speculative ones.' })
  totalTasks!: number;

  @Field(() => Int)
  failedTasks!: number;
}
