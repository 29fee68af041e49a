import { Field, Int, ObjectType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';
import { StageStatus } from './stage-status.enum.js';

/** A stage in an application's DAG. */
@ObjectType({ description: 'A stage in the application\'s DAG: the latest attempt of one stage id.' })
export class StageGraphNode {
  @Field(() => Int)
  stageId!: number;

  @Field(() => Int, { description: 'The latest attempt, whose numbers the node shows.' })
  attemptId!: number;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => StageStatus, { description: 'SKIPPED marks a stage whose output already existed, so it never ran.' })
  status!: StageStatus;

  @Field(() => Int)
  numTasks!: number;

  @Field(() => LongScalar, { nullable: true, description: 'Milliseconds from submission to completion; null when it never ran.' })
  durationMs!: bigint | null;
}

/** A dependency between two stages. */
@ObjectType({ description: 'A shuffle dependency: stage `to` reads what stage `from` wrote.' })
export class StageGraphEdge {
  @Field(() => Int, { description: 'The parent stage id.' })
  from!: number;

  @Field(() => Int, { description: 'The child stage id.' })
  to!: number;
}

/** The stage DAG of an application. */
@ObjectType({
  description:
    'The application\'s stages and their shuffle dependencies (from each stage\'s parent ids). Nodes by stage id; ' +
    'edges only between stages the log describes. Logs before Spark 1.3 record no parents, so no edges.',
})
export class StageGraph {
  @Field(() => [StageGraphNode])
  nodes!: StageGraphNode[];

  @Field(() => [StageGraphEdge], { description: 'By child, then parent.' })
  edges!: StageGraphEdge[];
}
