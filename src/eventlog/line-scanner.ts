import { createInterface } from 'node:readline';
import type { Codec } from './codec.js';
import { openDecodedStream } from './codec.js';

/** A line of an event log that is not a JSON object. */
export interface BadLine {
  line: number;
  reason: string;
}

/** What a line-by-line scan of one decoded log part found. */
export interface LineScan {
  /** Lines that are not JSON objects (blank lines excluded), in order. */
  badLines: BadLine[];
  /** Blank lines: harmless, but they shift the numbering of what DuckDB reads. */
  blankLines: number[];
  /** Total lines in the part. */
  lineCount: number;
  /** The last line is not JSON: the writer stopped mid-line (a running app, or a copy taken mid-write). */
  lastLineCutOff: boolean;
}

/**
 * Scans a log part line by line in JavaScript to say exactly which lines are broken and why.
 * This is the slow path, used only after DuckDB has reported a malformed line; healthy logs never take it.
 */
export async function scanLines(path: string, codec: Codec): Promise<LineScan> {
  const lines = createInterface({ input: openDecodedStream(path, codec), crlfDelay: Infinity });
  const badLines: BadLine[] = [];
  const blankLines: number[] = [];
  let lineCount = 0;
  for await (const text of lines) {
    lineCount += 1;
    if (text.trim() === '') {
      blankLines.push(lineCount);
      continue;
    }
    const reason = jsonObjectProblem(text);
    if (reason) badLines.push({ line: lineCount, reason });
  }
  const lastLineCutOff = badLines.length > 0 && badLines[badLines.length - 1]!.line === lineCount;
  return { badLines, blankLines, lineCount, lastLineCutOff };
}

function jsonObjectProblem(text: string): string | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'not a JSON object';
  } catch (error) {
    return error instanceof Error ? error.message : 'not valid JSON';
  }
}
