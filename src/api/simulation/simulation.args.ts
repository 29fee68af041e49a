import { ArrayMaxSize, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';

/** What-if configurations of Application.simulation. */
@ArgsType()
export class SimulationArgs {
  @Field(() => [Int], {
    nullable: true,
    description:
      'Executor counts to estimate (1-10000 each, at most 50). Default: powers of two up to twice the actual count, plus the actual count.',
  })
  @IsOptional()
  @ArrayMaxSize(50, { message: 'executorCounts takes at most 50 counts' })
  @IsInt({ each: true })
  @Min(1, { each: true, message: 'executorCounts must be between 1 and 10000' })
  @Max(10000, { each: true, message: 'executorCounts must be between 1 and 10000' })
  executorCounts?: number[];

  @Field(() => Int, {
    nullable: true,
    description: "Cores (task slots) per executor, 1-256. Default: the most common size among the application's executors.",
  })
  @IsOptional()
  @IsInt()
  @Min(1, { message: 'coresPerExecutor must be between 1 and 256' })
  @Max(256, { message: 'coresPerExecutor must be between 1 and 256' })
  coresPerExecutor?: number;
}
