// scalameta-parsers (Scala.js build of scalameta's parser) ships no types.
declare module 'scalameta-parsers' {
  namespace scalameta {
    /** A scalameta tree node as JSON: its kind (`Term.Apply`), its [start, end) offsets, and kind-specific fields. */
    interface ScalametaNode {
      type: string;
      pos: { start: number; end: number };
      [field: string]: unknown;
    }
    /** What parseSource answers when the code does not parse. */
    interface ScalametaError {
      error: string;
      pos: { start: number; end: number };
      /** 0-based. */
      lineNumber: number;
      /** 0-based. */
      columnNumber: number;
    }
    /** scalameta-parsers' CommonJS exports. */
    interface ScalametaParsers {
      /** Parses a whole compilation unit (package, imports, classes, objects). */
      parseSource(code: string): ScalametaNode | ScalametaError;
      /** Parses one statement. */
      parseStat(code: string): ScalametaNode | ScalametaError;
    }
  }
  const scalameta: scalameta.ScalametaParsers;
  export = scalameta;
}
