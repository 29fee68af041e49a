import { DateTimeResolver, JSONObjectResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';

/** Where a learner stands on a scenario. */
export enum ScenarioStatus {
  NOT_STARTED = 'NOT_STARTED',
  ATTEMPTED = 'ATTEMPTED',
  COMPLETED = 'COMPLETED',
}
registerEnumType(ScenarioStatus, {
  name: 'ScenarioStatus',
  description: 'NOT_STARTED: never run; ATTEMPTED: run, success condition not met yet; COMPLETED: met at least once.',
});

/** A learner's progress on one scenario. */
@ObjectType({
  description:
    "The asking learner's progress on one scenario (anonymous: kept under their cookie; signed in: under their " +
    'account, with anonymous progress merged in at sign-in).',
})
export class ScenarioProgress {
  @Field(() => ID)
  scenarioId!: string;

  @Field(() => ScenarioStatus)
  status!: ScenarioStatus;

  @Field(() => Int, { description: 'Runs of the scenario (runScenario calls), passed or not.' })
  attempts!: number;

  @Field(() => DateTimeResolver, { nullable: true })
  firstAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  lastAttemptAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When the success condition was first met.' })
  firstCompletedAt!: Date | null;

  @Field(() => Float, { nullable: true, description: 'Share (0-1) of the success conditions met by the best run.' })
  bestScore!: number | null;

  @Field(() => JSONObjectResolver, {
    nullable: true,
    description: 'Summary of the best run (passed first, then the higher score): choices, each condition expected vs actual.',
  })
  bestResult!: Record<string, unknown> | null;
}
