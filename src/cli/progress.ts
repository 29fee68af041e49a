import { formatBytes } from '../analysis/format.js';
import type { IngestPhase, IngestPhaseUpdate } from '../ingest/ingest-service.js';

/** Where progress is drawn: the CLI's stderr (a TTY gets a redrawn bar, anything else plain lines). */
export interface ProgressStream {
  write: (text: string) => unknown;
  isTTY?: boolean;
}

/** Options of {@link IngestProgressView}; the clock and timers are injectable so tests need no waiting. */
export interface ProgressViewOptions {
  now?: () => number;
  /** How often a TTY bar redraws its elapsed time. */
  redrawMs?: number;
  /** How often a non-TTY stream gets a "still working" line for a log. */
  lineEveryMs?: number;
  setInterval?: (callback: () => void, ms: number) => { unref?: () => unknown };
  clearInterval?: (timer: { unref?: () => unknown }) => void;
}

/**
 * How far a log is by its step: DuckDB reads a log in one statement, so the bar moves by step (decode, read, store,
 * analyze), each step's share about the time it takes on the bench log, not by a byte counter it does not have.
 */
const PHASE_SHARE: Readonly<Record<IngestPhase, number>> = {
  decoding: 0,
  reading: 0.1,
  storing: 0.5,
  analyzing: 0.7,
  done: 1,
  failed: 1,
};

const BAR_WIDTH = 24;

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/**
 * Progress of a multi-log ingest on stderr, per log: bytes read of its size, events stored, elapsed time. On a
 * TTY one bar per log redrawn in place; otherwise a line when a log starts, one every `lineEveryMs` while it runs,
 * and one when it ends, so CI logs show a long ingest is alive without a flood of lines.
 */
export class IngestProgressView {
  private readonly now: () => number;
  private readonly tty: boolean;
  private timer: { unref?: () => unknown } | null = null;
  private label = '';
  private last: IngestPhaseUpdate | null = null;
  private startedAt = 0;

  constructor(
    private readonly stream: ProgressStream,
    private readonly options: ProgressViewOptions = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.tty = stream.isTTY === true;
  }

  /** A log begins: `index` counts from 0 among `total` logs. */
  start(index: number, total: number, sourceName: string): void {
    this.stopTimer();
    this.label = `[${index + 1}/${total}] ${sourceName}`;
    this.last = null;
    this.startedAt = this.now();
    if (!this.tty) this.stream.write(`${this.label}: ingesting\n`);
    const every = this.tty ? (this.options.redrawMs ?? 200) : (this.options.lineEveryMs ?? 5_000);
    const schedule = this.options.setInterval ?? ((callback: () => void, ms: number) => setInterval(callback, ms));
    this.timer = schedule(() => this.tick(), every);
    this.timer.unref?.();
  }

  /** The log moved to another step. */
  update(update: IngestPhaseUpdate): void {
    this.last = update;
    if (this.tty) this.draw();
    if (update.phase === 'done' || update.phase === 'failed') this.end();
  }

  /** Stops the timer (also when the ingest throws). */
  close(): void {
    this.stopTimer();
  }

  /** The words after the label: step, bytes, events, elapsed. */
  describe(): string {
    const elapsed = this.now() - this.startedAt;
    const update = this.last;
    if (!update) return `starting, ${seconds(elapsed)}`;
    const parts: string[] = [update.phase];
    if (update.bytesTotal > 0) parts.push(`${formatBytes(update.bytesRead)} of ${formatBytes(update.bytesTotal)} read`);
    if (update.events !== null) parts.push(`${update.events.toLocaleString('en-US')} events`);
    parts.push(seconds(elapsed));
    return parts.join(', ');
  }

  private tick(): void {
    if (this.tty) {
      this.draw();
    } else {
      this.stream.write(`${this.label}: ${this.describe()}\n`);
    }
  }

  private draw(): void {
    const share = this.last ? PHASE_SHARE[this.last.phase] : 0;
    const filled = Math.round(share * BAR_WIDTH);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)}`;
    this.stream.write(`\r\x1b[K${this.label} ${bar} ${this.describe()}`);
  }

  private end(): void {
    this.stopTimer();
    if (this.tty) this.stream.write('\n');
    else this.stream.write(`${this.label}: ${this.describe()}\n`);
  }

  private stopTimer(): void {
    if (this.timer) (this.options.clearInterval ?? ((timer) => clearInterval(timer as NodeJS.Timeout)))(this.timer);
    this.timer = null;
  }
}
