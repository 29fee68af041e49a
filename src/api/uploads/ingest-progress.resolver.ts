import { Arg, Query, Resolver } from 'type-graphql';
import { BadInputError } from '../../errors.js';
import { ingestJobs, PROGRESS_ID_PATTERN } from '../../ingest/ingest-jobs.js';
import { IngestProgress, IngestProgressPhase } from './ingest-progress.type.js';

/** Lets a client watch its upload: the id it passed to uploadEventLog(progressId:). */
@Resolver()
export class IngestProgressResolver {
  @Query(() => IngestProgress, {
    nullable: true,
    description:
      'Progress of an upload started with uploadEventLog(progressId:): bytes received, then each step of the ingest. ' +
      'Null for an id this server does not know (not started yet, or finished more than 10 minutes ago).',
  })
  ingestProgress(@Arg('id', () => String) id: string): IngestProgress | null {
    if (!PROGRESS_ID_PATTERN.test(id)) throw new BadInputError('A progress id is 16 to 64 letters, digits, "-" or "_" (a UUID fits)');
    const job = ingestJobs.get(id);
    if (!job) return null;
    return {
      id: job.id,
      phase: job.phase as IngestProgressPhase,
      bytesReceived: BigInt(job.bytesReceived),
      sourceName: job.sourceName,
      events: job.events,
      elapsedMs: BigInt(Math.max(0, job.elapsedMs)),
      error: job.error,
    };
  }
}
