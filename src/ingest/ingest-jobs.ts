import type { IngestPhase } from './ingest-service.js';

/** Where an upload is, as a client polls it: bytes received, then the ingest's steps. */
export type UploadPhase = 'receiving' | IngestPhase;

/** The state of one upload-and-ingest, keyed by the id the client chose. */
export interface IngestJobStatus {
  id: string;
  phase: UploadPhase;
  /** Bytes of the file received so far. */
  bytesReceived: number;
  /** The log currently being ingested (a zip holds several), once receiving is over. */
  sourceName: string | null;
  events: number | null;
  startedAt: number;
  updatedAt: number;
  /** Set when the upload failed: what was wrong, as the mutation answered it. */
  error: string | null;
}

/** A client-chosen id: 16 to 64 letters, digits, `-` or `_` (a UUID fits), hard to guess and safe to log. */
export const PROGRESS_ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

/** Finished jobs stay readable this long, so a client polling slowly still sees how it ended. */
const KEEP_FINISHED_MS = 10 * 60_000;
/** At most this many jobs are remembered; the oldest go first. */
const MAX_JOBS = 1_000;

/**
 * In-memory progress of uploads in this process, for `Query.ingestProgress`. Bounded in count and age: a
 * progress id is a handle for watching one's own upload, not a record (the stored application is).
 */
export class IngestJobs {
  private readonly jobs = new Map<string, IngestJobStatus>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts (or restarts) tracking the upload `id`. */
  begin(id: string): void {
    this.prune();
    const at = this.now();
    this.jobs.delete(id);
    this.jobs.set(id, { id, phase: 'receiving', bytesReceived: 0, sourceName: null, events: null, startedAt: at, updatedAt: at, error: null });
  }

  /** Records what changed for `id`; unknown ids are ignored (the job was pruned). */
  update(id: string, change: Partial<Omit<IngestJobStatus, 'id' | 'startedAt' | 'updatedAt'>>): void {
    const job = this.jobs.get(id);
    if (job) Object.assign(job, change, { updatedAt: this.now() });
  }

  /** The status of `id` with its elapsed time (until now, or until it finished), or undefined when unknown or forgotten. */
  get(id: string): (IngestJobStatus & { elapsedMs: number }) | undefined {
    this.prune();
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const finished = job.phase === 'done' || job.phase === 'failed';
    return { ...job, elapsedMs: (finished ? job.updatedAt : this.now()) - job.startedAt };
  }

  private prune(): void {
    const now = this.now();
    for (const [id, job] of this.jobs) {
      const finished = job.phase === 'done' || job.phase === 'failed';
      if (finished && now - job.updatedAt > KEEP_FINISHED_MS) this.jobs.delete(id);
    }
    while (this.jobs.size >= MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
  }
}

/** The process's upload progress, shared by the upload mutation and the progress query. */
export const ingestJobs = new IngestJobs();
