import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BadInputError, ForbiddenError, MemoryLimitError } from '../errors.js';
import { DecompressionBudget, DecompressionLimitError, type DecompressionLimits } from '../eventlog/decompression-limit.js';
import { ingestTempPrefix, removeStaleTempFiles } from '../eventlog/temp-files.js';
import { recordUploader } from '../store/application-uploads.js';
import type { AnalysisDatabase } from '../store/database.js';
import { ingestJobs, PROGRESS_ID_PATTERN } from './ingest-jobs.js';
import { ingestPaths, type IngestOptions, type IngestPhaseUpdate, type IngestReport } from './ingest-service.js';

/** How an upload is bounded and where it is spooled. */
export interface UploadOptions {
  /** Largest upload, in bytes (MAX_UPLOAD_BYTES). */
  maxBytes: number;
  /** Decompression limits over the whole upload; none: unmetered (trusted callers only). */
  decompression?: DecompressionLimits;
  /** Directory uploads are spooled under (UPLOAD_TMP_DIR); default the system temp directory. */
  uploadDir?: string;
  /** Called before each application is written (see IngestOptions.beforeWrite). */
  beforeWrite?: IngestOptions['beforeWrite'];
  /** Told of bytes received and of each log's phase (Query.ingestProgress). */
  progress?: UploadProgressListener;
}

/** Where uploads are spooled when UPLOAD_TMP_DIR is unset: the system temp directory. */
function defaultUploadDir(): string {
  return tmpdir();
}

/**
 * Removes uploads left by servers that died mid-upload. Each upload's directory carries its server's pid
 * (ingestTempPrefix), so servers sharing the directory never remove each other's live uploads.
 */
export async function removeAbandonedUploads(uploadDir: string = defaultUploadDir()): Promise<string[]> {
  return removeStaleTempFiles(uploadDir);
}

/** The client-facing error for a decompression limit: the size limit is PAYLOAD_TOO_LARGE, the others bad input. */
function limitError(error: DecompressionLimitError, filename: string): Error {
  const message = error.message.startsWith(filename) ? error.message : `${filename}: ${error.message}`;
  return error.limit === 'size' ? new UploadTooLargeError(message) : new BadInputError(message);
}

/** An upload exceeded the configured size limit. */
export class UploadTooLargeError extends Error {
  override readonly name = 'UploadTooLargeError';
}

/** Keeps the client's file name (its suffix tells the codec) but nothing that could leave the temp dir. */
function safeFileName(name: string): string {
  const cleaned = basename(name).replace(/[^\w.@+-]/g, '_').replace(/^\.+/, '');
  return cleaned.length > 0 ? cleaned.slice(-200) : 'eventlog';
}

function byteLimit(maxBytes: number, onReceived?: (bytes: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      onReceived?.(seen);
      if (seen > maxBytes) done(new UploadTooLargeError(`The upload is larger than the limit of ${maxBytes} bytes`));
      else done(null, chunk);
    },
  });
}

/** Callbacks through which an upload reports its progress (bytes received, then each log's ingest steps). */
export interface UploadProgressListener {
  onReceived?: (bytes: number) => void;
  onPhase?: (update: IngestPhaseUpdate) => void;
}

/**
 * Streams an uploaded event log to a temp file (never into memory), ingests it, and removes the file.
 * Throws UploadTooLargeError past `maxBytes`, BadInputError when nothing in it could be ingested.
 */
