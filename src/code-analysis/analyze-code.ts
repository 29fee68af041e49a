import type { Insight } from '../analysis/insight.js';
import { logger } from '../logger.js';
import type { CellPosition, CodeCell, CodeDocument, CodeFormat, CodeLanguage } from './code-model.js';
import type { CodeDetector, CodeFinding, ParsedDocument } from './code-detector.js';
import { MAX_EXCERPT_CHARS } from './limits.js';
import { parseCell } from './parsers/parse-cell.js';
import type { CellFacts } from './parsers/syntax-facts.js';
import { prepareSqlParser } from './parsers/sql-parser.js';
import { codeDetectors } from './registry.js';
import { readCodeFile } from './sources/read-code-file.js';

/** Where in the file a finding or a warning is. */
export interface CodeLocation {
  /** 0-based cell position in the notebook (markdown cells counted); 0 for a plain file. */
  cellIndex: number;
  /** 1-based line inside the cell, as the notebook numbers it (equal to the file line for a plain file). */
  line: number;
  /** 1-based column. */
  column: number;
  /** 1-based line in the file for line-oriented files (.py, .scala, .sql, Databricks exports); null for .ipynb. */
  fileLine: number | null;
  /** 1-based column in the file (differs from column in Databricks `# MAGIC` cells); null for .ipynb. */
  fileColumn: number | null;
  language: CodeLanguage;
}

/** A code finding: an Insight (the same fields as the event-log insights) with its location. */
export interface CodeInsight extends Insight {
  location: CodeLocation & { excerpt: string };
}

/** A cell the parser could not read whole. Its other findings and the other cells are still reported. */
export interface CodeWarning {
  location: CodeLocation;
  message: string;
}

/** What analysing one code file found. */
export interface CodeAnalysis {
  fileName: string;
  format: CodeFormat;
  language: CodeLanguage;
  /** Cells in the notebook, code or not (1 for a plain file). */
  totalCells: number;
  /** Cells analysed: code cells in Python, Scala or SQL. */
  codeCells: number;
  /** In notebook order (cell, line, column). */
  insights: CodeInsight[];
  warnings: CodeWarning[];
}

function locate(cell: CodeCell, position: CellPosition): CodeLocation {
  return {
    cellIndex: cell.index,
    line: position.line,
    column: position.column,
    fileLine: cell.fileLineOffset === null ? null : cell.fileLineOffset + position.line - 1,
    fileColumn: cell.fileLineOffset === null ? null : position.column + cell.fileColumnOffset,
    language: cell.language,
  };
}

/** The code on the finding's line, trimmed and cut to a readable length. */
function excerptAt(cell: CodeCell, line: number): string {
  const text = (cell.source.split('\n')[line - 1] ?? '').trim();
  return text.length > MAX_EXCERPT_CHARS ? `${text.slice(0, MAX_EXCERPT_CHARS - 1)}…` : text;
}

function toInsight(detector: CodeDetector, finding: CodeFinding): CodeInsight {
  const cell = finding.cell.cell;
  const location = { ...locate(cell, finding.position), excerpt: excerptAt(cell, finding.position.line) };
  return {
    id: `${detector.type}:cell-${cell.index}:${location.line}:${location.column}`,
    type: detector.type,
    title: finding.title,
    description: finding.description,
    evidence: { ...location, ...finding.evidence },
    confidence: finding.confidence,
    severity: detector.severity,
    suggestion: finding.suggestion,
    tradeoffs: finding.tradeoffs,
    sparkDocsRef: detector.sparkDocsRef,
    jobId: null,
    stageId: null,
    stageAttemptId: null,
    sqlExecutionId: null,
    // Nothing ran: there is no share of run time to report. Severity is the detector's fixed level.
    impact: 0,
    impactMs: 0,
    location,
  };
}

/**
 * Parses one cell; a parser that throws (rather than reporting a syntax error) costs that cell only: it becomes a
 * warning at the cell's first line and the other cells are still analysed.
 */
function parseCellSafely(cell: CodeCell): CellFacts {
  try {
    return parseCell(cell);
  } catch (error) {
    logger.warn({ err: error, cellIndex: cell.index, language: cell.language }, 'a code parser failed on a cell');
    const message = `the ${cell.language} parser could not read this cell: ${error instanceof Error ? error.message : String(error)}`;
    return { cell, links: [], references: [], assignments: [], functions: [], sqlStatements: [], problems: [{ position: { line: 1, column: 1 }, message }] };
  }
}

/** Parses a document's cells and runs every code detector over them. */
export async function analyzeDocument(document: CodeDocument, detectors: readonly CodeDetector[] = codeDetectors): Promise<CodeAnalysis> {
  await prepareSqlParser();
  const parsed: ParsedDocument = { document, cells: document.cells.map(parseCellSafely) };
  const insights: CodeInsight[] = [];
  for (const detector of detectors) {
    const findings = detector.detect({ ...parsed, cells: parsed.cells.filter((cell) => detector.languages.includes(cell.cell.language)) });
    insights.push(...findings.map((finding) => toInsight(detector, finding)));
  }
  // One finding per detector and place: embedded SQL and chains can reach the same token twice.
  const unique = [...new Map(insights.map((insight) => [insight.id, insight])).values()];
  unique.sort(
    (a, b) => a.location.cellIndex - b.location.cellIndex || a.location.line - b.location.line || a.location.column - b.location.column || a.type.localeCompare(b.type),
  );
  const warnings = parsed.cells.flatMap((cell) =>
    cell.problems.map((problem): CodeWarning => ({ location: locate(cell.cell, problem.position), message: problem.message })),
  );
  logger.debug({ file: document.fileName, insights: unique.length, warnings: warnings.length }, 'analysed code file');
  return {
    fileName: document.fileName,
    format: document.format,
    language: document.language,
    totalCells: document.totalCells,
    codeCells: document.cells.length,
    insights: unique,
    warnings,
  };
}

/**
 * Reads a code file (notebook, Databricks export, .py, .scala, .sql) and reports the Spark anti-patterns in it
 * with their exact locations. Throws BadInputError naming what is wrong with a file it cannot read.
 */
export async function analyzeCodeFile(fileName: string, bytes: Uint8Array): Promise<CodeAnalysis> {
  return analyzeDocument(readCodeFile(fileName, bytes));
}
