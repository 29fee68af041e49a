import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../common/connection.js';
import { Task } from './task.type.js';

/** An edge of a stage's task connection. */
@ObjectType()
export class TaskEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Task)
  node!: Task;
}

/** A page of a stage attempt's tasks (Relay connection). */
@ObjectType({ description: 'A page of a stage attempt\'s tasks, in the order asked for.' })
export class TaskConnection {
  @Field(() => [TaskEdge])
  edges!: TaskEdge[];

  @Field(() => [Task], { description: 'The nodes of `edges`, for clients that do not need cursors.' })
  nodes!: Task[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Tasks matching the filter, over all pages.' })
  totalCount!: number;
}
