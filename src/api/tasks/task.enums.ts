import { registerEnumType } from 'type-graphql';
import type { TaskOrder } from '../../store/tasks-store.js';

/** How a task attempt ended (History Server TaskStatus). */
export enum TaskStatus {
  RUNNING = 'RUNNING',
  SUCCESS = 'SUCCESS',
  FAILED = 'FAILED',
  KILLED = 'KILLED',
}
registerEnumType(TaskStatus, {
  name: 'TaskStatus',
  description: 'How a task attempt ended (History Server TaskStatus).',
  valuesConfig: {
    RUNNING: { description: 'Started and not ended when the log ends.' },
    SUCCESS: { description: 'Ended with Success.' },
    FAILED: { description: 'Ended with a failure (exception, lost executor, fetch failure...).' },
    KILLED: { description: 'Killed, e.g. because another (speculative) attempt succeeded.' },
  },
});

/** Orders of a stage's task list (History Server TaskSorting, with its short names). */
export enum TaskSort {
  ID = 'ID',
  INCREASING_RUNTIME = 'INCREASING_RUNTIME',
  DECREASING_RUNTIME = 'DECREASING_RUNTIME',
  RUNTIME = 'RUNTIME',
  MINUS_RUNTIME = 'MINUS_RUNTIME',
}
registerEnumType(TaskSort, {
  name: 'TaskSort',
  description:
    'Orders of a stage\'s task list, as History Server\'s taskList?sortBy=. Run time is the executor run time; ' +
    'tasks without metrics (still running) count as -1. Ties go by task id, in the same direction.',
  valuesConfig: {
    ID: { description: 'By task id.' },
    INCREASING_RUNTIME: { description: 'Shortest run time first.' },
    DECREASING_RUNTIME: { description: 'Longest run time first.' },
    RUNTIME: { description: 'History Server\'s short name "runtime": the same as INCREASING_RUNTIME.' },
    MINUS_RUNTIME: { description: 'History Server\'s short name "-runtime": the same as DECREASING_RUNTIME.' },
  },
});

/** The store order a sort (or its short name) stands for. */
export function toTaskOrder(sort: TaskSort): TaskOrder {
  switch (sort) {
    case TaskSort.ID:
      return 'ID';
    case TaskSort.INCREASING_RUNTIME:
    case TaskSort.RUNTIME:
      return 'INCREASING_RUNTIME';
    case TaskSort.DECREASING_RUNTIME:
    case TaskSort.MINUS_RUNTIME:
      return 'DECREASING_RUNTIME';
  }
}
