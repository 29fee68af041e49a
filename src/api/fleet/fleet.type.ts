import { DateTimeResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType } from 'type-graphql';

/** The prices an answer used. */
@ObjectType({ description: 'The prices behind the money in an answer, and which setting gave them.' })
export class CostPrices {
  @Field(() => Float, { nullable: true, description: 'Per core held for an hour (null: no core price).' }) perCoreHour!: number | null;
  @Field(() => Float, { nullable: true, description: 'Per GiB of memory held for an hour.' }) perGbHour!: number | null;
  @Field(() => String, { description: 'Where they came from: a request argument, COST_PER_CORE_HOUR / COST_PER_GB_HOUR, or none set.' })
  source!: string;
}

/** Cost and waste of one application. */
@ObjectType({ description: 'What an application held, used and lost. Shares are 0-1. Core-hours = cores × hours held.' })
export class ApplicationCost {
  @Field(() => ID) appKey!: string;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true }) sparkUser!: string | null;
  @Field(() => String, { nullable: true }) sparkVersion!: string | null;
  @Field(() => DateTimeResolver, { nullable: true }) startTime!: Date | null;
  @Field(() => Float) durationMs!: number;
  @Field(() => Boolean, { description: 'No executor but the driver: the driver\'s cores ran the tasks and are the capacity.' }) localMode!: boolean;
  @Field(() => Int, { description: 'Executors other than the driver.' }) executors!: number;
  @Field(() => Float, { description: 'Executor core-hours plus driver core-hours (local mode: the driver\'s).' }) allocatedCoreHours!: number;
  @Field(() => Float, { description: 'Σ executor lifetime (registration to removal or application end) × cores.' }) executorCoreHours!: number;
  @Field(() => Float, { description: 'Run time × spark.driver.cores (default 1); local mode: × the driver\'s cores.' }) driverCoreHours!: number;
  @Field(() => Float, { description: 'Lifetime × container memory (heap + overhead, plus off-heap and PySpark memory for executors), GiB-hours.' })
  memoryGbHours!: number;
  @Field(() => Float, { description: 'Task time × spark.task.cpus (every attempt), core-hours.' }) usedCoreHours!: number;
  @Field(() => Float, { description: '1 − used ÷ capacity (executor core-hours; local mode: the driver\'s), 0-1.' }) idleShare!: number;
  @Field(() => Float, { description: 'Task time of failed and killed attempts, core-hours.' }) failedCoreHours!: number;
  @Field(() => Float, { description: 'failedCoreHours ÷ usedCoreHours, 0-1.' }) failedShare!: number;
  @Field(() => Float, { description: 'Idle capacity + failed work, core-hours (never more than the capacity).' }) wastedCoreHours!: number;
  @Field(() => Float, { description: 'wastedCoreHours ÷ capacity, 0-1.' }) wasteShare!: number;
  @Field(() => Float, { nullable: true, description: 'allocated core-hours × core price + memory GiB-hours × memory price; null without prices.' })
  cost!: number | null;
  @Field(() => Float, { nullable: true, description: 'The capacity\'s cost × wasteShare; null without prices.' }) wastedCost!: number | null;
  @Field(() => CostPrices) prices!: CostPrices;
}

/** Sums over a fleet answer. */
@ObjectType({ description: 'Sums over the applications the filter kept. Shares are over the summed capacity (0-1).' })
export class FleetTotals {
  @Field(() => Int) applications!: number;
  @Field(() => Float) durationMs!: number;
  @Field(() => Float) allocatedCoreHours!: number;
  @Field(() => Float) memoryGbHours!: number;
  @Field(() => Float) usedCoreHours!: number;
  @Field(() => Float) idleShare!: number;
  @Field(() => Float) failedCoreHours!: number;
  @Field(() => Float) wastedCoreHours!: number;
  @Field(() => Float) wasteShare!: number;
  @Field(() => Float, { nullable: true }) cost!: number | null;
  @Field(() => Float, { nullable: true }) wastedCost!: number | null;
}

/** One run of a series. */
@ObjectType({ description: 'One run in an application\'s series.' })
export class FleetRunPoint {
  @Field(() => ID) appKey!: string;
  @Field(() => DateTimeResolver, { nullable: true }) startTime!: Date | null;
  @Field(() => Float) durationMs!: number;
  @Field(() => Float) allocatedCoreHours!: number;
  @Field(() => Float) wasteShare!: number;
  @Field(() => Float, { nullable: true }) cost!: number | null;
}

/** An insight that keeps coming back. */
@ObjectType({ description: 'An insight type about the same stage (by name), query (by description) or the application, in several of the latest runs.' })
export class RecurringInsight {
  @Field(() => String) type!: string;
  @Field(() => String, { description: "stage 'name', SQL 'description' or the application." }) target!: string;
  @Field(() => Int, { description: 'Runs (of the latest lastRuns) in which it fired.' }) runs!: number;
  @Field(() => Int, { description: 'How many latest runs were looked at.' }) lastRuns!: number;
  @Field(() => String, { description: "e.g. spill in stage 'join at Etl.scala:88' in 14 of the last 14 runs" }) text!: string;
  @Field(() => String) latestTitle!: string;
}

/** The runs of one application. */
@ObjectType({ description: 'Runs of one application (same name, or same value of the groupBy property), oldest first.' })
export class FleetRunSeries {
  @Field(() => String) key!: string;
  @Field(() => Int) runs!: number;
  @Field(() => [FleetRunPoint]) series!: FleetRunPoint[];
  @Field(() => [RecurringInsight], { description: 'Seen in 2 or more of the latest runs, most frequent first.' }) recurringInsights!: RecurringInsight[];
}

/** A fleet answer. */
@ObjectType({ description: 'Every stored application the filter keeps: totals, the most wasteful, run series and recurring insights.' })
export class Fleet {
  @Field(() => CostPrices) prices!: CostPrices;
  @Field(() => String) groupedBy!: string;
  @Field(() => FleetTotals) totals!: FleetTotals;
  @Field(() => [ApplicationCost], { description: 'Most wasted core-hours first.' }) topWaste!: ApplicationCost[];
  @Field(() => [FleetRunSeries], { description: 'Most runs first.' }) groups!: FleetRunSeries[];
}
