import { Field, Float, ObjectType } from 'type-graphql';

/** Quantiles of input metrics. */
@ObjectType({ description: 'Quantiles of what tasks read from input sources.' })
export class InputMetricDistributions {
  @Field(() => [Float])
  bytesRead!: number[];

  @Field(() => [Float])
  recordsRead!: number[];
}

/** Quantiles of output metrics. */
@ObjectType({ description: 'Quantiles of what tasks wrote to output sinks.' })
export class OutputMetricDistributions {
  @Field(() => [Float])
  bytesWritten!: number[];

  @Field(() => [Float])
  recordsWritten!: number[];
}

/** Quantiles of push-based shuffle read metrics. */
@ObjectType({ description: 'Quantiles of push-based shuffle reads (Spark 3.2+).' })
export class ShufflePushReadMetricDistributions {
  @Field(() => [Float])
  corruptMergedBlockChunks!: number[];

  @Field(() => [Float])
  mergedFetchFallbackCount!: number[];

  @Field(() => [Float])
  remoteMergedBlocksFetched!: number[];

  @Field(() => [Float])
  localMergedBlocksFetched!: number[];

  @Field(() => [Float])
  remoteMergedChunksFetched!: number[];

  @Field(() => [Float])
  localMergedChunksFetched!: number[];

  @Field(() => [Float])
  remoteMergedBytesRead!: number[];

  @Field(() => [Float])
  localMergedBytesRead!: number[];

  @Field(() => [Float])
  remoteMergedReqsDuration!: number[];
}

/** Quantiles of shuffle read metrics. */
@ObjectType({ description: 'Quantiles of what tasks read from shuffle.' })
export class ShuffleReadMetricDistributions {
  @Field(() => [Float], { description: 'Remote and local bytes.' })
  readBytes!: number[];

  @Field(() => [Float])
  readRecords!: number[];

  @Field(() => [Float])
  remoteBlocksFetched!: number[];

  @Field(() => [Float])
  localBlocksFetched!: number[];

  @Field(() => [Float])
  fetchWaitTime!: number[];

  @Field(() => [Float])
  remoteBytesRead!: number[];

  @Field(() => [Float])
  remoteBytesReadToDisk!: number[];

  @Field(() => [Float], { description: 'Remote and local blocks.' })
  totalBlocksFetched!: number[];

  @Field(() => [Float])
  remoteReqsDuration!: number[];

  @Field(() => ShufflePushReadMetricDistributions)
  shufflePushReadMetricsDist!: ShufflePushReadMetricDistributions;
}

/** Quantiles of shuffle write metrics. */
@ObjectType({ description: 'Quantiles of what tasks wrote to shuffle.' })
export class ShuffleWriteMetricDistributions {
  @Field(() => [Float])
  writeBytes!: number[];

  @Field(() => [Float])
  writeRecords!: number[];

  @Field(() => [Float])
  writeTime!: number[];
}

/** History Server's TaskMetricDistributions for one stage attempt. */
@ObjectType({
  description:
    'Quantiles of the task metrics of a stage attempt over its successful tasks, as History Server\'s ' +
    'taskSummary (TaskMetricDistributions): each metric is sorted on its own and quantile q reads the value at ' +
    'index min(floor(q * n), n - 1).',
})
export class TaskMetricDistributions {
  @Field(() => [Float], {
    description: 'The quantiles asked for, ascending; every list below has one value per quantile, in this order.',
  })
  quantiles!: number[];

  @Field(() => [Float], {
    nullable: true,
    description:
      'Null when no successful task has a known duration: the log gave times no field can hold, stored as unknown ' +
      '(see the application\'s ingest warnings).',
  })
  duration!: number[] | null;

  @Field(() => [Float])
  executorDeserializeTime!: number[];

  @Field(() => [Float])
  executorDeserializeCpuTime!: number[];

  @Field(() => [Float])
  executorRunTime!: number[];

  @Field(() => [Float])
  executorCpuTime!: number[];

  @Field(() => [Float])
  resultSize!: number[];

  @Field(() => [Float])
  jvmGcTime!: number[];

  @Field(() => [Float])
  resultSerializationTime!: number[];

  @Field(() => [Float])
  gettingResultTime!: number[];

  @Field(() => [Float])
  schedulerDelay!: number[];

  @Field(() => [Float])
  peakExecutionMemory!: number[];

  @Field(() => [Float])
  memoryBytesSpilled!: number[];

  @Field(() => [Float])
  diskBytesSpilled!: number[];

  @Field(() => InputMetricDistributions)
  inputMetrics!: InputMetricDistributions;

  @Field(() => OutputMetricDistributions)
  outputMetrics!: OutputMetricDistributions;

  @Field(() => ShuffleReadMetricDistributions)
  shuffleReadMetrics!: ShuffleReadMetricDistributions;

  @Field(() => ShuffleWriteMetricDistributions)
  shuffleWriteMetrics!: ShuffleWriteMetricDistributions;
}
