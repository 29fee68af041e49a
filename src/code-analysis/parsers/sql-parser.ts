import { init as initSqlParser, parse as parseSqlStatements, ParserError } from '@guanmingchiu/sqlparser-ts';
import type { CellPosition } from '../code-model.js';
import { lineStartsOf, offsetAt, positionAt, type ParseProblem, type SqlStatementFact } from './syntax-facts.js';

/** The SQL facts of a piece of Spark SQL, positions relative to that text. */
export interface SqlFacts {
  statements: SqlStatementFact[];
  problems: ParseProblem[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let ready: Promise<void> | null = null;

/** Loads the parser's WebAssembly module once; every parseSql call must come after it resolved. */
export function prepareSqlParser(): Promise<void> {
  ready ??= initSqlParser();
  return ready;
}

/**
 * Splits SQL into statements at semicolons outside strings, quoted identifiers and comments, as [start, end)
 * offsets. Used only to parse each statement on its own when the whole text does not parse, so one bad
 * statement does not hide the others.
 */
export function splitSqlStatements(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === "'" || char === '"' || char === '`') {
      i++;
      while (i < text.length && text[i] !== char) i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (char === '-' && text[i + 1] === '-') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (char === '/' && text[i + 1] === '*') {
      const close = text.indexOf('*/', i + 2);
      i = close === -1 ? text.length : close + 2;
    } else if (char === ';') {
      ranges.push([start, i]);
      start = ++i;
    } else {
      i++;
    }
  }
  ranges.push([start, text.length]);
  return ranges.filter(([from, to]) => text.slice(from, to).replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '');
}

/** A Query node of sqlparser-rs' AST (serialized): it has a body and a locks list. */
function isQuery(value: Json | undefined): value is JsonObject & { body: Json; locks: Json[] } {
  return isObject(value) && 'body' in value && Array.isArray(value['locks']);
}

/** The first real source span inside a node (sqlparser-rs puts spans on identifiers and tokens). */
function firstSpan(value: Json | undefined): CellPosition | null {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = firstSpan(item);
      if (found) return found;
    }
    return null;
  }
  if (!isObject(value)) return null;
  const span = value['span'];
  if (isObject(span) && isObject(span['start'])) {
    const line = span['start']['line'];
    const column = span['start']['column'];
    if (typeof line === 'number' && typeof column === 'number' && line > 0) return { line, column };
  }
  for (const [key, child] of Object.entries(value)) {
    if (key === 'span') continue;
    const found = firstSpan(child);
    if (found) return found;
  }
  return null;
}

/** The table a FROM item names (`db.sales`), without its alias; "a subquery" for anything else. */
function relationName(relation: Json | undefined): string {
  const table = isObject(relation) ? relation['Table'] : undefined;
  const name = isObject(table) ? identifierValues(table['name']).join('.') : '';
  return name || 'a subquery';
}

/** Identifier values inside a node, in order (`spark.sql.shuffle.partitions` → its four parts). */
function identifierValues(value: Json | undefined): string[] {
  if (Array.isArray(value)) return value.flatMap(identifierValues);
  if (!isObject(value)) return [];
  if (typeof value['value'] === 'string' && 'span' in value) return [value['value']];
  return Object.values(value).flatMap(identifierValues);
}

/** The literal text of a SET value (`400`, `'400'`, `true`). */
function literalText(value: Json | undefined): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.length > 0 ? literalText(value[0]) : '';
  if (!isObject(value)) return '';
  if (typeof value['value'] === 'string') return value['value'];
  const [first] = Object.values(value);
  return literalText(first);
}

