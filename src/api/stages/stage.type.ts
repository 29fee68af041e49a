import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { AccumulableInfo } from '../common/accumulable-info.type.js';
import { KilledTasksCount } from '../common/killed-tasks.type.js';
import { LongScalar } from '../common/long.scalar.js';
import { StageStatus } from './stage-status.enum.js';

/** One attempt of a stage, as Spark History Server's StageData describes it. */
@ObjectType({
  description:
    'One attempt of a stage, with Spark History Server\'s StageData field names and numbers ' +
    '(/applications/{id}/stages/{stageId}/{attemptId}). Metric totals add up every task of the attempt, failed ' +
    'and killed ones included, as Spark does. Not carried yet: peakExecutorMetrics, executorSummary, ' +
    'speculationSummary, executorMetricsDistributions (the task list is `tasks`).',
})
export class Stage {
  /** The application attempt the stage belongs to (for the fields resolved below it); not a GraphQL field. */
  appKey!: string;

  @Field(() => StageStatus)
  status!: StageStatus;

  @Field(() => Int)
  stageId!: number;

  @Field(() => Int, { description: 'Attempt number: 0 first, higher when Spark re-ran the stage (e.g. after a fetch failure).' })
  attemptId!: number;

  @Field(() => Int, { description: 'Tasks the attempt planned (its partitions to compute).' })
  numTasks!: number;

  @Field(() => Int, { description: 'Tasks still running when the log ends.' })
  numActiveTasks!: number;

  @Field(() => Int)
  numCompleteTasks!: number;

  @Field(() => Int)
  numFailedTasks!: number;

  @Field(() => Int)
  numKilledTasks!: number;

  @Field(() => Int, { description: 'Distinct partitions with a successful task.' })
  numCompletedIndices!: number;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null for a stage that never ran (skipped or pending).' })
  submissionTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  firstTaskLaunchedTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  completionTime!: Date | null;

  @Field(() => LongScalar, { nullable: true, description: 'Milliseconds from submission to completion; null when either is unknown.' })
  duration!: bigint | null;

  @Field(() => String, { nullable: true })
  failureReason!: string | null;

  @Field(() => LongScalar, { description: 'Milliseconds spent deserializing tasks.' })
  executorDeserializeTime!: bigint;

  @Field(() => LongScalar, { description: 'CPU nanoseconds spent deserializing tasks.' })
  executorDeserializeCpuTime!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds tasks ran (executor run time).' })
  executorRunTime!: bigint;

  @Field(() => LongScalar, { description: 'CPU nanoseconds tasks ran.' })
  executorCpuTime!: bigint;

  @Field(() => LongScalar, { description: 'Bytes of task results sent to the driver.' })
  resultSize!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds of JVM garbage collection while tasks ran.' })
  jvmGcTime!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds spent serializing task results.' })
  resultSerializationTime!: bigint;

  @Field(() => LongScalar, { description: 'Bytes spilled from memory (in-memory size).' })
  memoryBytesSpilled!: bigint;

  @Field(() => LongScalar, { description: 'Bytes spilled to disk (on-disk size).' })
  diskBytesSpilled!: bigint;

  @Field(() => LongScalar, { description: 'Sum over tasks of each task\'s peak execution memory in bytes.' })
  peakExecutionMemory!: bigint;

  @Field(() => LongScalar)
  inputBytes!: bigint;

  @Field(() => LongScalar)
  inputRecords!: bigint;

  @Field(() => LongScalar)
  outputBytes!: bigint;

  @Field(() => LongScalar)
  outputRecords!: bigint;

  @Field(() => LongScalar)
  shuffleRemoteBlocksFetched!: bigint;

  @Field(() => LongScalar)
  shuffleLocalBlocksFetched!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds tasks waited for shuffle blocks.' })
  shuffleFetchWaitTime!: bigint;

  @Field(() => LongScalar)
  shuffleRemoteBytesRead!: bigint;

  @Field(() => LongScalar)
  shuffleRemoteBytesReadToDisk!: bigint;

  @Field(() => LongScalar)
  shuffleLocalBytesRead!: bigint;

  @Field(() => LongScalar)
  shuffleReadRecords!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds of remote shuffle requests.' })
  shuffleRemoteReqsDuration!: bigint;

  @Field(() => LongScalar, { description: 'Push-based shuffle (Spark 3.2+), as the following shuffleMerged* fields.' })
  shuffleCorruptMergedBlockChunks!: bigint;

  @Field(() => LongScalar)
  shuffleMergedFetchFallbackCount!: bigint;

  @Field(() => LongScalar)
  shuffleMergedRemoteBlocksFetched!: bigint;

  @Field(() => LongScalar)
  shuffleMergedLocalBlocksFetched!: bigint;

  @Field(() => LongScalar)
  shuffleMergedRemoteChunksFetched!: bigint;

  @Field(() => LongScalar)
  shuffleMergedLocalChunksFetched!: bigint;

  @Field(() => LongScalar)
  shuffleMergedRemoteBytesRead!: bigint;

  @Field(() => LongScalar)
  shuffleMergedLocalBytesRead!: bigint;

  @Field(() => LongScalar)
  shuffleMergedRemoteReqsDuration!: bigint;

  @Field(() => LongScalar)
  shuffleWriteBytes!: bigint;

  @Field(() => LongScalar, { description: 'Nanoseconds spent writing shuffle output.' })
  shuffleWriteTime!: bigint;

  @Field(() => LongScalar)
  shuffleWriteRecords!: bigint;

  @Field(() => LongScalar, { description: 'Shuffle bytes read, remote and local.' })
  shuffleReadBytes!: bigint;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: 'spark.job.description of the job that submitted it.' })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'Call site (stack trace) that created the stage.' })
  details!: string | null;

  @Field(() => String, { nullable: true, description: 'Fair scheduler pool ("default" unless set).' })
  schedulingPool!: string | null;

  @Field(() => [Int], { description: 'RDDs the stage computes, as Spark lists them.' })
  rddIds!: number[];

  @Field(() => [AccumulableInfo], { description: 'User accumulators the stage updated, with their final values, by id.' })
  accumulatorUpdates!: AccumulableInfo[];

  @Field(() => [KilledTasksCount], { description: 'Killed tasks per kill reason, by reason.' })
  killedTasksSummary!: KilledTasksCount[];

  @Field(() => Int, { description: 'Resource profile the stage ran with (0, the default, before Spark 3.1).' })
  resourceProfileId!: number;

  @Field(() => Boolean, { description: 'Push-based shuffle enabled for the stage (Spark 3.2+).' })
  isShufflePushEnabled!: boolean;

  @Field(() => Int)
  shuffleMergersCount!: number;

  @Field(() => [Int], { description: 'Jobs that planned this stage, by id.' })
  jobIds!: number[];

  @Field(() => [Int], {
    description: 'Stages whose shuffle output this stage reads; empty when the log does not record parents (Spark 1.2).',
  })
  parentIds!: number[];
}
