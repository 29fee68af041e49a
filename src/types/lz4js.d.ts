// lz4js ships no types; only the raw block API is declared, as lz4-java's framing is parsed by hand.
declare module 'lz4js' {
  /** lz4js's CommonJS exports used here. */
  interface Lz4js {
    /**
     * Decompresses one raw LZ4 block `src[sIndex, sIndex + sLength)` into `dst` from `dIndex`.
     * Returns the index after the last byte written. It does no bounds checks: the caller must check the length.
     */
    decompressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, dIndex: number): number;
    /** Compresses one raw LZ4 block; returns its length (0 when it did not compress). */
    compressBlock(src: Uint8Array, dst: Uint8Array, sIndex: number, sLength: number, hashTable: Uint32Array): number;
    /** Upper bound of the compressed size of `n` bytes. */
    compressBound(n: number): number;
  }
  const lz4js: Lz4js;
  export = lz4js;
}

declare module 'lz4js/xxh32.js' {
  /** lz4js's xxhash32 module. */
  interface Xxh32 {
    /** xxhash32 of `src[index, index + len)` with `seed`, as an unsigned 32-bit number. */
    hash(seed: number, src: Uint8Array, index: number, len: number): number;
  }
  const xxh32: Xxh32;
  export = xxh32;
}
