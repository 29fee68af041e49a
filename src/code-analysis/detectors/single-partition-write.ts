import { firstPositional, isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import { linksAfter, type ChainLink } from '../parsers/syntax-facts.js';

/** Members that start writing a DataFrame or RDD out. */
const WRITERS: ReadonlySet<string> = new Set(['write', 'writeTo', 'writeStream', 'saveAsTextFile', 'saveAsObjectFile', 'saveAsHadoopFile', 'saveAsNewAPIHadoopFile', 'saveAsTable', 'insertInto']);

/**
 * repartition(1) or coalesce(1) followed by a write, in the same chain or through the variable it was assigned
 * to: one task writes the whole output.
 */
export const singlePartitionWriteDetector: CodeDetector = {
  type: 'single-partition-write',
  description: 'repartition(1) / coalesce(1) before a write: one task writes all the data (and coalesce(1) can pull the whole upstream stage into one task).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/api/python/reference/pyspark.sql/api/pyspark.sql.DataFrame.coalesce.html',
  languages: ['python', 'scala'],
  severity: 'MEDIUM',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    const all = [...linksOf(parsed)];
    const writtenLater = (name: string, after: ChainLink): boolean =>
      all.some(([, link]) => link.receiver === null && link.base?.kind === 'name' && link.base.name === name && WRITERS.has(link.name) && link !== after);
    for (const [cell, link] of all) {
      if ((link.name !== 'repartition' && link.name !== 'coalesce') || !isMethod(link) || firstPositional(link) !== 1) continue;
      const inChain = linksAfter(link).some((next) => WRITERS.has(next.name));
      const throughVariable = !inChain && link.next === null && link.assignedTo !== null && writtenLater(link.assignedTo, link);
      if (!inChain && !throughVariable) continue;
      findings.push({
        cell,
        position: link.position,
        title: `${link.name}(1) before a write: one task writes everything`,
        description:
          `${link.name}(1) puts all rows in one partition, so a single task on one core writes the whole output` +
          (link.name === 'coalesce'
            ? '; coalesce(1) also avoids a shuffle by merging upstream partitions, which can make the work before it run in that one task too.'
            : ', after a shuffle that moves every row to one executor.'),
        confidence: inChain ? 'HIGH' : 'MEDIUM',
        suggestion:
          'Let Spark write several files (drop the call, or repartition to a count that gives files of 128 MB-1 GB); if ' +
          'one file is required, prefer repartition(1) over coalesce(1) so the upstream work stays parallel, or merge ' +
          'files after the write.',
        tradeoffs:
          'More partitions mean more output files; readers that expect exactly one file (some exports) need the merge ' +
          'step, and tiny outputs are fine in one file.',
        evidence: { method: link.name, partitions: 1, writeInSameChain: inChain },
      });
    }
    return findings;
  },
};
