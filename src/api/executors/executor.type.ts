import { Field, Int, ObjectType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { KeyValue } from '../common/key-value.type.js';
import { LongScalar } from '../common/long.scalar.js';

/** Storage memory an executor's block manager had. */
@ObjectType({
  description:
    'Storage memory of an executor\'s block manager (History Server memoryMetrics). Only the totals are carried: ' +
    'the storage memory in use (usedOnHeapStorageMemory, usedOffHeapStorageMemory) comes from block updates, ' +
    'which are not stored yet.',
})
export class ExecutorMemoryMetrics {
  @Field(() => LongScalar, { description: 'On-heap storage memory in bytes.' })
  totalOnHeapStorageMemory!: bigint;

  @Field(() => LongScalar, { description: 'Off-heap storage memory in bytes.' })
  totalOffHeapStorageMemory!: bigint;
}

/** A resource assigned to an executor, such as GPUs. */
@ObjectType({ description: 'A resource an executor was given (e.g. "gpu") and the addresses of its units.' })
export class ExecutorResource {
  @Field(() => String)
  name!: string;

  @Field(() => [String])
  addresses!: string[];
}

/** One executor (or the driver) of an application, as Spark History Server's ExecutorSummary describes it. */
@ObjectType({
  description:
    'One executor of an application, or the driver (id "driver"), with Spark History Server\'s ExecutorSummary ' +
    'field names and numbers. Task counters and totals add up the task ends the executor ran. Not carried yet: ' +
    'rddBlocks, memoryUsed, diskUsed and the used storage memory (they come from block updates, not stored yet) ' +
    'and peakMemoryMetrics.',
})
export class Executor {
  @Field(() => String, { description: 'Executor id: "driver" or a number as a string.' })
  id!: string;

  @Field(() => String, { nullable: true, description: '"host:port" of its block manager (host alone when the port is unknown).' })
  hostPort!: string | null;

  @Field(() => Boolean, { description: 'False once the executor was removed.' })
  isActive!: boolean;

  @Field(() => Int, { nullable: true, description: 'Cores the executor offered (0 for the driver).' })
  totalCores!: number | null;

  @Field(() => Int, { nullable: true, description: 'Tasks it could run at once: totalCores / spark.task.cpus.' })
  maxTasks!: number | null;

  @Field(() => Int, { description: 'Tasks still running when the log ends.' })
  activeTasks!: number;

  @Field(() => Int)
  failedTasks!: number;

  @Field(() => Int)
  completedTasks!: number;

  @Field(() => Int, { description: 'Tasks started on the executor, whatever their outcome.' })
  totalTasks!: number;

  @Field(() => LongScalar, {
    description: 'Milliseconds its tasks ran, summed; for the driver, the application\'s run time (as History Server).',
  })
  totalDuration!: bigint;

  @Field(() => LongScalar, { description: 'JVM garbage collection time of its tasks in milliseconds.' })
  totalGCTime!: bigint;

  @Field(() => LongScalar, { description: 'Bytes its tasks read from input sources.' })
  totalInputBytes!: bigint;

  @Field(() => LongScalar, { description: 'Shuffle bytes its tasks read (remote and local).' })
  totalShuffleRead!: bigint;

  @Field(() => LongScalar, { description: 'Shuffle bytes its tasks wrote.' })
  totalShuffleWrite!: bigint;

  @Field(() => Boolean, {
    description: 'Excluded (blacklisted before Spark 3.1) for the whole application when the log ends.',
  })
  isExcluded!: boolean;

  @Field(() => [Int], { description: 'Stages whose still-running attempt excluded this executor.' })
  excludedInStages!: number[];

  @Field(() => LongScalar, { nullable: true, description: 'Storage memory of its block manager in bytes.' })
  maxMemory!: bigint | null;

  @Field(() => ExecutorMemoryMetrics, {
    nullable: true,
    description:
      'On- and off-heap storage memory; null when the log\'s block manager events do not split them (older Spark).',
  })
  memoryMetrics!: ExecutorMemoryMetrics | null;

  @Field(() => DateTimeResolver, { nullable: true })
  addTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while the executor is active.' })
  removeTime!: Date | null;

  @Field(() => String, { nullable: true })
  removeReason!: string | null;

  @Field(() => [KeyValue], { description: 'Links to its logs by name ("stdout", "stderr"), sorted by name.' })
  executorLogs!: KeyValue[];

  @Field(() => [KeyValue], { description: 'Cluster manager attributes (YARN container id, user...), sorted by name.' })
  attributes!: KeyValue[];

  @Field(() => [ExecutorResource], { description: 'Resources such as GPUs assigned to it, sorted by name.' })
  resources!: ExecutorResource[];

  @Field(() => Int, { nullable: true, description: 'The resource profile it was started with (0 is the default).' })
  resourceProfileId!: number | null;
}
