import { Args, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { decodeCursor, toPage } from '../common/connection.js';
import type { ApiContext } from '../context.js';
import { Stage } from '../stages/stage.type.js';
import { toTaskOrder } from './task.enums.js';
import { toTask } from './task.mapper.js';
import { TaskMetricDistributions } from './task-summary.type.js';
import { TaskConnection } from './tasks-connection.type.js';
import { TaskSummaryArgs, TasksArgs } from './tasks.args.js';
import { taskPageLoader, taskSummaryLoader } from './tasks.loader.js';

/** The tasks of a stage attempt and their summary. */
@Resolver(() => Stage)
export class StageTasksResolver {
  @FieldResolver(() => TaskConnection, {
    description:
      'The attempt\'s tasks, a page at a time (History Server taskList: sortBy, status, and offset/length as ' +
      'first/after).',
    // A page costs what one task costs, times the page size (capped at the largest valid page, so an
    // out-of-range size is reported by validation, not as cost).
    complexity: ({ args, childComplexity }) => 1 + Math.min(Number(args.first ?? 100), 1000) * childComplexity,
  })
  async tasks(@Root() stage: Stage, @Args(() => TasksArgs) args: TasksArgs, @Ctx() context: ApiContext): Promise<TaskConnection> {
    const offset = args.after ? decodeCursor(args.after) : 0;
    const page = await taskPageLoader(context).load({
      appKey: stage.appKey,
      stageId: stage.stageId,
      attemptId: stage.attemptId,
      status: args.status ?? undefined,
      order: toTaskOrder(args.sortBy),
      offset,
      limit: args.first + 1,
    });
    // Unfiltered, every task of the attempt counts: the stage's counts of active, complete, failed and killed tasks
    // cover each one once (precomputed from the same rows).
    const totalCount =
      page.totalCount ?? stage.numActiveTasks + stage.numCompleteTasks + stage.numFailedTasks + stage.numKilledTasks;
    return { ...toPage(page.tasks.map(toTask), offset, args.first), totalCount };
  }

  @FieldResolver(() => TaskMetricDistributions, {
    nullable: true,
    description:
      'Quantiles of the task metrics over the attempt\'s successful tasks (History Server taskSummary); null when ' +
      'no task succeeded with metrics.',
  })
  async taskSummary(
    @Root() stage: Stage,
    @Args(() => TaskSummaryArgs) args: TaskSummaryArgs,
    @Ctx() context: ApiContext,
  ): Promise<TaskMetricDistributions | null> {
    // The store answers in History Server's TaskMetricDistributions shape, which the GraphQL type mirrors; a metric
    // no task knows comes as unknown quantiles, which only a duration can be (task metrics are never stored unknown).
    const summary = await taskSummaryLoader(context).load({
      appKey: stage.appKey,
      stageId: stage.stageId,
      attemptId: stage.attemptId,
      quantiles: args.quantiles,
    });
    return summary && { ...summary, duration: summary.duration.some((value) => value === null) ? null : summary.duration };
  }
}