async function ingestUpload(
  db: AnalysisDatabase,
  upload: { filename: string; stream: Readable },
  options: UploadOptions,
): Promise<IngestReport> {
  const { maxBytes } = options;
  const progress = options.progress ?? {};
  const uploadDir = options.uploadDir ?? defaultUploadDir();
  await mkdir(uploadDir, { recursive: true });
  const dir = await mkdtemp(join(uploadDir, ingestTempPrefix('upload')));
  try {
    const path = join(dir, safeFileName(upload.filename));
    // busboy signals its own size limit with 'limit' and then stops feeding the stream without ending it.
    upload.stream.once('limit', () =>
      upload.stream.destroy(new UploadTooLargeError(`The upload is larger than the limit of ${maxBytes} bytes`)),
    );
    try {
      await pipeline(upload.stream, byteLimit(maxBytes, progress.onReceived), createWriteStream(path));
    } catch (error) {
      if (error instanceof UploadTooLargeError) throw error;
      throw new BadInputError(`The upload did not arrive whole: ${error instanceof Error ? error.message : String(error)}`);
    }
    // Messages name the client's file, never the server's temp path.
    const inClientTerms = (message: string): string => message.replaceAll(path, upload.filename).replaceAll(`${dir}/`, '');
    let report: IngestReport;
    try {
      const budget = options.decompression ? new DecompressionBudget(options.decompression) : undefined;
      report = await ingestPaths(db, [path], {
        budget,
        beforeWrite: options.beforeWrite,
        onPhase: progress.onPhase && ((update) => progress.onPhase!({ ...update, sourceName: inClientTerms(update.sourceName) })),
      });
    } catch (error) {
      if (error instanceof DecompressionLimitError) throw limitError(error, upload.filename);
      if (error instanceof BadInputError) throw new BadInputError(inClientTerms(error.message));
      throw error;
    }
    // A limit or a refused replacement stops the upload as a whole, whether the ingest threw it or listed it.
    const stopping = report.failures.find(
      (failure) => failure.error instanceof DecompressionLimitError || failure.error instanceof ForbiddenError,
    )?.error;
    if (stopping instanceof DecompressionLimitError) throw limitError(stopping, upload.filename);
    if (stopping) throw stopping;
    if (report.applications.length === 0) {
      // Nothing stored because of our own fault: that is an internal error, not the client's.
      const internal = report.failures.find((failure) => !(failure.error instanceof BadInputError));
      if (internal?.error instanceof MemoryLimitError) throw new MemoryLimitError(inClientTerms(internal.error.message));
      if (internal) throw internal.error;
      const reasons = report.failures.map((failure) => inClientTerms(failure.error.message));
      throw new BadInputError(reasons.join('; ') || `${upload.filename} holds no Spark event log`);
    }
    for (const failure of report.failures) failure.error.message = inClientTerms(failure.error.message);
    for (const app of report.applications) app.sourceName = inClientTerms(app.sourceName);
    for (const skip of report.skipped) {
      skip.sourceName = inClientTerms(skip.sourceName);
      skip.reason = inClientTerms(skip.reason);
    }
    return report;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Who sent an upload and how its progress is watched. */
export interface UploadSender {
  /** The principal's subject, recorded as each stored attempt's uploader; null records none. */
  uploadedBy: string | null;
  /** An id the client made to watch this upload with Query.ingestProgress; null when not watched. */
  progressId: string | null;
}

/**
 * An upload as the API takes it: ingested like {@link ingestUpload}, its progress published under the sender's
 * progress id (failed with the error's message, or done), and the sender recorded as each stored attempt's uploader.
 */
export async function receiveUpload(
  db: AnalysisDatabase,
  upload: { filename: string; stream: Readable },
  options: Omit<UploadOptions, 'progress'>,
  { uploadedBy, progressId }: UploadSender,
): Promise<IngestReport> {
  if (progressId !== null && !PROGRESS_ID_PATTERN.test(progressId)) {
    throw new BadInputError('progressId is 16 to 64 letters, digits, "-" or "_" (a UUID fits)');
  }
  const progress: UploadProgressListener = {};
  if (progressId !== null) {
    ingestJobs.begin(progressId);
    progress.onReceived = (bytes) => ingestJobs.update(progressId, { bytesReceived: bytes });
    // A zip's logs go through the steps one after another; 'done' of one log is not the end of the upload.
    progress.onPhase = ({ phase, sourceName, events }) =>
      ingestJobs.update(progressId, { phase: phase === 'done' || phase === 'failed' ? 'analyzing' : phase, sourceName, events });
  }
  let report: IngestReport;
  try {
    report = await ingestUpload(db, upload, { ...options, progress });
  } catch (error) {
    if (progressId !== null) ingestJobs.update(progressId, { phase: 'failed', error: error instanceof Error ? error.message : String(error) });
    throw error;
  }
  if (progressId !== null) ingestJobs.update(progressId, { phase: 'done' });
  if (uploadedBy !== null) {
    for (const ingested of report.applications) await recordUploader(db, ingested.appKey, uploadedBy);
  }
  return report;
}
