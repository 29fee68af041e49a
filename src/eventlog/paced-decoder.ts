import { Transform } from 'node:stream';

/** Decoded bytes a decoder holds, unread, before it waits for its reader rather than decode another block. */
const HELD_DECODED_BYTES = 4 * 1024 * 1024;

/**
 * A decoder that decodes a block at a time and waits for its reader once it holds a few MB. A stream's buffer limit
 * does not stop a transform from pushing all it decodes from one chunk of input: a block of a few bytes can decode to
 * tens of KB (a padded or repeated line compresses thousands of times), so a 1 MB read of a log with ten 16 MB lines
 * was all 160 MB at once.
 */
export abstract class PacedDecoder extends Transform {
  private wake: (() => void) | null = null;

  /** Whether the reader has enough to take: the decoder stops after the block it is on and awaits {@link readerCaughtUp}. */
  protected get holdsEnough(): boolean {
    return this.readableLength >= HELD_DECODED_BYTES;
  }

  /** Resolves once the reader has asked for more. */
  protected readerCaughtUp(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  override _read(size: number): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
    super._read(size);
  }
}
