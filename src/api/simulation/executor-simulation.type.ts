import { Field, Float, Int, ObjectType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';

/** The estimate for one executor count. */
@ObjectType({ description: 'The estimated run of the application with one executor count (an estimate, never a promise).' })
export class ExecutorSimulationPoint {
  @Field(() => Int, { description: 'Executors in this what-if.' })
  executors!: number;

  @Field(() => LongScalar, {
    description: 'Estimated wall time in ms: fixed driver time plus the replay of every job group through executors × cores slots.',
  })
  estimatedWallTimeMs!: number;

  @Field(() => Float, { description: 'Estimated share (0-1) of the slots busy: replayed task time / (slots × estimated wall time).' })
  estimatedUtilization!: number;
}

/** The executor what-if answer for one application. */
@ObjectType({
  description:
    'Executor what-if from the log. Model: jobs whose run overlapped form groups; the time no job ran is driver time and ' +
    'stays fixed. In each group, stage attempts replay in dependency order (parents first, a retry after its previous ' +
    'attempt, each job from its measured submission offset, each stage after its measured driver delay before its first task) through ' +
    'executors × cores task slots, FIFO by job and stage, with a min-heap of running tasks. Tasks keep their measured ' +
    'durations; only the successful attempt of each task is replayed, failed and speculative attempts are reported ' +
    'as lost time. Estimates with stated assumptions, never promises.',
})
export class ExecutorSimulation {
  @Field(() => Float, { description: 'Executors actually used: time-weighted mean of the executors alive while jobs ran.' })
  actualExecutors!: number;

  @Field(() => Int, { description: 'The most executors alive at once.' })
  maxConcurrentExecutors!: number;

  @Field(() => Int, { description: 'Cores per executor used by the what-if points (given, or the most common executor size).' })
  coresPerExecutor!: number;

  @Field(() => LongScalar, { description: 'Real wall time of the application (start to end) in ms.' })
  actualDurationMs!: number;

  @Field(() => LongScalar, {
    description: 'The curve\'s estimate at the actual executor count (actualExecutorsUsed), every attempt replayed, in ms.',
  })
  estimateAtActualMs!: number;

  @Field(() => LongScalar, {
    description: 'The replay at the actual cores with every attempt (failed and speculative too): the run as it happened, modelled.',
  })
  replayAtActualMs!: number;

  @Field(() => Float, {
    description: "The model's error in percent, as Sparklens states it: |estimateAtActualMs − actualDurationMs| / actualDurationMs × 100.",
  })
  modelErrorPercent!: number;

  @Field(() => Int, { description: 'The executor count taken as actual for the model error (a point of the curve).' })
  actualExecutorsUsed!: number;

  @Field(() => String, { description: 'Why that count: the time-weighted mean of executors alive while jobs ran, not the peak.' })
  actualExecutorsBasis!: string;

  @Field(() => LongScalar, {
    description: 'Lower bound with unlimited executors: the longest chain of stage spans (longest task each) along the dependencies, plus driver time.',
  })
  criticalPathMs!: number;

  @Field(() => LongScalar, { description: 'Driver time plus the total replayed task time spread perfectly over the actual cores.' })
  idealTimeMs!: number;

  @Field(() => LongScalar, { description: 'Time when no job ran (before the first, between, after the last); fixed in every estimate.' })
  driverOnlyMs!: number;

  @Field(() => LongScalar, { description: 'Total duration of the replayed (successful) task attempts.' })
  totalTaskTimeMs!: number;

  @Field(() => LongScalar, { description: 'Time spent in failed task attempts, left out of the estimates.' })
  failedTaskTimeMs!: number;

  @Field(() => LongScalar, {
    description: 'Time spent in killed or duplicate attempts (speculation losers, tasks killed with their job), left out of the estimates.',
  })
  speculativeTaskTimeMs!: number;

  @Field(() => Int, { description: 'Task attempts replayed (one successful attempt per task).' })
  replayedTasks!: number;

  @Field(() => [String], { description: 'What the model assumes, with the numbers it read from this log.' })
  assumptions!: string[];

  @Field(() => [ExecutorSimulationPoint], { description: 'One estimate per executor count asked, in the order asked.' })
  points!: ExecutorSimulationPoint[];
}
