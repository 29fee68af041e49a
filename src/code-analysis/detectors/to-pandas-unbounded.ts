import { isMethod, linksOf, resultSize, type CodeDetector, type CodeFinding } from '../code-detector.js';

/**
 * toPandas() (and pandas-on-Spark's to_pandas()) with no limit or aggregation before it: the whole DataFrame is
 * collected to the driver and converted into one pandas DataFrame in its memory.
 */
export const toPandasUnboundedDetector: CodeDetector = {
  type: 'to-pandas-unbounded',
  description: 'toPandas() of a DataFrame with no limit or aggregation before it: the whole table becomes one pandas DataFrame on the driver.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/api/python/tutorial/sql/arrow_pandas.html',
  languages: ['python'],
  severity: 'HIGH',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed, ['python'])) {
      if ((link.name !== 'toPandas' && link.name !== 'to_pandas') || link.kind !== 'call' || !isMethod(link) || link.args.length > 0) continue;
      const size = resultSize(link);
      if (size === 'bounded') continue;
      findings.push({
        cell,
        position: link.position,
        title: `${link.name}() converts the whole DataFrame on the driver`,
        description:
          `${link.name}() collects every row to the driver and builds a pandas DataFrame there, which needs the data ` +
          'in memory roughly twice (Arrow batches and the pandas copy); nothing in the chain bounds the row count.',
        confidence: size === 'unbounded' ? 'MEDIUM' : 'LOW',
        suggestion:
          'Bound it with limit(n) or an aggregation first, keep the work in Spark (the pandas API on Spark, ' +
          'pyspark.pandas, offers the same operations distributed), or enable Arrow ' +
          '(spark.sql.execution.arrow.pyspark.enabled) if the result is small but slow to convert.',
        tradeoffs:
          'pyspark.pandas is not fully pandas-compatible and some operations shuffle; Arrow does not support every ' +
          'column type and falls back to the slow path for those.',
        evidence: { method: link.name, resultSize: size },
      });
    }
    return findings;
  },
};
