import { isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import type { CellFacts } from '../parsers/syntax-facts.js';

/** Bases whose `.join(x)` is a string or path join, never a DataFrame join. */
const NON_DATAFRAME_JOIN_BASES = /^(os|posixpath|ntpath|path|pathlib|string|str|sep|separator|delimiter|delim|newline)$|(_sep|_separator|_delimiter)$/i;

const SUGGESTION =
  'Give the join its condition (on=..., ON ... / USING (...)). When a cartesian product is really meant, keep it ' +
  'explicit (crossJoin / CROSS JOIN) with the small side broadcast, and filter as early as possible.';
const TRADEOFFS =
  'Some problems need every pair (e.g. comparing every row with a small list of rules); then the cost is inherent ' +
  'and the way to bound it is to make one side small.';

function cartesianFinding(cell: CellFacts, position: CodeFinding['position'], how: string, confidence: CodeFinding['confidence']): CodeFinding {
  return {
    cell,
    position,
    title: `Cartesian product: ${how}`,
    description:
      `${how} pairs every row of one side with every row of the other: the output has rows(left) × rows(right) rows, ` +
      'and Spark runs it as a nested loop (CartesianProduct or BroadcastNestedLoopJoin).',
    confidence,
    suggestion: SUGGESTION,
    tradeoffs: TRADEOFFS,
    evidence: { join: how },
  };
}

/**
 * Joins without a condition: DataFrame crossJoin(), join(other) with no `on`, join(..., how="cross"); in SQL
 * CROSS JOIN, JOIN without ON/USING, and comma-separated tables without a WHERE. Python's `", ".join(parts)` and
 * os.path.join are told apart by their base.
 */
export const cartesianJoinDetector: CodeDetector = {
  type: 'cartesian-join',
  description: 'Joins without a condition (crossJoin, join(other) with no key, CROSS JOIN, JOIN without ON, FROM a, b without WHERE): every row pairs with every row.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-join.html',
  languages: ['python', 'scala', 'sql'],
  severity: 'HIGH',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (!isMethod(link) || link.base?.kind === 'literal') continue;
      if (link.name === 'crossJoin' && link.args.length === 1) {
        findings.push(cartesianFinding(cell, link.position, 'crossJoin()', 'HIGH'));
        continue;
      }
      if (link.name !== 'join') continue;
      const baseName = link.receiver === null && link.base?.kind === 'name' ? link.base.name : '';
      if (NON_DATAFRAME_JOIN_BASES.test(baseName) || link.receiver?.name === 'path') continue;
      const how = link.args.find((argument) => argument.keyword === 'how') ?? link.args.filter((argument) => argument.keyword === null)[2];
      if (how?.value === 'cross') {
        findings.push(cartesianFinding(cell, link.position, 'join(..., how="cross")', 'HIGH'));
        continue;
      }
      const positional = link.args.filter((argument) => argument.keyword === null);
      const hasCondition = positional.length > 1 || link.args.some((argument) => argument.keyword === 'on' || argument.keyword === 'joinExprs' || argument.keyword === 'usingColumn' || argument.keyword === 'usingColumns');
      // str.join takes a list, generator or string; a DataFrame join's other side is a name or an expression.
      const other = positional[0];
      if (hasCondition || link.args.length !== 1 || other === undefined || !(other.kind === 'name' || other.kind === 'call')) continue;
      findings.push(cartesianFinding(cell, link.position, 'join() without a join condition', 'MEDIUM'));
    }
    for (const cell of parsed.cells) {
      for (const statement of cell.sqlStatements) {
        for (const join of statement.cartesianJoins) {
          findings.push({ ...cartesianFinding(cell, join.position, `${join.how} (${join.table})`, 'HIGH'), evidence: { join: join.how, table: join.table } });
        }
      }
    }
    return findings;
  },
};
