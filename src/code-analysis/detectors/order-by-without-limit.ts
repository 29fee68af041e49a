import type { CodeDetector, CodeFinding } from '../code-detector.js';

/**
 * ORDER BY on a statement's outermost query with no LIMIT: a global sort (range-partitioning shuffle plus a
 * sampling job) whose order only a reader that keeps it can use. Views and subqueries are left alone.
 */
export const orderByWithoutLimitDetector: CodeDetector = {
  type: 'order-by-without-limit',
  description: 'SQL ORDER BY on the final result without LIMIT: a global sort of everything (a sampling job and a range shuffle).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-ref-syntax-qry-select-orderby.html',
  languages: ['python', 'scala', 'sql'],
  severity: 'MEDIUM',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const cell of parsed.cells) {
      for (const statement of cell.sqlStatements) {
        for (const position of statement.topLevelOrderByWithoutLimit) {
          findings.push({
            cell,
            position,
            title: 'ORDER BY without LIMIT sorts the whole result',
            description:
              'ORDER BY on the final result is a total order across the cluster: Spark samples the data to choose range ' +
              'boundaries (an extra job), shuffles every row, and sorts each range. Without a LIMIT, all rows go through it.',
            confidence: 'MEDIUM',
            suggestion:
              'Sort only when the consumer needs the order: add a LIMIT for a top-N (Spark then keeps a small heap per ' +
              'partition), use SORT BY / sortWithinPartitions for per-file order, or drop the ORDER BY.',
            tradeoffs:
              'Some consumers rely on ordered output (reports, files read in sequence); a sort before a write can also ' +
              'help compression and data skipping, which may be worth the shuffle.',
            evidence: { clause: 'ORDER BY' },
          });
        }
      }
    }
    return findings;
  },
};
