import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import type { EvidenceValue } from '../../analysis/insight.js';
import { LongScalar } from '../common/long.scalar.js';

/** How clear the signal behind an insight is. */
export enum InsightConfidence {
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
}
registerEnumType(InsightConfidence, {
  name: 'InsightConfidence',
  description: 'How clear the signal is: HIGH when many tasks or several metrics agree, LOW when the evidence is thin.',
});

/** How much an insight matters. */
export enum InsightSeverity {
  CRITICAL = 'CRITICAL',
  HIGH = 'HIGH',
  MEDIUM = 'MEDIUM',
  LOW = 'LOW',
  INFO = 'INFO',
}
registerEnumType(InsightSeverity, {
  name: 'InsightSeverity',
  description: 'From the impact: CRITICAL ≥ 30% of the application, HIGH ≥ 15%, MEDIUM ≥ 5%, LOW ≥ 1%, INFO below.',
});

/** One optimization opportunity, with the measured evidence behind it. */
@ObjectType({
  description:
    'An optimization opportunity found in the log. It carries the measurements that triggered it, how sure it is, ' +
    'what to try and what that costs, and a Spark docs link. It describes options; it never promises a speed-up.',
})
export class Insight {
  @Field(() => ID, { description: 'Stable within the application, e.g. "data-skew:stage-3.0".' })
  id!: string;

  @Field(() => String, { description: 'Detector that found it (see Query.insightTypes).' })
  type!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  description!: string;

  @Field(() => JSONObjectResolver, {
    description: 'The metrics that triggered it, the thresholds they were compared against and the floors applied.',
  })
  evidence!: { [key: string]: EvidenceValue };

  @Field(() => InsightConfidence)
  confidence!: InsightConfidence;

  @Field(() => InsightSeverity)
  severity!: InsightSeverity;

  @Field(() => String, { description: 'What to try.' })
  suggestion!: string;

  @Field(() => String, { description: 'What trying it costs.' })
  tradeoffs!: string;

  @Field(() => String, { description: 'Spark documentation that explains the mechanism.' })
  sparkDocsRef!: string;

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
  impact!: number;

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
