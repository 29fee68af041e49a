import type { ScenarioProgress } from '../../learning/progress/index.js';
import type { ApiContext } from '../context.js';

/**
 * The asking learner's recorded progress by scenario id, read once per request. Reading never issues the
 * anonymous cookie: a learner without one (or without attempts) simply has none.
 */
export function readerProgress(context: ApiContext): Promise<Map<string, ScenarioProgress>> {
  return context.loaders.get('learning:progress', async () => {
    const user = await context.learner.currentUser();
    const learnerId = user?.learnerId ?? context.learner.anonymousLearnerId();
    const recorded = learnerId ? await context.progress.progressOf(learnerId) : [];
    return new Map(recorded.map((progress) => [progress.scenarioId, progress]));
  });
}
