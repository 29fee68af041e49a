import { ArgsType, Field, Int } from 'type-graphql';
import { IsOptional, Max, Min } from 'class-validator';
import { InsightConfidence } from './insight-levels.js';

/** Filters of Application.insights. */
@ArgsType()
export class InsightsArgs {
  @Field(() => InsightConfidence, { nullable: true, description: 'Leave out insights less sure than this.' })
  @IsOptional()
  minConfidence?: InsightConfidence;

  @Field(() => [String], { nullable: true, description: 'Only these types (see Query.insightTypes).' })
  @IsOptional()
  types?: string[];

  @Field(() => Int, { defaultValue: 50, description: 'At most this many, most impactful first (1-500).' })
  @Min(1)
  @Max(500)
  first: number = 50;
}
