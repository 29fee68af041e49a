import { DateTimeResolver } from 'graphql-scalars';
import { Field, Int, ObjectType } from 'type-graphql';

/** One watched event log directory (LOG_DIRECTORY) and what its last scan found. */
@ObjectType({ description: 'A watched event log directory (LOG_DIRECTORY), as History Server watches spark.history.fs.logDirectory.' })
export class LogDirectory {
  @Field(() => String, { description: 'The directory, as an absolute path.' })
  path!: string;

  @Field(() => DateTimeResolver, { nullable: true, description: 'When its last scan finished; null before the first.' })
  lastScan!: Date | null;

  @Field(() => Int, { description: 'Application attempts stored from its logs.' })
  applications!: number;

  @Field(() => Int, { description: 'Logs of it that could not be ingested (see ingestFailures).' })
  failures!: number;
}

/** A log of a watched directory that could not be ingested. */
@ObjectType({ description: 'A log of a watched directory that could not be ingested; it is retried once the log changes.' })
export class IngestFailure {
  @Field(() => String, { description: 'The log file or directory.' })
  path!: string;

  @Field(() => String, { description: 'What is wrong with it.' })
  message!: string;

  @Field(() => DateTimeResolver)
  failedAt!: Date;
}
