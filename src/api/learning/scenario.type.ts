import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { ScenarioScalar } from '../../learning/scenarios/metrics.js';

/** How much a learner should already know. */
export enum ScenarioLevel {
  BEGINNER = 'BEGINNER',
  INTERMEDIATE = 'INTERMEDIATE',
  ADVANCED = 'ADVANCED',
}
registerEnumType(ScenarioLevel, { name: 'ScenarioLevel', description: 'How much Spark a learner should already know.' });

/** Something the learner may change in a scenario. */
@ObjectType({
  description:
    'Something the learner may change: a Spark setting, a field of an operation (a join hint, salting, the kind of ' +
    'aggregation), keeping or inserting an operation, or for log scenarios their diagnosis.',
})
export class ScenarioKnob {
  @Field(() => ID, { description: 'Name it in runScenario choices.' })
  id!: string;

  @Field(() => String)
  label!: string;

  @Field(() => String)
  explanation!: string;

  @Field(() => String, {
    description:
      'What it changes in the shape: config.<field>, operations[N].<field>, operations[N] (keep or drop), ' +
      '"insert before operations[N]", or answer (a diagnosis, no change to the shape).',
  })
  target!: string;

  @Field(() => [JSONResolver], { nullable: true, description: 'The values it takes, when it is a choice among values.' })
  allowedValues!: ScenarioScalar[] | null;

  @Field(() => Float, { nullable: true, description: 'Lowest value, when it is a number range.' })
  min!: number | null;

  @Field(() => Float, { nullable: true, description: 'Highest value, when it is a number range.' })
  max!: number | null;

  @Field(() => Boolean, { description: 'Whether a range takes whole numbers only.' })
  integer!: boolean;

  @Field(() => JSONResolver, { description: 'Its value in the scenario as told (the "before").' })
  before!: ScenarioScalar;

  @Field(() => JSONObjectResolver, { nullable: true, description: 'For an inserting knob: the operation it inserts.' })
  insertedOperation!: Record<string, unknown> | null;
}

/** One success condition, as the scenario states it. */
@ObjectType({ description: 'One part of the success condition: a metric of the simulated plan (or of the log) compared with a value.' })
export class ScenarioCondition {
  @Field(() => String, { description: 'The metric measured, e.g. maxToTypicalPartitionRatio, broadcastSide, filesWritten.' })
  metric!: string;

  @Field(() => Int, { nullable: true, description: 'The operation (index in the "before" shape) the metric looks at.' })
  operation!: number | null;

  @Field(() => String, { nullable: true, description: 'For insightFires: the insight type.' })
  insightType!: string | null;

  @Field(() => String, { description: 'One of <, <=, >, >=, ==, !=, contains, excludes (a list without the value).' })
  operator!: string;

  @Field(() => JSONResolver, { nullable: true, description: 'The value compared with; null when it is the learner\'s answer.' })
  value!: ScenarioScalar | null;

  @Field(() => String, { nullable: true, description: 'For a diagnosis: the knob whose chosen value is checked against the log.' })
  answerKnob!: string | null;

  @Field(() => String, { description: 'Why the condition matters.' })
  why!: string;
}

/** A link to Spark's documentation. */
@ObjectType({ description: 'A page of Spark\'s documentation to read.' })
export class DocLink {
  @Field(() => String)
  title!: string;

  @Field(() => String)
  url!: string;
}

/** A scenario's event log, for log-reading scenarios. */
@ObjectType({ description: 'The event log a log-reading scenario ships (generated, no Spark was run).' })
export class ScenarioLog {
  @Field(() => String)
  fileName!: string;
}

/** A trade-off a scenario accepts in a passing plan. */
@ObjectType({ description: 'Something a passing plan may still show, and the reason the scenario accepts it.' })
export class AcceptedTradeoff {
  @Field(() => String, { description: 'An insight type or id, or "more shuffle" / "more spill" than the before.' })
  what!: string;

  @Field(() => String)
  reason!: string;
}

/** A learning scenario. */
@ObjectType({
  description:
    'A learning scenario: a story of what a team saw, a DataFrame shape for the playground (the "before"), the ' +
    'knobs the learner may change, the success condition checked on the simulation, hints and the Spark docs to read.',
})
export class Scenario {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  title!: string;

  @Field(() => ScenarioLevel)
  level!: ScenarioLevel;

  @Field(() => String, { description: 'What the team saw.' })
  story!: string;

  @Field(() => [String], { description: 'What the learner should be able to do afterwards.' })
  goals!: string[];

  @Field(() => JSONObjectResolver, { description: 'The playground input before any change (a ShapeInput, as simulateShape takes it).' })
  shape!: Record<string, unknown>;

  @Field(() => [ScenarioKnob])
  knobs!: ScenarioKnob[];

  @Field(() => [ScenarioCondition], { description: 'Every condition must hold for the scenario to count as completed.' })
  successConditions!: ScenarioCondition[];

  /** Every hint of the scenario; served one at a time through the `hints` field resolver. */
  allHints!: string[];

  @Field(() => Int, { description: 'How many hints the scenario has (hints reveals them one per failed run).' })
  hintCount!: number;

  @Field(() => [AcceptedTradeoff], {
    description: 'What a passing plan may still show, and why the scenario accepts it (an insight, more shuffle or more spill than the before).',
  })
  acceptedTradeoffs!: AcceptedTradeoff[];

  @Field(() => [DocLink])
  docs!: DocLink[];

  @Field(() => ScenarioLog, { nullable: true, description: 'The event log to read, for log-reading scenarios.' })
  log!: ScenarioLog | null;
}
