import { IsOptional, MaxLength, ArrayMaxSize, ValidateNested } from 'class-validator';
import { JSONResolver } from 'graphql-scalars';
import { ArgsType, Field, ID, InputType } from 'type-graphql';
import { ScenarioLevel } from './scenario.type.js';

/** Arguments of Query.scenarios. */
@ArgsType()
export class ScenariosArgs {
  @Field(() => ScenarioLevel, { nullable: true, description: 'Only scenarios of this level; all when omitted.' })
  @IsOptional()
  level?: ScenarioLevel | null;
}

/** One knob set to a value. */
@InputType({ description: 'One knob of the scenario set to a value (see Scenario.knobs for what each allows).' })
export class KnobChoiceInput {
  @Field(() => String, { description: 'The knob id.' })
  @MaxLength(100)
  knob!: string;

  @Field(() => JSONResolver, { description: 'A value the knob allows: one of its allowedValues, or a number in [min, max].' })
  value!: unknown;
}

/** What the learner chose for one run. */
@InputType({ description: 'The learner\'s choices; knobs not named keep their "before" value.' })
export class ScenarioRunInput {
  @Field(() => [KnobChoiceInput])
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  choices!: KnobChoiceInput[];
}

/** Arguments of Mutation.runScenario. */
@ArgsType()
export class RunScenarioArgs {
  @Field(() => ID)
  @MaxLength(200)
  id!: string;

  @Field(() => ScenarioRunInput)
  @ValidateNested()
  input!: ScenarioRunInput;
}
