import { Arg, Ctx, ID, Query, Resolver } from 'type-graphql';
import { compareApplications } from '../../comparison/comparison-service.js';
import type { ApiContext } from '../context.js';
import { ApplicationComparison } from './comparison.type.js';

/** Compares two stored runs. */
@Resolver()
export class ComparisonResolver {
  @Query(() => ApplicationComparison, {
    description:
      'Compare two runs: stages, jobs and SQL executions aligned by structure (not ids), per pair the change of duration, ' +
      'task time, tasks, bytes, spill, GC and failures; differing properties; insights that appeared or disappeared; and ' +
      'a ranked explanation of the wall-clock change with evidence (never a promise).',
  })
  async compareApplications(
    @Arg('base', () => ID, { description: 'The reference run (an application id or attempt key).' }) base: string,
    @Arg('candidate', () => ID, { description: 'The run to explain.' }) candidate: string,
    @Ctx() { db, config }: ApiContext,
  ): Promise<ApplicationComparison> {
    return compareApplications(db, base, candidate, config);
  }
}
