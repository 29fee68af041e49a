import { readFile, stat } from 'node:fs/promises';
import { counted } from '../analysis/format.js';
import type { Severity } from '../analysis/insight.js';
import { analyzeCodeFile, type CodeAnalysis } from '../code-analysis/analyze-code.js';
import { MAX_CODE_FILE_BYTES } from '../code-analysis/limits.js';
import { BadInputError } from '../errors.js';

/** Where the lint command writes (the CLI's streams or a test's buffers). */
export interface LintOutput {
  stdout: { write: (text: string) => unknown };
  stderr: { write: (text: string) => unknown };
}

/** Options of `spark-sword lint`. */
export interface LintOptions {
  json?: boolean;
  failOn?: Severity;
}

/**
 * Exit code when --fail-on is given and a finding reaches it. Not 1 (internal error) nor 2 (bad input): a
 * script can tell "the code has problems" from "the linter could not run".
 */
export const EXIT_FINDINGS = 3;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { INFO: 0, LOW: 1, MEDIUM: 2, HIGH: 3, CRITICAL: 4 };

/** Parses `--fail-on info|low|medium|high|critical`. */
export function parseFailOn(value: string): Severity {
  const severity = value.toUpperCase();
  if (!(severity in SEVERITY_RANK)) throw new BadInputError(`--fail-on takes info, low, medium, high or critical, got "${value}"`);
  return severity as Severity;
}

/** Reads a code file from disk, refusing a missing, non-regular or oversized one before reading it. */
async function readCodeFile(path: string): Promise<Uint8Array> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new BadInputError(`${path} is not a file`);
    size = info.size;
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw new BadInputError(`${path} cannot be read: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (size > MAX_CODE_FILE_BYTES) throw new BadInputError(`${path} is ${size} bytes, over the limit of ${MAX_CODE_FILE_BYTES} bytes for code files`);
  return readFile(path);
}

/** One line per finding, `file:cell:line:col  SEVERITY  type  title`, as editors and CI logs link them. */
function printAnalysis(out: LintOutput, path: string, analysis: CodeAnalysis): void {
  for (const insight of analysis.insights) {
    const { cellIndex, line, column } = insight.location;
    out.stdout.write(`${path}:${cellIndex}:${line}:${column}  ${insight.severity.padEnd(6)}  ${insight.type}  ${insight.title}\n`);
    out.stdout.write(`    ${insight.location.excerpt}\n    Try: ${insight.suggestion}\n`);
  }
  for (const warning of analysis.warnings) {
    const { cellIndex, line, column } = warning.location;
    out.stdout.write(`${path}:${cellIndex}:${line}:${column}  warning  ${warning.message}\n`);
  }
  const count = analysis.insights.length;
  out.stdout.write(
    `${path}: ${analysis.format}, ${counted(analysis.codeCells, 'code cell')} analysed, ` +
      `${count === 0 ? 'no findings' : counted(count, 'finding')}\n`,
  );
}

/**
 * `spark-sword lint`: analyses each file and prints its findings. Exit code 0 when every file was analysed (findings
 * or not), 3 with --fail-on when a finding reaches that severity, 2 when a file could not be read as code.
 */
export async function lintFiles(out: LintOutput, paths: string[], options: LintOptions): Promise<number> {
  const analyses: Array<{ path: string; analysis: CodeAnalysis }> = [];
  const failures: Array<{ path: string; error: string }> = [];
  for (const path of paths) {
    try {
      analyses.push({ path, analysis: await analyzeCodeFile(path, await readCodeFile(path)) });
    } catch (error) {
      if (!(error instanceof BadInputError)) throw error;
      failures.push({ path, error: error.message });
      out.stderr.write(`spark-sword: ${error.message}\n`);
    }
  }
  if (options.json) {
    out.stdout.write(`${JSON.stringify({ files: analyses.map(({ path, analysis }) => ({ path, ...analysis })), failures }, null, 2)}\n`);
  } else {
    for (const { path, analysis } of analyses) printAnalysis(out, path, analysis);
  }
  if (failures.length > 0) return 2;
  const threshold = options.failOn;
  if (threshold !== undefined && analyses.some(({ analysis }) => analysis.insights.some((insight) => SEVERITY_RANK[insight.severity] >= SEVERITY_RANK[threshold]))) {
    return EXIT_FINDINGS;
  }
  return 0;
}
