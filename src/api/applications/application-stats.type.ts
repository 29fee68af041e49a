import { Field, ObjectType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';

/** Headline counts of an application. */
@ObjectType({ description: 'Headline counts of an application attempt.' })
export class ApplicationStats {
  @Field(() => LongScalar)
  totalJobs!: bigint;

  @Field(() => LongScalar, { description: 'Stage attempts that ran (skipped stages excluded).' })
  totalStages!: bigint;

  @Field(() => LongScalar, { description: 'Task attempts, including failed and speculative ones.' })
  totalTasks!: bigint;

  @Field(() => LongScalar)
  failedTasks!: bigint;
}
