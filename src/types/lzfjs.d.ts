// lzfjs ships no types.
declare module 'lzfjs' {
  /** lzfjs's CommonJS exports: whole raw LZF blocks (no `ZV` chunk headers). */
  interface Lzfjs {
    /** Decompresses one raw LZF block; throws Error('Invalid input') on bad input. */
    decompress(data: Uint8Array): Uint8Array;
    /** Compresses `data` into one raw LZF block. */
    compress(data: Uint8Array): Uint8Array;
  }
  const lzfjs: Lzfjs;
  export = lzfjs;
}
