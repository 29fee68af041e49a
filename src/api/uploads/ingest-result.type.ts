import { Field, Int, ObjectType } from 'type-graphql';
import { Application } from '../applications/application.type.js';

/** Something the ingest noticed and worked around. */
@ObjectType({ description: 'Something the ingest noticed and worked around (a skipped line, a missing event...).' })
export class IngestWarning {
  @Field(() => Int, { nullable: true, description: 'Line of the log to blame, when there is one.' })
  line!: number | null;

  @Field(() => String)
  message!: string;
}

/** How many events of one type were skipped. */
@ObjectType()
export class SkippedEventType {
  @Field(() => String)
  eventType!: string;

  @Field(() => Int)
  count!: number;
}

/** What an upload stored. */
@ObjectType({ description: 'What an uploaded event log was stored as.' })
export class IngestResult {
  @Field(() => Application, { description: 'The application stored (the first one when the upload held several).' })
  application!: Application;

  @Field(() => [Application], { description: 'Every application stored (a zip may hold several logs).' })
  applications!: Application[];

  @Field(() => [IngestWarning])
  warnings!: IngestWarning[];

  @Field(() => Int)
  eventsRead!: number;

  @Field(() => Int)
  eventsSkipped!: number;

  @Field(() => [SkippedEventType], { description: 'Event types Spark Sword does not store, with counts.' })
  skippedEventTypes!: SkippedEventType[];
}
