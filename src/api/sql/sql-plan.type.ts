import { Field, Int, ObjectType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';

/** A SQL metric of a plan operator. */
@ObjectType({ description: 'A SQL metric of a plan operator (rows output, spill size, shuffle bytes...).' })
export class SqlPlanMetric {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: 'Spark metric type: sum, size (bytes), timing (ms), nsTiming (ns), average.' })
  metricType!: string;

  @Field(() => LongScalar, { nullable: true, description: 'Final value over the whole execution; null when never reported.' })
  value!: bigint | null;
}

/** An operator of a physical plan. */
@ObjectType({ description: 'An operator of the physical plan (Exchange, SortMergeJoin, HashAggregate, Scan...).' })
export class SqlPlanNode {
  @Field(() => Int, { description: 'Position in the plan tree, root first (depth-first).' })
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: "The operator's one-line description from the plan." })
  description!: string | null;

  @Field(() => [SqlPlanMetric])
  metrics!: SqlPlanMetric[];
}

/** Data flows from `from` (a child operator) to `to` (its parent). */
@ObjectType({ description: 'Data flows from `from` (a child operator) into `to` (its parent).' })
export class SqlPlanEdge {
  @Field(() => Int)
  from!: number;

  @Field(() => Int)
  to!: number;
}

/** The physical plan of a SQL execution as a graph. */
@ObjectType({
  description:
    'The physical plan Spark ran, as a graph: the final adaptive plan when AQE re-planned (earlier versions are counted ' +
    'in `versions`), with each operator\'s SQL metric values.',
})
export class SqlPlan {
  @Field(() => [SqlPlanNode])
  nodes!: SqlPlanNode[];

  @Field(() => [SqlPlanEdge])
  edges!: SqlPlanEdge[];

  @Field(() => Int, { description: 'Plans logged for the execution: 1, plus one per adaptive re-plan.' })
  versions!: number;
}
