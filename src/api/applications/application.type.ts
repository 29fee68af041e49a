import { Field, ID, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { LongScalar } from '../common/long.scalar.js';
import { ApplicationStats } from './application-stats.type.js';

/** One attempt of a Spark application, as its event log recorded it. */
@ObjectType({
  description:
    'One run (attempt) of a Spark application, from its event log. Jobs, stages, tasks, executors, SQL executions ' +
    'and the environment hang off it; their numbers are aggregated the way Spark History Server does.',
})
export class Application {
  @Field(() => ID, { description: 'The app id, or "<appId>/<attemptId>" for an attempt of a multi-attempt app.' })
  id!: string;

  @Field(() => String, { description: 'Spark application id (spark.app.id).' })
  appId!: string;

  @Field(() => String, { nullable: true, description: 'Attempt id when the cluster manager retried the driver (YARN).' })
  attemptId!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'From SparkListenerLogStart; null for Spark 1.2-1.4 logs.' })
  sparkVersion!: string | null;

  @Field(() => String, { nullable: true })
  sparkUser!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  startTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while the application was still running.' })
  endTime!: Date | null;

  @Field(() => LongScalar, { nullable: true, description: 'Wall-clock run time in milliseconds.' })
  duration!: bigint | null;

  @Field(() => Boolean, { description: 'False when the log ends before SparkListenerApplicationEnd.' })
  completed!: boolean;

  @Field(() => DateTimeResolver, { description: 'When the event log was last written.' })
  lastUpdated!: Date;

  @Field(() => String, { description: 'The file or directory the log was ingested from.' })
  sourceName!: string;

  @Field(() => Int, { description: 'Events read from the log.' })
  eventsRead!: number;

  @Field(() => Int, { description: 'Events skipped: unknown event types and events missing required fields.' })
  eventsSkipped!: number;

  @Field(() => ApplicationStats)
  stats!: ApplicationStats;
}
