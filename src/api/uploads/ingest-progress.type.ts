import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';
import { LongScalar } from '../common/long.scalar.js';

/** Steps of an upload as a client sees them. */
export enum IngestProgressPhase {
  RECEIVING = 'receiving',
  DECODING = 'decoding',
  READING = 'reading',
  STORING = 'storing',
  ANALYZING = 'analyzing',
  DONE = 'done',
  FAILED = 'failed',
}

registerEnumType(IngestProgressPhase, {
  name: 'IngestProgressPhase',
  description: 'RECEIVING the file, then per log DECODING (lz4/lzf/snappy), READING, STORING, ANALYZING (detectors), then DONE or FAILED.',
});

/** Where an upload started with a progressId is. */
@ObjectType({ description: 'Where an upload started with uploadEventLog(progressId:) is; poll it while the mutation runs.' })
export class IngestProgress {
  @Field(() => String)
  id!: string;

  @Field(() => IngestProgressPhase)
  phase!: IngestProgressPhase;

  @Field(() => LongScalar, { description: 'Bytes of the file received so far (compare with the file size the client knows).' })
  bytesReceived!: bigint;

  @Field(() => String, { nullable: true, description: 'The log being ingested (a zip holds several).' })
  sourceName!: string | null;

  @Field(() => Int, { nullable: true, description: 'Events stored from the current log, once known.' })
  events!: number | null;

  @Field(() => LongScalar, { description: 'Milliseconds since the upload started.' })
  elapsedMs!: bigint;

  @Field(() => String, { nullable: true, description: 'What was wrong, when the upload FAILED.' })
  error!: string | null;
}
