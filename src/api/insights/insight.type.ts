import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import type { EvidenceValue } from '../../analysis/insight.js';
import { LongScalar } from '../common/long.scalar.js';
import { Finding } from './finding.type.js';

/** One optimization opportunity, with the measured evidence behind it. */
@ObjectType({
  implements: Finding,
  description:
    'An optimization opportunity found in the log. It carries the measurements that triggered it, how sure it is, ' +
    'what to try and what that costs, and a Spark docs link. It describes options; it never promises a speed-up.',
})
export class Insight extends Finding {
  @Field(() => ID, { description: 'Stable within the application, e.g. "data-skew:stage-3.0".' })
  declare id: string;

  @Field(() => String, { description: 'Detector that found it (see Query.insightTypes).' })
  declare type: string;

  @Field(() => JSONObjectResolver, {
    description: 'The metrics that triggered it, the thresholds they were compared against and the floors applied.',
  })
  declare evidence: { [key: string]: EvidenceValue };

  @Field(() => ID, { description: 'The application attempt (Application.id).' })
  appId!: string;

  @Field(() => Int, { nullable: true })
  jobId!: number | null;

  @Field(() => Int, { nullable: true })
  stageId!: number | null;

  @Field(() => Int, { nullable: true })
  stageAttemptId!: number | null;

  @Field(() => Int, { nullable: true })
  sqlExecutionId!: number | null;

  @Field(() => Float, {
    description: "Share (0-1) of the application's run time or total task time the problem accounts for; insights are ordered by it.",
  })
  declare impact: number;

  @Field(() => LongScalar, { description: 'The same in milliseconds.' })
  impactMs!: bigint;
}

/** A kind of insight Spark Sword looks for. */
@ObjectType({ description: 'A kind of insight Spark Sword looks for, with the Spark docs that explain it.' })
export class InsightType {
  @Field(() => String)
  type!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String)
  sparkDocsRef!: string;
}
