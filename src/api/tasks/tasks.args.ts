import { ArgsType, Field, Float, Int } from 'type-graphql';
import { ArrayMaxSize, ArrayNotEmpty, IsOptional, Max, Min } from 'class-validator';
import { TaskSort, TaskStatus } from './task.enums.js';

/** Largest page of tasks one request may ask for. */
export const MAX_TASK_PAGE = 1000;

/** Arguments of Stage.tasks. */
@ArgsType()
export class TasksArgs {
  @Field(() => TaskStatus, { nullable: true, description: 'Only tasks that ended this way; omitted: every task.' })
  @IsOptional()
  status?: TaskStatus | null;

  @Field(() => TaskSort, { defaultValue: TaskSort.ID })
  sortBy: TaskSort = TaskSort.ID;

  @Field(() => Int, { defaultValue: 100, description: `Page size, 1 to ${MAX_TASK_PAGE}.` })
  @Min(1)
  @Max(MAX_TASK_PAGE)
  first: number = 100;

  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last task of the previous page (History Server\'s offset, as a cursor).',
  })
  @IsOptional()
  after?: string | null;
}

/** History Server's default taskSummary quantiles. */
export const DEFAULT_QUANTILES = [0.05, 0.25, 0.5, 0.75, 0.95];

/** Arguments of Stage.taskSummary. */
@ArgsType()
export class TaskSummaryArgs {
  @Field(() => [Float], {
    defaultValue: DEFAULT_QUANTILES,
    description: 'Quantiles between 0 and 1, in any order (answered ascending); 1 to 100 of them.',
  })
  @ArrayNotEmpty()
  @ArrayMaxSize(100)
  @Min(0, { each: true })
  @Max(1, { each: true })
  quantiles: number[] = DEFAULT_QUANTILES;
}
