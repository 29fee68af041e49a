import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { KilledTasksCount } from '../common/killed-tasks.type.js';
import { LongScalar } from '../common/long.scalar.js';
import { JobStatus } from './job-status.enum.js';

/** One Spark job of an application, as Spark History Server's JobData describes it. */
@ObjectType({
  description:
    'One Spark job (an action such as count or collect), with Spark History Server\'s JobData field names and ' +
    'numbers (/applications/{id}/jobs). Task counts add up the task ends of the stages the job planned; numTasks ' +
    'is Spark\'s estimate when the job started (the tasks of its stages not already complete).',
})
export class Job {
  /** The application attempt the job belongs to (for the fields resolved below it); not a GraphQL field. */
  appKey!: string;

  @Field(() => Int)
  jobId!: number;

  @Field(() => String, { nullable: true, description: 'Named after its last stage, as Spark\'s UI does.' })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'spark.job.description, when the program set one.' })
  description!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  submissionTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while the job runs.' })
  completionTime!: Date | null;

  @Field(() => LongScalar, { nullable: true, description: 'Milliseconds from submission to completion; null while it runs.' })
  duration!: bigint | null;

  @Field(() => [Int], { description: 'The stages the job planned, skipped ones included.' })
  stageIds!: number[];

  @Field(() => String, { nullable: true, description: 'spark.jobGroup.id, when the program set one.' })
  jobGroup!: string | null;

  @Field(() => [String], { description: 'spark.job.tags (Spark 3.5+), sorted.' })
  jobTags!: string[];

  @Field(() => JobStatus)
  status!: JobStatus;

  @Field(() => Int)
  numTasks!: number;

  @Field(() => Int, { description: 'Tasks still running when the log ends.' })
  numActiveTasks!: number;

  @Field(() => Int)
  numCompletedTasks!: number;

  @Field(() => Int, { description: 'Tasks of the stages the job skipped (their output already existed).' })
  numSkippedTasks!: number;

  @Field(() => Int)
  numFailedTasks!: number;

  @Field(() => Int)
  numKilledTasks!: number;

  @Field(() => Int, { description: 'Distinct (stage, partition) pairs with a successful task.' })
  numCompletedIndices!: number;

  @Field(() => Int)
  numActiveStages!: number;

  @Field(() => Int)
  numCompletedStages!: number;

  @Field(() => Int)
  numSkippedStages!: number;

  @Field(() => Int, { description: 'Failed stage attempts.' })
  numFailedStages!: number;

  @Field(() => [KilledTasksCount], { description: 'Killed tasks per kill reason, by reason.' })
  killedTasksSummary!: KilledTasksCount[];
}
