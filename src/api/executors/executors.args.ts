import { ArgsType, Field } from 'type-graphql';
import { IsBoolean } from 'class-validator';

/** Arguments of Application.executors. */
@ArgsType()
export class ExecutorsArgs {
  @Field(() => Boolean, {
    defaultValue: false,
    description: 'Only executors still registered when the log ends (History Server /executors; false is /allexecutors).',
  })
  @IsBoolean()
  activeOnly: boolean = false;
}
