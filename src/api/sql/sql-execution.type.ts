import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { LongScalar } from '../common/long.scalar.js';

/** Where a SQL execution stands. */
export enum SqlExecutionStatus {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  FAILED = 'FAILED',
}
registerEnumType(SqlExecutionStatus, {
  name: 'SqlExecutionStatus',
  description:
    'RUNNING: the log has no end for it (still running, or the driver died). FAILED: it ended with an error ' +
    'message. COMPLETED: it ended without one.',
});

/** One Spark SQL execution (a query or command). */
@ObjectType({
  description:
    'One Spark SQL execution: a query, a DataFrame action or a command, with the jobs it ran. The plan graph, ' +
    'its metrics and insights come later.',
})
export class SqlExecution {
  /** The application attempt it belongs to (for fields resolved below it); not a GraphQL field. */
  appKey!: string;

  @Field(() => Int, { description: 'Execution id, unique within the application.' })
  id!: number;

  @Field(() => String, { nullable: true, description: 'What ran, e.g. "count at <console>:23" or the SQL text.' })
  description!: string | null;

  @Field(() => String, { nullable: true, description: 'Call site (stack trace) that started it.' })
  details!: string | null;

  @Field(() => DateTimeResolver, { nullable: true })
  startTime!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while running.' })
  endTime!: Date | null;

  @Field(() => LongScalar, { nullable: true, description: 'Milliseconds from start to end; null while running.' })
  duration!: bigint | null;

  @Field(() => SqlExecutionStatus)
  status!: SqlExecutionStatus;

  @Field(() => String, { nullable: true, description: 'Why it failed (Spark 3.4+ logs); null otherwise.' })
  errorMessage!: string | null;

  @Field(() => [Int], { description: 'Jobs the execution ran, by id.' })
  jobIds!: number[];
}
