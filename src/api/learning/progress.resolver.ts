import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { notStarted } from '../../learning/progress/index.js';
import { scenarioCatalog } from '../../learning/scenarios/catalog.js';
import type { ApiContext } from '../context.js';
import { readerProgress } from './learner-progress.js';
import { ScenarioProgress } from './progress.type.js';
import { toScenario, toScenarioProgress } from './scenario.mapper.js';
import { Scenario } from './scenario.type.js';

/** The asking learner's progress over the whole catalogue. */
@Resolver(() => ScenarioProgress)
export class ProgressResolver {
  @Query(() => [ScenarioProgress], {
    description:
      "The asking learner's progress on every scenario of the catalogue, in catalogue order, not-started ones included " +
      '(anonymous learners by their cookie, signed-in ones by their account).',
  })
  async myProgress(@Ctx() context: ApiContext): Promise<ScenarioProgress[]> {
    const recorded = await readerProgress(context);
    return scenarioCatalog().list().map((scenario) => toScenarioProgress(recorded.get(scenario.id) ?? notStarted(scenario.id)));
  }

  @FieldResolver(() => Scenario, { nullable: true, description: 'The scenario; null if it left the catalogue.' })
  scenario(@Root() progress: ScenarioProgress): Scenario | null {
    const found = scenarioCatalog().find(progress.scenarioId);
    return found ? toScenario(found) : null;
  }
}