/** Collects the facts of one parsed statement; `text` is what was parsed, for finding keywords. */
function statementFacts(statement: Json, text: string): SqlStatementFact {
  const facts: SqlStatementFact = { topLevelOrderByWithoutLimit: [], wildcardProjections: [], cartesianJoins: [], settings: [] };
  const lineStarts = lineStartsOf(text);

  const orderByKeyword = (expressionAt: CellPosition): CellPosition => {
    const before = text.slice(0, offsetAt(lineStarts, expressionAt));
    const matches = [...before.matchAll(/\bORDER\s+BY\b/gi)];
    const last = matches[matches.length - 1];
    return last?.index === undefined ? expressionAt : positionAt(lineStarts, last.index);
  };

  const visitSelect = (select: JsonObject, topLevel: boolean, limited: boolean): void => {
    const projection = select['projection'];
    if (topLevel && !limited && Array.isArray(projection)) {
      for (const item of projection) {
        if (isObject(item) && ('Wildcard' in item || 'QualifiedWildcard' in item)) {
          const at = firstSpan(item);
          if (at) facts.wildcardProjections.push(at);
        }
      }
    }
    const from = Array.isArray(select['from']) ? select['from'].filter(isObject) : [];
    for (const table of from) {
      const joins = Array.isArray(table['joins']) ? table['joins'].filter(isObject) : [];
      for (const join of joins) {
        const operator = join['join_operator'];
        if (!isObject(operator)) continue;
        const [kind] = Object.keys(operator);
        const constraint = kind === undefined ? null : operator[kind];
        const at = firstSpan(join['relation']);
        const name = relationName(join['relation']);
        if (!at) continue;
        if (kind === 'CrossJoin') facts.cartesianJoins.push({ position: at, how: 'CROSS JOIN', table: name });
        else if (constraint === 'None' && !/Apply$/.test(kind ?? '')) {
          facts.cartesianJoins.push({ position: at, how: 'JOIN without ON or USING', table: name });
        }
      }
    }
    if (from.length > 1 && (select['selection'] === null || select['selection'] === undefined)) {
      const at = firstSpan(from[1]!['relation']);
      const name = relationName(from[1]!['relation']);
      if (at) facts.cartesianJoins.push({ position: at, how: 'comma-separated tables without a WHERE', table: name });
    }
    walk(select, false);
  };

  const visitSetExpression = (body: Json | undefined, topLevel: boolean, limited: boolean): void => {
    if (!isObject(body)) return;
    if (isObject(body['Select'])) visitSelect(body['Select'], topLevel, limited);
    else if (isObject(body['SetOperation'])) {
      visitSetExpression(body['SetOperation']['left'], topLevel, limited);
      visitSetExpression(body['SetOperation']['right'], topLevel, limited);
    } else if (isQuery(body['Query'])) visitQuery(body['Query'], topLevel);
    else walk(body, false);
  };

  const visitQuery = (query: JsonObject, topLevel: boolean): void => {
    const limited = isObject(query['limit_clause']) || isObject(query['fetch']);
    const orderBy = query['order_by'];
    if (topLevel && isObject(orderBy) && !limited) {
      const at = firstSpan(orderBy);
      if (at) facts.topLevelOrderByWithoutLimit.push(orderByKeyword(at));
    }
    visitSetExpression(query['body'], topLevel, limited);
    walk(query['with'], false);
  };

  /** Finds queries anywhere below (subqueries, CTEs, INSERT sources); `topLevel` for the statement's own. */
  function walk(value: Json | undefined, topLevel: boolean): void {
    if (Array.isArray(value)) {
      for (const item of value) walk(item, topLevel);
      return;
    }
    if (!isObject(value)) return;
    if (isQuery(value)) {
      visitQuery(value, topLevel);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === 'span') continue;
      // A view's ORDER BY sorts nothing until someone reads it.
      walk(child, topLevel && key !== 'CreateView');
    }
  }

  if (isObject(statement) && isObject(statement['Set'])) {
    const assignment = statement['Set']['SingleAssignment'];
    if (isObject(assignment)) {
      const key = identifierValues(assignment['variable']).join('.');
      const at = firstSpan(assignment['variable']);
      if (at && key) facts.settings.push({ key, value: literalText(assignment['values']), position: at });
    }
  }
  walk(statement, true);
  return facts;
}

/** Keeps [start, end) of `text` and turns everything else into spaces (newlines kept), so positions stay put. */
function isolate(text: string, start: number, end: number): string {
  const blank = (part: string): string => part.replace(/[^\n]/g, ' ');
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}

function problemOf(error: unknown, text: string, fallbackOffset: number): ParseProblem {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^sql parser error:\s*/i, '');
  const location = error instanceof ParserError ? error.location : undefined;
  const position = location && location.line > 0 ? { line: location.line, column: location.column } : positionAt(lineStartsOf(text), fallbackOffset);
  return { position, message: `SQL syntax error: ${message.replace(/ at Line: \d+, Column: \d+$/, '')}` };
}

/**
 * Parses Spark SQL with sqlparser-rs' Spark dialect (WebAssembly) and collects the facts detectors use. When
 * the whole text does not parse, each statement is parsed alone: the bad ones become problems, the rest are
 * still analysed. Call prepareSqlParser first.
 */
export function parseSql(text: string): SqlFacts {
  try {
    const statements = parseSqlStatements(text, 'spark') as unknown as Json[];
    return { statements: statements.map((statement) => statementFacts(statement, text)), problems: [] };
  } catch (error) {
    if (!(error instanceof ParserError) && !(error instanceof Error && /parser error/i.test(error.message))) throw error;
  }
  const facts: SqlFacts = { statements: [], problems: [] };
  for (const [start, end] of splitSqlStatements(text)) {
    const alone = isolate(text, start, end);
    try {
      const statements = parseSqlStatements(alone, 'spark') as unknown as Json[];
      facts.statements.push(...statements.map((statement) => statementFacts(statement, alone)));
    } catch (error) {
      facts.problems.push(problemOf(error, alone, start + (alone.slice(start).length - alone.slice(start).trimStart().length)));
    }
  }
  return facts;
}
