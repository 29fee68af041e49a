import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Insight as InsightModel } from '../../analysis/insight.js';
import { notStarted } from '../../learning/progress/index.js';
import { scenarioAssetDir } from '../../learning/scenarios/assets.js';
import { scenarioCatalog } from '../../learning/scenarios/catalog.js';
import { runScenario } from '../../learning/scenarios/run-scenario.js';
import { nextScenario, revealedHints } from '../../learning/scenarios/teaching.js';
import type { ApiContext } from '../context.js';
import { InsightConfidence, InsightSeverity } from '../insights/insight-levels.js';
import { Insight } from '../insights/insight.type.js';
import { toShapeSimulation } from '../shape/shape.type.js';
import { readerProgress } from './learner-progress.js';
import { ScenarioProgress, ScenarioStatus } from './progress.type.js';
import { toScenario, toScenarioProgress } from './scenario.mapper.js';
import { RunScenarioArgs, ScenariosArgs } from './scenario.inputs.js';
import { ScenarioRun } from './scenario-run.type.js';
import { Scenario, ScenarioLog } from './scenario.type.js';

function toInsight(insight: InsightModel, appId: string): Insight {
  return {
    ...insight,
    confidence: InsightConfidence[insight.confidence],
    severity: InsightSeverity[insight.severity],
    appId,
    impactMs: BigInt(Math.round(insight.impactMs)),
  };
}

/** The scenario catalogue, with the asking learner's status on each. */
@Resolver(() => Scenario)
export class ScenarioResolver {
  @Query(() => [Scenario], { description: 'The learning scenarios, easiest first; `level` keeps one level.' })
  scenarios(@Args() { level }: ScenariosArgs): Scenario[] {
    return scenarioCatalog().list(level ?? null).map(toScenario);
  }

  @Query(() => Scenario, { nullable: true, description: 'One scenario by id; null when there is none.' })
  scenario(@Arg('id', () => ID) id: string): Scenario | null {
    const found = scenarioCatalog().find(id);
    return found ? toScenario(found) : null;
  }

  @Query(() => Scenario, {
    nullable: true,
    description:
      'The scenario the asking learner should take next: the easiest level they have not completed, a started one first; ' +
      'null once they completed every scenario.',
  })
  async nextScenario(@Ctx() context: ApiContext): Promise<Scenario | null> {
    const next = nextScenario(scenarioCatalog(), await readerProgress(context));
    return next ? toScenario(next) : null;
  }

  @FieldResolver(() => [String], {
    description: "The hints the asking learner has earned: one per failed run, in order; all of them once completed; none before a first run.",
  })
  async hints(@Root() scenario: Scenario, @Ctx() context: ApiContext): Promise<string[]> {
    const model = scenarioCatalog().find(scenario.id);
    return model ? revealedHints(model, (await readerProgress(context)).get(scenario.id)) : [];
  }

  @FieldResolver(() => ScenarioStatus, { description: "The asking learner's status (NOT_STARTED for a learner without progress)." })
  async myStatus(@Root() scenario: Scenario, @Ctx() context: ApiContext): Promise<ScenarioStatus> {
    return ScenarioStatus[((await readerProgress(context)).get(scenario.id) ?? notStarted(scenario.id)).status];
  }

  @FieldResolver(() => ScenarioProgress, { description: "The asking learner's attempts, first completion and best result." })
  async myProgress(@Root() scenario: Scenario, @Ctx() context: ApiContext): Promise<ScenarioProgress> {
    return toScenarioProgress((await readerProgress(context)).get(scenario.id) ?? notStarted(scenario.id));
  }
}

/** A log-reading scenario's event log. */
@Resolver(() => ScenarioLog)
export class ScenarioLogResolver {
  @FieldResolver(() => String, {
    description: 'The log itself (Spark event-log JSON lines, a few tens of KB): save it and upload it with uploadEventLog to explore it.',
  })
  async eventLog(@Root() log: ScenarioLog): Promise<string> {
    return readFile(join(scenarioAssetDir('logs'), log.fileName), 'utf8');
  }
}

/** Running a scenario with the learner's choices. */
@Resolver()
export class ScenarioRunResolver {
  @Mutation(() => ScenarioRun, {
    description:
      "Runs a scenario with the learner's choices: simulates the resulting shape (and reads the scenario's log), " +
      'checks the success condition with the evidence, and records the attempt in the learner\'s progress. An ' +
      'unknown knob or a value it does not allow is BAD_USER_INPUT naming the knob and what it allows.',
  })
  async runScenario(@Args() { id, input }: RunScenarioArgs, @Ctx() context: ApiContext): Promise<ScenarioRun> {
    const learnerId = await context.learner.learnerId();
    const run = await runScenario({ catalog: scenarioCatalog(), progress: context.progress }, learnerId, id, input.choices);
    const appId = run.log?.appId ?? 'playground';
    return {
      scenario: toScenario(run.scenario),
      passed: run.passed,
      score: run.score,
      conditions: run.conditions,
      choices: run.choices,
      shape: run.shape as unknown as Record<string, unknown>,
      simulation: toShapeSimulation(run.simulation, run.shape),
      insights: run.insights.map((insight) => toInsight(insight, appId)),
      explanation: run.explanation,
      progress: toScenarioProgress(run.progress),
    };
  }
}
