import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

/** A number of both runs with its change. */
@ObjectType({ description: 'One measure of both runs: the candidate minus the base, and the candidate as a multiple of the base.' })
export class MetricChange {
  @Field(() => String, {
    description: 'durationMs, wallClockShareMs, taskTimeMs, tasks, attempts, inputBytes, outputBytes, shuffleReadBytes, ' +
      'shuffleWriteBytes, memorySpillBytes, diskSpillBytes, gcTimeMs, failedTasks, killedTasks, skewRatio, maxTaskMs, medianTaskMs, stages, failed.',
  })
  metric!: string;

  @Field(() => Float, { nullable: true, description: 'The base run\'s value (null when unknown).' })
  base!: number | null;

  @Field(() => Float, { nullable: true, description: 'The candidate run\'s value.' })
  candidate!: number | null;

  @Field(() => Float, { nullable: true, description: 'candidate − base.' })
  delta!: number | null;

  @Field(() => Float, { nullable: true, description: 'candidate ÷ base (null when the base is 0).' })
  ratio!: number | null;
}

/** Two aligned stages. */
@ObjectType({ description: 'A stage id of each run (all its attempts) that ran the same code.' })
export class StagePair {
  @Field(() => Int) baseStageId!: number;
  @Field(() => Int) candidateStageId!: number;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { description: 'signature (name, depth in the stage graph and RDD lineage agreed) or name (name and order only).' })
  matchedBy!: string;
  @Field(() => [MetricChange]) metrics!: MetricChange[];
}

/** Two aligned jobs. */
@ObjectType({ description: 'A job of each run that ran the same action.' })
export class JobPair {
  @Field(() => Int) baseJobId!: number;
  @Field(() => Int) candidateJobId!: number;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { description: 'signature (name, description and stage names agreed) or name.' }) matchedBy!: string;
  @Field(() => String) baseStatus!: string;
  @Field(() => String) candidateStatus!: string;
  @Field(() => [MetricChange]) metrics!: MetricChange[];
}

/** Two aligned SQL executions. */
@ObjectType({ description: 'A SQL execution of each run of the same query.' })
export class SqlPair {
  @Field(() => Int) baseExecutionId!: number;
  @Field(() => Int) candidateExecutionId!: number;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field(() => String, { description: 'plan-shape (description and plan operators agreed) or description (the plan changed).' })
  matchedBy!: string;
  @Field(() => [MetricChange]) metrics!: MetricChange[];
}

/** Something only one run did. */
@ObjectType({ description: 'A stage, job or SQL execution found in one run only.' })
export class UnmatchedPart {
  @Field(() => Int) id!: number;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Float, { nullable: true }) durationMs!: number | null;
}

/** A property set differently. */
@ObjectType({ description: 'A Spark property set differently in the two runs (null: not set). Per-run ids (app id, ports) are left out.' })
export class PropertyChange {
  @Field(() => String) key!: string;
  @Field(() => String, { nullable: true }) base!: string | null;
  @Field(() => String, { nullable: true }) candidate!: string | null;
}

/** An insight without counterpart in the other run. */
@ObjectType({ description: 'An insight of one run with no insight of its type about the aligned stage, query or application in the other.' })
export class InsightChange {
  @Field(() => String) type!: string;
  @Field(() => String) title!: string;
  @Field(() => String, { description: 'application, a stage or a SQL execution, with that run\'s own ids.' }) target!: string;
}

/** What a run held. */
@ObjectType({ description: 'Core-hours held and used, the wasted share and the cost, as Application.cost counts them.' })
export class RunResources {
  @Field(() => Float) allocatedCoreHours!: number;
  @Field(() => Float) usedCoreHours!: number;
  @Field(() => Float, { description: '0-1.' }) wasteShare!: number;
  @Field(() => Float, { nullable: true, description: 'At the configured prices; null without them.' }) cost!: number | null;
}

