// snappyjs ships no types.
declare module 'snappyjs' {
  /** snappyjs's CommonJS exports: raw snappy blocks (no framing). */
  interface SnappyJs {
    /** Decompresses one raw snappy block; throws Error('Invalid Snappy bitstream') on bad input. A Buffer in gives a Buffer out. */
    uncompress(compressed: Uint8Array, maxLength?: number): Uint8Array;
    /** Compresses `uncompressed` into one raw snappy block. */
    compress(uncompressed: Uint8Array): Uint8Array;
  }
  const snappyjs: SnappyJs;
  export = snappyjs;
}
