import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { ingestUpload } from '../../ingest/upload-service.js';
import { findApplication } from '../../store/applications-store.js';
import { toApplication } from '../applications/application.mapper.js';
import type { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { IngestResult } from './ingest-result.type.js';

/** Takes event logs in through multipart uploads. */
@Resolver()
export class UploadResolver {
  @Mutation(() => IngestResult, {
    description:
      'Uploads and ingests a Spark event log: plain JSON lines, .lz4/.lzf/.snappy/.zstd as Spark writes them, .gz, ' +
      'or a .zip of logs. Multipart request (GraphQL multipart request spec) with an "apollo-require-preflight: true" ' +
      'header. Re-uploading an application attempt replaces it.',
  })
  async uploadEventLog(
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Ctx() { db, config }: ApiContext,
  ): Promise<IngestResult> {
    const upload = await file;
    // A too-large or unreadable log (UploadTooLargeError, BadInputError) gets its code from formatError.
    const report = await ingestUpload(db, { filename: upload.filename, stream: upload.createReadStream() }, config.MAX_UPLOAD_BYTES);
    const applications: Application[] = [];
    for (const ingested of report.applications) {
      const record = await findApplication(db, ingested.appKey);
      if (record) applications.push(toApplication(record));
    }
    const warnings = [
      ...report.applications.flatMap((app) => app.warnings),
      ...report.failures.map((failure) => ({ line: null, message: `${failure.sourceName}: ${failure.error.message}` })),
      ...report.skipped.map((skip) => ({ line: null, message: `${skip.sourceName} was skipped: ${skip.reason}` })),
    ];
    const skipped = new Map<string, number>();
    for (const app of report.applications) {
      for (const [eventType, count] of Object.entries(app.skippedEventTypes)) {
        skipped.set(eventType, (skipped.get(eventType) ?? 0) + count);
      }
    }
    return {
      application: applications[0]!,
      applications,
      warnings,
      eventsRead: BigInt(report.applications.reduce((sum, app) => sum + app.eventsRead, 0)),
      eventsSkipped: BigInt(report.applications.reduce((sum, app) => sum + app.eventsSkipped, 0)),
      skippedEventTypes: [...skipped].map(([eventType, count]) => ({ eventType, count })),
    };
  }
}
