import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { AccumulableInfo } from '../common/accumulable-info.type.js';
import { LongScalar } from '../common/long.scalar.js';
import { TaskStatus } from './task.enums.js';
import { TaskMetrics } from './task-metrics.type.js';

/** One task attempt of a stage attempt, as Spark History Server's TaskData describes it. */
@ObjectType({
  description:
    'One task attempt, with Spark History Server\'s TaskData field names and numbers ' +
    '(/stages/{stageId}/{attemptId}/taskList). Not carried: executorLogs (see the executor, by executorId).',
})
export class Task {
  @Field(() => LongScalar, { description: 'Unique within the application.' })
  taskId!: bigint;

  @Field(() => Int, { description: 'Index of the task within its stage attempt.' })
  index!: number;

  @Field(() => Int, { description: 'Attempt number of this task index: 0 first, higher for retries and speculative copies.' })
  attempt!: number;

  @Field(() => Int, { description: 'Partition the task computed (Spark 3.3+); -1 when the log does not say.' })
  partitionId!: number;

  @Field(() => DateTimeResolver, { nullable: true })
  launchTime!: Date | null;

  @Field(() => LongScalar, { nullable: true, description: 'Milliseconds from launch to finish; null while running.' })
  duration!: bigint | null;

  @Field(() => String, { nullable: true })
  executorId!: string | null;

  @Field(() => String, { nullable: true })
  host!: string | null;

  @Field(() => TaskStatus)
  status!: TaskStatus;

  @Field(() => String, { nullable: true, description: 'PROCESS_LOCAL, NODE_LOCAL, RACK_LOCAL, NO_PREF or ANY.' })
  taskLocality!: string | null;

  @Field(() => Boolean)
  speculative!: boolean;

  @Field(() => [AccumulableInfo], { description: 'User accumulators the task updated.' })
  accumulatorUpdates!: AccumulableInfo[];

  @Field(() => String, { nullable: true, description: 'Why the task did not succeed, as Spark words it; null when it did.' })
  errorMessage!: string | null;

  @Field(() => TaskMetrics, { nullable: true, description: 'Null for a running task and for a task end without metrics.' })
  taskMetrics!: TaskMetrics | null;

  @Field(() => LongScalar, {
    description: 'Milliseconds the task waited to be scheduled and its result to reach the driver, as History Server derives it.',
  })
  schedulerDelay!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds the driver spent fetching the task result.' })
  gettingResultTime!: bigint;
}
