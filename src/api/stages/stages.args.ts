import { ArgsType, Field, Int } from 'type-graphql';
import { IsOptional, Min } from 'class-validator';
import { StageStatus } from './stage-status.enum.js';

/** Arguments of Application.stages. */
@ArgsType()
export class StagesArgs {
  @Field(() => [StageStatus], {
    nullable: true,
    description: 'Only stage attempts in one of these statuses; omitted, null or empty: all (History Server ?status=).',
  })
  @IsOptional()
  status?: StageStatus[] | null;
}

/** Arguments of Application.stage. */
@ArgsType()
export class StageArgs {
  @Field(() => Int)
  @Min(0)
  stageId!: number;

  @Field(() => Int, { nullable: true, description: 'The attempt; omitted or null: the latest attempt.' })
  @IsOptional()
  @Min(0)
  attemptId?: number | null;
}