/** One run's facts. */
@ObjectType({ description: 'One of the two runs.' })
export class RunSummary {
  @Field(() => ID) appKey!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) sparkVersion!: string | null;
  @Field(() => Float, { nullable: true }) durationMs!: number | null;
  @Field(() => Int, { description: 'Executors (the driver when it ran the tasks, in local mode).' }) executors!: number;
  @Field(() => Int, { nullable: true, description: 'The most common executor core count.' }) coresPerExecutor!: number | null;
  @Field(() => String, { nullable: true, description: 'spark.executor.memory (spark.driver.memory in local mode) as set.' })
  executorMemory!: string | null;
  @Field(() => Float, { nullable: true, description: 'The largest storage memory an executor reported, bytes.' })
  maxStorageMemoryBytes!: number | null;
  @Field(() => Boolean) localMode!: boolean;
  @Field(() => Int) tasks!: number;
  @Field(() => Float) taskTimeMs!: number;
  @Field(() => Int) failedTasks!: number;
  @Field(() => RunResources, { nullable: true }) resources!: RunResources | null;
}

/** One ranked part of the explanation. */
@ObjectType({ description: 'A part of the runs whose change moved the wall clock the way the whole run moved, with its measured evidence. Evidence, not a proven cause.' })
export class ComparisonExplanation {
  @Field(() => Int) rank!: number;
  @Field(() => String, { description: 'stage, stage-only-in-base, stage-only-in-candidate or outside-stages.' }) kind!: string;
  @Field(() => Int, { nullable: true }) baseStageId!: number | null;
  @Field(() => Int, { nullable: true }) candidateStageId!: number | null;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => Float, { description: 'The part\'s share of the candidate\'s wall clock minus its share of the base\'s, ms.' }) deltaMs!: number;
  @Field(() => Float, { description: 'deltaMs ÷ the summed deltas of the parts that moved the way the whole run did (0-1; the list sums to 1).' })
  shareOfChange!: number;
  @Field(() => String) title!: string;
  @Field(() => [String], { description: 'Measured differences, strongest first.' }) evidence!: string[];
}

/** Two runs compared. */
@ObjectType({ description: 'Two runs side by side: what aligned, how it changed, and which parts carry the wall-clock change.' })
export class ApplicationComparison {
  @Field(() => RunSummary) base!: RunSummary;
  @Field(() => RunSummary) candidate!: RunSummary;
  @Field(() => Float, { nullable: true, description: 'candidate duration − base duration, ms.' }) durationDeltaMs!: number | null;
  @Field(() => Float, { nullable: true }) durationRatio!: number | null;
  @Field(() => [StagePair]) stages!: StagePair[];
  @Field(() => [UnmatchedPart]) stagesOnlyInBase!: UnmatchedPart[];
  @Field(() => [UnmatchedPart]) stagesOnlyInCandidate!: UnmatchedPart[];
  @Field(() => [JobPair]) jobs!: JobPair[];
  @Field(() => [UnmatchedPart]) jobsOnlyInBase!: UnmatchedPart[];
  @Field(() => [UnmatchedPart]) jobsOnlyInCandidate!: UnmatchedPart[];
  @Field(() => [SqlPair]) sqlExecutions!: SqlPair[];
  @Field(() => [UnmatchedPart]) sqlOnlyInBase!: UnmatchedPart[];
  @Field(() => [UnmatchedPart]) sqlOnlyInCandidate!: UnmatchedPart[];
  @Field(() => [PropertyChange]) propertyChanges!: PropertyChange[];
  @Field(() => [InsightChange]) insightsAppeared!: InsightChange[];
  @Field(() => [InsightChange]) insightsDisappeared!: InsightChange[];
  @Field(() => [ComparisonExplanation], { description: 'Most of the wall-clock change first.' }) explanations!: ComparisonExplanation[];
  @Field(() => String, { description: 'How the explanation is computed and what it cannot say.' }) method!: string;
}
