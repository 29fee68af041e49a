import type { Confidence, EvidenceValue, Severity } from '../analysis/insight.js';
import type { CellPosition, CodeDocument, CodeLanguage } from './code-model.js';
import { chainOf, type CellFacts, type ChainLink } from './parsers/syntax-facts.js';

/** A code file read and parsed: what every code detector examines. */
export interface ParsedDocument {
  document: CodeDocument;
  /** One entry per code cell, in notebook order. */
  cells: CellFacts[];
}

/** One finding of a code detector, before it becomes an insight. */
export interface CodeFinding {
  cell: CellFacts;
  position: CellPosition;
  title: string;
  description: string;
  confidence: Confidence;
  suggestion: string;
  tradeoffs: string;
  /** Detector-specific evidence added to the location (e.g. the method name, the SQL join kind). */
  evidence?: { [key: string]: EvidenceValue };
}

/**
 * A code detector looks for one pattern in source code. Adding one: write its test (a positive case, a look-alike
 * that must stay quiet, a notebook cell), write it (one file in src/code-analysis/detectors/), list it in
 * src/code-analysis/registry.ts.
 */
export interface CodeDetector {
  /** Insight type, kebab-case (e.g. "collect-to-driver"). */
  type: string;
  /** One line on what it finds, for Query.codeInsightTypes and the README. */
  description: string;
  sparkDocsRef: string;
  /** Languages it reads. */
  languages: readonly CodeLanguage[];
  /**
   * Fixed per detector: code has no run time to measure, so severity says how much the pattern tends to cost
   * when it bites (HIGH: can fail or stall a job; MEDIUM: wastes a stage; LOW: wastes I/O or CPU; INFO: hygiene).
   */
  severity: Severity;
  detect: (parsed: ParsedDocument) => CodeFinding[];
}

/** Every link of every cell, with its cell, in notebook order. */
export function* linksOf(parsed: ParsedDocument, languages: readonly CodeLanguage[] = ['python', 'scala']): Generator<[CellFacts, ChainLink]> {
  for (const cell of parsed.cells) {
    if (!languages.includes(cell.cell.language)) continue;
    for (const link of cell.links) yield [cell, link];
  }
}

/**
 * True when the link runs the member: a call, or in Scala also a member access without parentheses
 * (`df.count` is a call in Scala; in Python `df.count` without parentheses only names the method).
 */
export function isInvoked(cell: CellFacts, link: ChainLink): boolean {
  return link.kind === 'call' || cell.cell.language === 'scala';
}

/** A method applied to something (`x.collect()`), not a plain function (`collect()`). */
export function isMethod(link: ChainLink): boolean {
  return link.base !== null;
}

/** Calls that cap the number of rows, wherever they stand in the chain. */
const ROW_LIMITING_METHODS: ReadonlySet<string> = new Set(['limit', 'head', 'take', 'first', 'tail', 'isEmpty']);
/** Aggregations that give a small result unless rows were grouped before them (then there is one row per group). */
const AGGREGATING_METHODS: ReadonlySet<string> = new Set(['agg', 'count', 'summary', 'describe']);
/** Transformations whose result size depends on the data (small if there are few groups). */
const GROUPING_METHODS: ReadonlySet<string> = new Set(['groupBy', 'groupby', 'rollup', 'cube', 'distinct', 'dropDuplicates', 'countByKey', 'reduceByKey']);

/** How big the result of the chain before `link` is likely to be. */
export function resultSize(link: ChainLink): 'bounded' | 'grouped' | 'from-sql' | 'unbounded' {
  const before = chainOf(link).slice(0, -1);
  // groupBy() with no keys is a global aggregation: one row, not one per group.
  const grouping = before.filter((each) => GROUPING_METHODS.has(each.name) && !(each.name.startsWith('group') && each.args.length === 0));
  if (before.some((each) => ROW_LIMITING_METHODS.has(each.name))) return 'bounded';
  if (before.some((each) => AGGREGATING_METHODS.has(each.name) && !grouping.some((other) => other.offset < each.offset))) return 'bounded';
  if (grouping.length > 0) return 'grouped';
  if (before.some((each) => each.name === 'sql')) return 'from-sql';
  return 'unbounded';
}

/** The first positional argument's literal value, or undefined. */
export function firstPositional(link: ChainLink): string | number | boolean | null | undefined {
  return link.args.find((argument) => argument.keyword === null)?.value;
}
