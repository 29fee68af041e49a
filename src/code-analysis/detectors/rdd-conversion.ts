import { linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';

/** Uses of `.rdd` that only read metadata and run no RDD code. */
const METADATA_ONLY: ReadonlySet<string> = new Set(['getNumPartitions', 'partitions', 'id', 'name', 'getStorageLevel', 'toDebugString']);

/**
 * `df.rdd`: leaving the DataFrame API for RDDs. Every row is converted to a Row object (in Python also pickled to
 * a Python worker), and the optimizer cannot see what happens next. `df.rdd.getNumPartitions()` is left alone:
 * it reads metadata only.
 */
export const rddConversionDetector: CodeDetector = {
  type: 'rdd-conversion',
  description: '.rdd on a DataFrame: rows leave the optimized engine (converted row by row, and pickled to Python in PySpark).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-programming-guide.html',
  languages: ['python', 'scala'],
  severity: 'LOW',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (link.name !== 'rdd' || link.kind !== 'attribute' || link.base === null || link.base.kind === 'literal') continue;
      if (link.next !== null && METADATA_ONLY.has(link.next.name)) continue;
      findings.push({
        cell,
        position: link.position,
        title: '.rdd leaves the DataFrame engine',
        description:
          'Converting a DataFrame to an RDD turns every row from Spark\'s compact binary format into Row objects' +
          (cell.cell.language === 'python' ? ', pickles them to Python workers,' : '') +
          ' and hides what follows from the optimizer (no predicate push-down, no code generation, no AQE).',
        confidence: 'MEDIUM',
        suggestion:
          'Stay in the DataFrame API: most RDD code (map, filter, reduceByKey, flatMap) has DataFrame equivalents (select ' +
          'with built-in functions, where, groupBy().agg, explode); for an emptiness check use isEmpty() or limit(1).',
        tradeoffs: 'Some algorithms are clearer on RDDs (custom partitioners, mapPartitions with state); then the conversion cost is the price.',
        evidence: { next: link.next?.name ?? null },
      });
    }
    return findings;
  },
};
