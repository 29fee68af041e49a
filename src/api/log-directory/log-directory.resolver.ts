import { Ctx, Query, Resolver } from 'type-graphql';
import type { ApiContext } from '../context.js';
import { IngestFailure, LogDirectory } from './log-directory.type.js';

/** The LOG_DIRECTORY feed: what each watched directory holds and which of its logs failed. */
@Resolver()
export class LogDirectoryResolver {
  @Query(() => [LogDirectory], { description: 'Each watched event log directory (LOG_DIRECTORY); empty when none is watched.' })
  logDirectory(@Ctx() { logDirectory }: ApiContext): LogDirectory[] {
    return logDirectory?.status() ?? [];
  }

  @Query(() => [IngestFailure], {
    description: 'Logs of the watched directories whose last ingest failed, oldest first; each is retried when it changes.',
  })
  ingestFailures(@Ctx() { logDirectory }: ApiContext): IngestFailure[] {
    return logDirectory?.failures() ?? [];
  }
}
