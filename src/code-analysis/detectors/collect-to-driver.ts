import { isInvoked, isMethod, linksOf, resultSize, type CodeDetector, type CodeFinding } from '../code-detector.js';

/** Actions that copy a whole DataFrame or RDD into the driver's memory. */
const COLLECTING_METHODS: ReadonlySet<string> = new Set(['collect', 'collectAsList']);

/**
 * collect() of a DataFrame or RDD whose chain has no limit or aggregation: every row travels to the driver and
 * must fit in its memory. Scala's `xs.collect { case ... }` takes a partial function and is not a Spark action;
 * only the argument-less form is.
 */
export const collectToDriverDetector: CodeDetector = {
  type: 'collect-to-driver',
  description: 'collect() / collectAsList() of a DataFrame or RDD with no limit or aggregation before it: every row goes to the driver.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/rdd-programming-guide.html#printing-elements-of-an-rdd',
  languages: ['python', 'scala'],
  severity: 'HIGH',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (!COLLECTING_METHODS.has(link.name) || !isMethod(link) || !isInvoked(cell, link) || link.args.length > 0) continue;
      if (link.base?.kind === 'literal') continue;
      const size = resultSize(link);
      if (size === 'bounded') continue;
      findings.push({
        cell,
        position: link.position,
        title: `${link.name}() brings every row to the driver`,
        description:
          `${link.name}() copies the whole result into the driver's memory and no limit() or aggregation comes before it in ` +
          `the chain. ${size === 'grouped' ? 'A grouped result is only as small as the number of groups. ' : ''}` +
          `${size === 'from-sql' ? 'Its size depends on the SQL query it runs. ' : ''}` +
          'On a large table this can run the driver out of memory (java.lang.OutOfMemoryError or "Total size of serialized results ... is bigger than spark.driver.maxResultSize").',
        confidence: size === 'unbounded' ? 'HIGH' : size === 'grouped' ? 'LOW' : 'MEDIUM',
        suggestion:
          'Keep the work on the executors: aggregate first, take a sample with limit(n) / take(n), write the result to ' +
          'storage, or iterate with toLocalIterator() when every row must pass through the driver.',
        tradeoffs:
          'limit() and take() look at part of the data; toLocalIterator() fetches one partition at a time, so it needs ' +
          'memory for the largest partition and runs one job per partition.',
        evidence: { method: link.name, resultSize: size },
      });
    }
    return findings;
  },
};
