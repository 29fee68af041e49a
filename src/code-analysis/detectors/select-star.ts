import { isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import type { CellFacts } from '../parsers/syntax-facts.js';

function starFinding(cell: CellFacts, position: CodeFinding['position'], where: string): CodeFinding {
  return {
    cell,
    position,
    title: `${where} reads every column`,
    description:
      `${where} in the final projection asks for every column, so nothing can be pruned: columnar sources (Parquet, ORC, ` +
      'Delta) read all column chunks, and the result carries columns that may not be needed. (In subqueries Spark ' +
      'prunes unused columns itself; this is about the outermost query, and queries with a LIMIT are left alone.)',
    confidence: 'MEDIUM',
    suggestion: 'List the columns the consumer needs.',
    tradeoffs: 'An explicit list has to follow schema changes by hand; for exploration SELECT * with a LIMIT is fine.',
    evidence: { projection: '*' },
  };
}

/** SELECT * (and t.*) in a query's final projection without a LIMIT, and DataFrame select("*"). */
export const selectStarDetector: CodeDetector = {
  type: 'select-star',
  description: 'SELECT * in the outermost query (no LIMIT), or select("*"): every column is read and returned.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select.html',
  languages: ['python', 'scala', 'sql'],
  severity: 'LOW',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const cell of parsed.cells) {
      for (const statement of cell.sqlStatements) {
        for (const position of statement.wildcardProjections) findings.push(starFinding(cell, position, 'SELECT *'));
      }
    }
    for (const [cell, link] of linksOf(parsed)) {
      if (link.name !== 'select' || link.kind !== 'call' || !isMethod(link) || link.args.length !== 1 || link.args[0]!.value !== '*') continue;
      findings.push(starFinding(cell, link.position, 'select("*")'));
    }
    return findings;
  },
};
