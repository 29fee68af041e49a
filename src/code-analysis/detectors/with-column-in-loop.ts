import { isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';

/** Methods that add one projection to the plan per call. */
const ONE_PROJECTION_PER_CALL: ReadonlySet<string> = new Set(['withColumn', 'withColumnRenamed']);

/**
 * withColumn()/withColumnRenamed() in a loop: each call wraps the plan in another projection, and the analyzer
 * re-analyses the growing plan every time (PySpark's own docs warn it can end in a StackOverflowError).
 */
export const withColumnInLoopDetector: CodeDetector = {
  type: 'with-column-in-loop',
  description: 'withColumn() / withColumnRenamed() inside a loop: the plan grows one projection per iteration and analysis time grows with it.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.withColumn.html',
  languages: ['python', 'scala'],
  severity: 'MEDIUM',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (!ONE_PROJECTION_PER_CALL.has(link.name) || link.loopDepth === 0 || !isMethod(link) || link.kind !== 'call') continue;
      const batched = link.name === 'withColumn' ? 'withColumns({...})' : 'withColumnsRenamed({...})';
      findings.push({
        cell,
        position: link.position,
        title: `${link.name}() inside a loop grows the query plan every iteration`,
        description:
          `Each ${link.name}() call adds a projection on top of the plan and triggers analysis of the whole plan again; in a ` +
          'loop over many columns the plan gets deep, the driver spends its time in the analyzer, and very deep plans ' +
          'fail with StackOverflowError.',
        confidence: 'HIGH',
        suggestion: `Build all the columns first and apply them in one call: ${batched} (Spark 3.3+/3.4+) or one select() with every expression.`,
        tradeoffs: 'One select() with many expressions is less incremental to debug; withColumns needs Spark 3.3 (withColumnsRenamed 3.4).',
        evidence: { method: link.name, loopDepth: link.loopDepth },
      });
    }
    return findings;
  },
};
