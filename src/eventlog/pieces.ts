import { open, rm, type FileHandle } from 'node:fs/promises';

/**
 * DuckDB's JSON reader gives each file it reads buffers of twice its largest object (16 MB, whatever smaller
 * `maximum_object_size` is asked for): on one big file the read is the largest part of an ingest's memory, on one
 * thread as on two. A file smaller than that gets buffers of its own size. So a copy the ingest writes anyway
 * (a slimmed part) is written as pieces of about this size, each ending at a line end: read in pieces, the bench
 * log's task ends took ~100 MB less. On the wide bench log, 1 MB pieces peaked at 288-295 MB, 2 MB at 296-303
 * and 4 MB at 299-325, for 3-5% more time. (Copying a plain part just to split it costs more time than it is
 * worth: 0.3-0.7 s for 40 MB less on the bench log.)
 */
export const PIECE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;

/** One piece of a part: its file, and the number (from 1) of its first line within the part. */
export interface Piece {
  path: string;
  firstLine: number;
}

function lineEndsIn(bytes: Buffer): number {
  let count = 0;
  for (let at = bytes.indexOf(NEWLINE); at >= 0; at = bytes.indexOf(NEWLINE, at + 1)) count += 1;
  return count;
}

/**
 * Writes a stream of bytes into numbered files of about `pieceBytes` each, starting a new one only after a
 * line end, so every line lies whole in one piece (a line longer than a piece makes a piece of its own).
 */
export class PieceWriter {
  private readonly pieces: Piece[] = [];
  private file: FileHandle | null = null;
  private written = 0;
  /** Lines ended so far in every piece: the next piece's first line follows them. */
  private linesEnded = 0;

  constructor(
    private readonly pathPrefix: string,
    private readonly pieceBytes = PIECE_BYTES,
  ) {}

  /** Appends `buffers` (any bytes, lines may continue across calls); all are written before this resolves. */
  async write(buffers: readonly Buffer[]): Promise<void> {
    // Gathered and written in one call per piece: the slimming pass hands over a few slices of every line.
    let batch: Buffer[] = [];
    for (const buffer of buffers) {
      let rest = buffer;
      while (rest.length > 0) {
        // The piece is full at its pieceBytes-th byte: it ends at the first line end from there on, even in the
        // middle of a buffer (a few MB of lines may come in one).
        const fullAt = Math.max(0, this.pieceBytes - this.written - 1);
        const end = fullAt < rest.length ? rest.indexOf(NEWLINE, fullAt) : -1;
        if (end < 0) {
          batch.push(rest);
          this.written += rest.length;
          break;
        }
        // The piece is full: it takes the rest of its current line, and the next piece starts after it.
        batch.push(rest.subarray(0, end + 1));
        await this.flush(batch);
        batch = [];
        await this.closePiece();
        rest = rest.subarray(end + 1);
      }
    }
    await this.flush(batch);
  }

  /** Closes the last piece; returns the pieces in order. */
  async finish(): Promise<Piece[]> {
    await this.closePiece();
    return [...this.pieces];
  }

  /** Closes an open piece and removes every piece written (the copy was not wanted, or failed). */
  async abandon(): Promise<void> {
    await this.file?.close().catch(() => undefined);
    this.file = null;
    await Promise.all(this.pieces.map((piece) => rm(piece.path, { force: true })));
  }

  private async flush(batch: Buffer[]): Promise<void> {
    if (batch.length === 0) return;
    if (this.file === null) {
      const path = `${this.pathPrefix}-${String(this.pieces.length).padStart(4, '0')}.json`;
      this.file = await open(path, 'w');
      this.pieces.push({ path, firstLine: this.linesEnded + 1 });
    }
    await this.file.writev(batch);
    // Counted as written, so errors and numbered reads can name a line of the part (see stage-events).
    for (const bytes of batch) this.linesEnded += lineEndsIn(bytes);
  }

  private async closePiece(): Promise<void> {
    await this.file?.close();
    this.file = null;
    this.written = 0;
  }
}
