import { IsOptional, Max, MaxLength, Min } from 'class-validator';
import { DateTimeResolver } from 'graphql-scalars';
import { ArgsType, Field, Float, InputType, Int } from 'type-graphql';
import { MAX_PRICE } from '../../fleet/cost.js';

/** Which stored applications a fleet question covers. */
@InputType({ description: 'Every field optional; all given must hold.' })
export class FleetFilter {
  @Field(() => String, { nullable: true, description: 'Part of the application name, any case.' })
  @IsOptional()
  @MaxLength(500)
  name?: string;

  @Field(() => String, { nullable: true, description: 'The Spark user exactly.' })
  @IsOptional()
  @MaxLength(500)
  user?: string;

  @Field(() => String, { nullable: true, description: 'A Spark version or its prefix: "3.5" keeps 3.5.0 and 3.5.1.' })
  @IsOptional()
  @MaxLength(50)
  sparkVersion?: string;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Started at or after.' })
  @IsOptional()
  from?: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Started before.' })
  @IsOptional()
  to?: Date;
}

/** Prices a request may give (they win over the server's). */
@ArgsType()
export class PriceArgs {
  @Field(() => Float, { nullable: true, description: 'Price per core-hour (default COST_PER_CORE_HOUR).' })
  @IsOptional()
  @Min(0)
  @Max(MAX_PRICE)
  pricePerCoreHour?: number;

  @Field(() => Float, { nullable: true, description: 'Price per GiB-hour of memory (default COST_PER_GB_HOUR).' })
  @IsOptional()
  @Min(0)
  @Max(MAX_PRICE)
  pricePerGbHour?: number;
}

/** Arguments of Query.fleet. */
@ArgsType()
export class FleetArgs extends PriceArgs {
  @Field(() => FleetFilter, { nullable: true })
  @IsOptional()
  filter?: FleetFilter;

  @Field(() => String, { nullable: true, description: 'Group runs by "name" or by the value of this Spark property (e.g. spark.yarn.tags); default FLEET_GROUP_BY.' })
  @IsOptional()
  @MaxLength(300)
  groupBy?: string;

  @Field(() => Int, { defaultValue: 10, description: 'How many of the most wasteful applications (1-1000).' })
  @Min(1)
  @Max(1000)
  top: number = 10;

  @Field(() => Int, { defaultValue: 20, description: 'How many of each application\'s latest runs recurring insights look at (2-1000).' })
  @Min(2)
  @Max(1000)
  lastRuns: number = 20;
}
