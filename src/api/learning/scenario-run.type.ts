import { JSONObjectResolver, JSONResolver } from 'graphql-scalars';
import { Field, Float, Int, ObjectType } from 'type-graphql';
import type { MetricValue, ScenarioScalar } from '../../learning/scenarios/metrics.js';
import { Insight } from '../insights/insight.type.js';
import { ShapeSimulation } from '../shape/shape.type.js';
import { ScenarioProgress } from './progress.type.js';
import { DocLink, Scenario } from './scenario.type.js';

/** One success condition checked on a run. */
@ObjectType({ description: 'One success condition checked on this run: expected vs actual, and why.' })
export class ConditionResult {
  @Field(() => String)
  metric!: string;

  @Field(() => Int, { nullable: true, description: 'The operation (index in the "before" shape) the metric looks at.' })
  operation!: number | null;

  @Field(() => String, { nullable: true })
  insightType!: string | null;

  @Field(() => String)
  operator!: string;

  @Field(() => JSONResolver, { description: 'The value the condition expects (for a diagnosis: the learner\'s answer).' })
  expected!: ScenarioScalar;

  @Field(() => JSONResolver, { nullable: true, description: 'What the simulation (or the log) gave; null when it could not be measured.' })
  actual!: MetricValue | null;

  @Field(() => Boolean)
  met!: boolean;

  @Field(() => String, { description: 'The verdict, the comparison, how the value was derived and why it matters.' })
  explanation!: string;
}

/** A knob's value on a run. */
@ObjectType({ description: 'The value a knob had on this run.' })
export class AppliedChoice {
  @Field(() => String)
  knob!: string;

  @Field(() => JSONResolver)
  value!: ScenarioScalar;

  @Field(() => Boolean, { description: 'Whether it differs from the scenario\'s "before".' })
  changed!: boolean;
}

/** An insight the "before" raised that a passing plan no longer does. */
@ObjectType({ description: 'An insight the scenario\'s "before" raised that the passing plan no longer raises, with the doc that explains it.' })
export class ClearedInsight {
  @Field(() => String)
  type!: string;

  @Field(() => String)
  title!: string;

  @Field(() => String)
  sparkDocsRef!: string;
}

/** What a passing run did. */
@ObjectType({ description: 'The explanation shown after a pass: what changed, what it cleared, what it accepts, what to read.' })
export class ScenarioExplanation {
  @Field(() => String)
  summary!: string;

  @Field(() => [ClearedInsight])
  cleared!: ClearedInsight[];

  @Field(() => [String], { description: 'Trade-offs the scenario accepts in this plan, with their reasons.' })
  acceptedTradeoffs!: string[];

  @Field(() => [DocLink], { description: "The docs of the cleared insights, then the scenario's own." })
  docs!: DocLink[];
}

/** What running a scenario came to. */
@ObjectType({
  description:
    'A run of a scenario with the learner\'s choices: the simulated plan, the insights that fire, whether the ' +
    'success condition holds and why, and the learner\'s progress including this run (it is recorded).',
})
export class ScenarioRun {
  @Field(() => Scenario)
  scenario!: Scenario;

  @Field(() => Boolean, { description: 'Whether every success condition holds.' })
  passed!: boolean;

  @Field(() => Float, { description: 'Share (0-1) of the success conditions met.' })
  score!: number;

  @Field(() => [ConditionResult], { description: 'Every condition with expected vs actual: the evidence for passed.' })
  conditions!: ConditionResult[];

  @Field(() => [AppliedChoice], { description: 'Every knob\'s value on this run, chosen or left at "before".' })
  choices!: AppliedChoice[];

  @Field(() => JSONObjectResolver, { description: 'The playground input the choices made (what was simulated).' })
  shape!: Record<string, unknown>;

  @Field(() => ShapeSimulation, { description: 'The simulated plan of that shape.' })
  simulation!: ShapeSimulation;

  @Field(() => [Insight], {
    description:
      'The insights that fire: for a log-reading scenario, what the detectors found in its log (appId is the log\'s ' +
      'application); otherwise the ones the simulated plan would raise (appId "playground").',
  })
  insights!: Insight[];

  @Field(() => ScenarioExplanation, { nullable: true, description: 'Once a run passes: what changed in the plan, the insights it cleared and the docs to read; null for a run that did not pass.' })
  explanation!: ScenarioExplanation | null;

  @Field(() => ScenarioProgress, { description: 'The learner\'s progress on the scenario, this run included.' })
  progress!: ScenarioProgress;
}
