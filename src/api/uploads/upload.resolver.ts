import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { authorizeUploadWrite } from '../../auth/application-access.js';
import { maxDecompressedBytes } from '../../config.js';
import { receiveUpload } from '../../ingest/upload-service.js';
import { findApplication } from '../../store/applications-store.js';
import { toApplication } from '../applications/application.mapper.js';
import { ClientError } from '../common/errors.js';
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
      'header. An application attempt already stored is replaced only with replace: true, and only by its uploader or ' +
      'an admin. Limits: MAX_UPLOAD_BYTES uploaded, MAX_DECOMPRESSED_BYTES decompressed, MAX_COMPRESSION_RATIO, ' +
      'MAX_ZIP_ENTRIES (PAYLOAD_TOO_LARGE or BAD_USER_INPUT naming the limit); a log that needs more memory than ' +
      'DUCKDB_MEMORY_LIMIT gives an ingest answers PAYLOAD_TOO_LARGE naming it. With progressId (a UUID the client ' +
      'makes), Query.ingestProgress(id) answers how far it is while this runs.',
  })
  async uploadEventLog(
    @Arg('file', () => GraphQLUpload) file: Promise<FileUpload>,
    @Ctx() { db, config, principal }: ApiContext,
    @Arg('replace', () => Boolean, {
      defaultValue: false,
      description: 'Replace an application attempt that is already stored (its uploader or an admin only).',
    })
    replace: boolean,
    @Arg('progressId', () => String, { nullable: true, description: 'An id to watch this upload with Query.ingestProgress: 16-64 letters, digits, - or _ (a UUID).' })
    progressId?: string | null,
  ): Promise<IngestResult> {
    const upload = await file;
    // A too-large or unreadable log (UploadTooLargeError, BadInputError) gets its code from formatError.
    const report = await receiveUpload(
      db,
      { filename: upload.filename, stream: upload.createReadStream() },
      {
        maxBytes: config.MAX_UPLOAD_BYTES,
        decompression: {
          maxBytes: maxDecompressedBytes(config),
          maxRatio: config.MAX_COMPRESSION_RATIO,
          maxZipEntries: config.MAX_ZIP_ENTRIES,
        },
        uploadDir: config.UPLOAD_TMP_DIR,
        beforeWrite: (appKey) => authorizeUploadWrite(db, principal, appKey, replace),
      },
      { uploadedBy: principal.subject ?? null, progressId: progressId ?? null },
    );
    const applications: Application[] = [];
    for (const ingested of report.applications) {
      const record = await findApplication(db, ingested.appKey);
      if (record) applications.push(toApplication(record));
    }
    if (applications.length === 0) {
      // Stored, then deleted by another request before this answer: there is no application left to answer with.
      const names = report.applications.map((ingested) => ingested.appKey).join(', ');
      throw new ClientError(`${names} was stored, then deleted by another request before this upload was answered`, 'NOT_FOUND');
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
      eventsRead: report.applications.reduce((sum, app) => sum + app.eventsRead, 0),
      eventsSkipped: report.applications.reduce((sum, app) => sum + app.eventsSkipped, 0),
      skippedEventTypes: [...skipped].map(([eventType, count]) => ({ eventType, count })),
    };
  }
}
