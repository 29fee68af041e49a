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
  @Field(() => Int, {
    description:
      "Spark's node id (SparkPlanGraph): depth-first from the root, InputAdapter and query stages transparent, " +
      'reused exchanges drawn once; the ids Spark UI and History Server /sql show.',
  })
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true, description: "The operator's one-line description from the plan." })
  description!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: 'The WholeStageCodegen node this operator was fused into (a node of this plan); null when none.',
  })
  clusterId!: number | null;

  @Field(() => [SqlPlanMetric])
  metrics!: SqlPlanMetric[];
}

/** Data flows from `from` (a child operator) to `to` (its parent). */
@ObjectType({
  description:
    'Data flows from `from` (a child operator) into `to` (its parent). A reused exchange has an edge to each ' +
    'consumer; a WholeStageCodegen node has no edges (its operators have them).',
})
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
