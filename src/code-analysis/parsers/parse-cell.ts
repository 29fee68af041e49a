import { parserText, type CellPosition, type CodeCell } from '../code-model.js';
import { parsePython } from './python-parser.js';
import { parseScala } from './scala-parser.js';
import { parseSql, type SqlFacts } from './sql-parser.js';
import { lineStartsOf, offsetAt, positionAt, type CallArgument, type CellFacts, type SqlStatementFact } from './syntax-facts.js';

/** Opening quotes of a plain string literal (Python r/u prefixes, Scala triple quotes); f-strings and bytes never match. */
const PLAIN_STRING_OPENING = /^([rRuU]?)("""|'''|"|')/;

/** Moves every position of SQL facts through `move` (from the SQL text's coordinates to the cell's). */
function moveSqlFacts(facts: SqlStatementFact, move: (position: CellPosition) => CellPosition): SqlStatementFact {
  return {
    topLevelOrderByWithoutLimit: facts.topLevelOrderByWithoutLimit.map(move),
    wildcardProjections: facts.wildcardProjections.map(move),
    cartesianJoins: facts.cartesianJoins.map((join) => ({ ...join, position: move(join.position) })),
    settings: facts.settings.map((setting) => ({ ...setting, position: move(setting.position) })),
  };
}

/**
 * SQL passed to `spark.sql("...")` as a plain string literal is parsed too, with positions inside the string
 * mapped back to the cell. Templated strings (`{name}` or `%s` placeholders, f-strings, interpolation) are left
 * alone: their SQL is not known until run time.
 */
function embeddedSql(text: string, argument: CallArgument): { facts: SqlFacts; move: (position: CellPosition) => CellPosition } | null {
  if (argument.kind !== 'string') return null;
  const opening = PLAIN_STRING_OPENING.exec(argument.text);
  if (!opening) return null;
  const quote = opening[2]!;
  const contentStart = argument.offset + opening[0].length;
  const content = argument.text.slice(opening[0].length, argument.text.length - quote.length);
  if (/\{[^}]*\}|%[sd(]/.test(content)) return null;
  const cellLineStarts = lineStartsOf(text);
  const sqlLineStarts = lineStartsOf(content);
  const move = (position: CellPosition): CellPosition =>
    positionAt(cellLineStarts, contentStart + offsetAt(sqlLineStarts, position));
  return { facts: parseSql(content), move };
}

/**
 * Parses one cell with its language's parser into the facts detectors read. Python and Scala cells also yield
 * the SQL of their `spark.sql("...")` strings. Parse problems are facts too: the caller reports them as warnings.
 */
export function parseCell(cell: CodeCell): CellFacts {
  const text = parserText(cell);
  if (cell.language === 'sql') {
    const sql = parseSql(text);
    return { cell, links: [], references: [], assignments: [], functions: [], sqlStatements: sql.statements, problems: sql.problems };
  }
  const facts = cell.language === 'python' ? parsePython(text) : parseScala(text);
  const sqlStatements: SqlStatementFact[] = [];
  const problems = [...facts.problems];
  for (const link of facts.links) {
    if (link.name !== 'sql' || link.kind !== 'call' || link.base === null || link.args[0] === undefined) continue;
    const embedded = embeddedSql(text, link.args[0]);
    if (!embedded) continue;
    sqlStatements.push(...embedded.facts.statements.map((statement) => moveSqlFacts(statement, embedded.move)));
    problems.push(
      ...embedded.facts.problems.map((problem) => ({
        position: embedded.move(problem.position),
        message: `in the SQL passed to ${link.name}(): ${problem.message}`,
      })),
    );
  }
  return { cell, ...facts, sqlStatements, problems };
}
