import type { CellPosition, CodeCell } from '../code-model.js';

/** What an argument is, as far as the detectors care. */
export type ArgumentKind = 'string' | 'number' | 'boolean' | 'lambda' | 'name' | 'call' | 'other';

/**
 * The shape of a small function body that only transforms its first parameter: `s.strip().lower()` is
 * ['strip', 'lower'], `len(s)` is ['len']. Null when the body does anything else.
 */
export type ParameterTransform = string[] | null;

/** An anonymous function (`lambda s: s.lower()`, `(s: String) => s.toLowerCase`). */
export interface LambdaFact {
  params: string[];
  transform: ParameterTransform;
}

/** One argument of a call. */
export interface CallArgument {
  /** The name of a keyword (Python) or named (Scala) argument; null when positional. */
  keyword: string | null;
  kind: ArgumentKind;
  /** Source text of the argument. */
  text: string;
  /** UTF-16 offset of the argument's value in the cell (where an embedded SQL string starts). */
  offset: number;
  /** The value of a literal (string contents, number, boolean); null otherwise. */
  value: string | number | boolean | null;
  /** The variable named, when the argument is a plain name. */
  name: string | null;
  lambda: LambdaFact | null;
}

/** Where a chain of member accesses starts. */
export type ChainBase =
  | { kind: 'name'; name: string }
  | { kind: 'literal'; text: string }
  | { kind: 'expression'; text: string };

/**
 * One link of a chain of calls and member accesses: in `df.filter(x).collect()` the links are `filter` (a call
 * on base `df`) and `collect` (a call whose receiver is the `filter` link). Strings and comments never make links:
 * they come from the syntax tree, not from text.
 */
export interface ChainLink {
  /** Unique within the cell, in source order of the name token. */
  id: number;
  /** The method, attribute or function name. */
  name: string;
  /** 'call' when called with an argument list, 'attribute' for a bare member access (`df.rdd`, Scala's `df.count`). */
  kind: 'call' | 'attribute';
  /** The link this one is applied to; null when applied directly to the base, or for a plain function call. */
  receiver: ChainLink | null;
  /** Where the chain starts; null for a plain function call (`udf(f)`, `len(s)`). */
  base: ChainBase | null;
  /** The link applied to this one's result, if any (`collect` for `filter` above). */
  next: ChainLink | null;
  args: CallArgument[];
  /** Position of the name token. */
  position: CellPosition;
  /** UTF-16 offset of the name token in the cell, for ordering. */
  offset: number;
  /** How many loops run this code once per iteration (loop bodies, while conditions, comprehension elements). */
  loopDepth: number;
  /** Set on the outermost link of an assignment's value: the variable it is assigned to. */
  assignedTo: string | null;
}

/** A new link at the end of its chain: no arguments or assignment yet, hooked onto its receiver. */
export function linkOnto(fields: Pick<ChainLink, 'id' | 'name' | 'kind' | 'receiver' | 'base' | 'position' | 'offset' | 'loopDepth'>): ChainLink {
  const link: ChainLink = { ...fields, next: null, args: [], assignedTo: null };
  if (fields.receiver) fields.receiver.next = link;
  return link;
}

/** A use of a variable's value (not an assignment to it). */
export interface NameReference {
  name: string;
  offset: number;
  position: CellPosition;
  loopDepth: number;
}

/** An assignment to a variable (`x = ...`, `val x = ...`, a for-loop target). */
export interface NameAssignment {
  name: string;
  offset: number;
  position: CellPosition;
}

/** A named function definition, with its decorators (Python) and the shape of its body. */
export interface FunctionFact {
  name: string;
  params: string[];
  /**
   * Decorators as links (`@udf("string")` is a call link `udf`, `@F.udf` an attribute link). They are not in the
   * cell's links: a decorator is not a call on data.
   */
  decorators: ChainLink[];
  transform: ParameterTransform;
  position: CellPosition;
}

/** A SQL statement's facts, from the SQL parser. */
export interface SqlStatementFact {
  /** The outermost queries (the statement itself, an INSERT's or CTAS's source): ORDER BY there sorts the result. */
  topLevelOrderByWithoutLimit: CellPosition[];
  /** `*` and `t.*` in select lists (not `count(*)`), except in a query with a LIMIT. */
  wildcardProjections: CellPosition[];
  /** Joins that pair every row with every row: CROSS JOIN, JOIN without ON/USING, comma joins without WHERE. */
  cartesianJoins: Array<{ position: CellPosition; how: string; table: string }>;
  /** `SET key = value`. */
  settings: Array<{ key: string; value: string; position: CellPosition }>;
}

/** A parse problem; the cell is still analysed as far as the parser could read it. */
export interface ParseProblem {
  position: CellPosition;
  message: string;
}

/** Everything the detectors know about one cell. */
export interface CellFacts {
  cell: CodeCell;
  links: ChainLink[];
  references: NameReference[];
  assignments: NameAssignment[];
  functions: FunctionFact[];
  sqlStatements: SqlStatementFact[];
  problems: ParseProblem[];
}

/** The links of a chain from its first to `link`. */
export function chainOf(link: ChainLink): ChainLink[] {
  const chain: ChainLink[] = [];
  for (let current: ChainLink | null = link; current !== null; current = current.receiver) chain.unshift(current);
  return chain;
}

/** The links applied after `link`, in order. */
export function linksAfter(link: ChainLink): ChainLink[] {
  const after: ChainLink[] = [];
  for (let current = link.next; current !== null; current = current.next) after.push(current);
  return after;
}

/** Builds a 1-based position from a 0-based offset, given the offsets where each line starts. */
export function positionAt(lineStarts: readonly number[], offset: number): CellPosition {
  let low = 0;
  let high = lineStarts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (lineStarts[middle]! <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - lineStarts[low]! + 1 };
}

/** The offsets where each line of `text` starts. */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

/** The offset of a 1-based position, the inverse of positionAt. */
export function offsetAt(lineStarts: readonly number[], position: CellPosition): number {
  return (lineStarts[position.line - 1] ?? 0) + position.column - 1;
}
