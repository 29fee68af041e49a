import { Field, ObjectType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';

/** What a task read from input sources. */
@ObjectType({ description: 'What a task read from input sources (History Server InputMetrics).' })
export class InputMetrics {
  @Field(() => LongScalar)
  bytesRead!: bigint;

  @Field(() => LongScalar)
  recordsRead!: bigint;
}

/** What a task wrote to output sinks. */
@ObjectType({ description: 'What a task wrote to output sinks (History Server OutputMetrics).' })
export class OutputMetrics {
  @Field(() => LongScalar)
  bytesWritten!: bigint;

  @Field(() => LongScalar)
  recordsWritten!: bigint;
}

/** What a task read through push-based shuffle. */
@ObjectType({ description: 'What a task read through push-based shuffle, Spark 3.2+ (History Server ShufflePushReadMetrics).' })
export class ShufflePushReadMetrics {
  @Field(() => LongScalar)
  corruptMergedBlockChunks!: bigint;

  @Field(() => LongScalar)
  mergedFetchFallbackCount!: bigint;

  @Field(() => LongScalar)
  remoteMergedBlocksFetched!: bigint;

  @Field(() => LongScalar)
  localMergedBlocksFetched!: bigint;

  @Field(() => LongScalar)
  remoteMergedChunksFetched!: bigint;

  @Field(() => LongScalar)
  localMergedChunksFetched!: bigint;

  @Field(() => LongScalar)
  remoteMergedBytesRead!: bigint;

  @Field(() => LongScalar)
  localMergedBytesRead!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds.' })
  remoteMergedReqsDuration!: bigint;
}

/** What a task read from shuffle. */
@ObjectType({ description: 'What a task read from shuffle (History Server ShuffleReadMetrics).' })
export class ShuffleReadMetrics {
  @Field(() => LongScalar)
  remoteBlocksFetched!: bigint;

  @Field(() => LongScalar)
  localBlocksFetched!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds the task waited for shuffle blocks.' })
  fetchWaitTime!: bigint;

  @Field(() => LongScalar)
  remoteBytesRead!: bigint;

  @Field(() => LongScalar)
  remoteBytesReadToDisk!: bigint;

  @Field(() => LongScalar)
  localBytesRead!: bigint;

  @Field(() => LongScalar)
  recordsRead!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds of remote shuffle requests.' })
  remoteReqsDuration!: bigint;

  @Field(() => ShufflePushReadMetrics)
  shufflePushReadMetrics!: ShufflePushReadMetrics;
}

/** What a task wrote to shuffle. */
@ObjectType({ description: 'What a task wrote to shuffle (History Server ShuffleWriteMetrics).' })
export class ShuffleWriteMetrics {
  @Field(() => LongScalar)
  bytesWritten!: bigint;

  @Field(() => LongScalar, { description: 'Nanoseconds.' })
  writeTime!: bigint;

  @Field(() => LongScalar)
  recordsWritten!: bigint;
}

/** The metrics a task reported when it ended. */
@ObjectType({ description: 'The metrics a task reported when it ended (History Server TaskMetrics).' })
export class TaskMetrics {
  @Field(() => LongScalar, { description: 'Milliseconds.' })
  executorDeserializeTime!: bigint;

  @Field(() => LongScalar, { description: 'Nanoseconds.' })
  executorDeserializeCpuTime!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds.' })
  executorRunTime!: bigint;

  @Field(() => LongScalar, { description: 'Nanoseconds.' })
  executorCpuTime!: bigint;

  @Field(() => LongScalar, { description: 'Bytes of the result sent to the driver.' })
  resultSize!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds.' })
  jvmGcTime!: bigint;

  @Field(() => LongScalar, { description: 'Milliseconds.' })
  resultSerializationTime!: bigint;

  @Field(() => LongScalar)
  memoryBytesSpilled!: bigint;

  @Field(() => LongScalar)
  diskBytesSpilled!: bigint;

  @Field(() => LongScalar, { description: 'Bytes.' })
  peakExecutionMemory!: bigint;

  @Field(() => InputMetrics)
  inputMetrics!: InputMetrics;

  @Field(() => OutputMetrics)
  outputMetrics!: OutputMetrics;

  @Field(() => ShuffleReadMetrics)
  shuffleReadMetrics!: ShuffleReadMetrics;

  @Field(() => ShuffleWriteMetrics)
  shuffleWriteMetrics!: ShuffleWriteMetrics;
}
