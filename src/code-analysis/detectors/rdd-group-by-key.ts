import { isInvoked, isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';

/** What usually follows groupByKey when a combining operation would do the same job. */
const REDUCING_FOLLOW_UPS: ReadonlySet<string> = new Set(['mapValues', 'map', 'reduce', 'count', 'countByKey']);

/**
 * RDD groupByKey(): every value of a key is shuffled and held in memory before anything is combined. In Scala,
 * Dataset.groupByKey(func) takes a function and is the typed grouping API, not this; only the RDD form (no
 * arguments, or a partition count/partitioner) fires. PySpark DataFrames have no groupByKey at all.
 */
export const rddGroupByKeyDetector: CodeDetector = {
  type: 'rdd-group-by-key',
  description: 'RDD groupByKey(): all values of each key cross the shuffle before any combining; reduceByKey / aggregateByKey combine first.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/rdd-programming-guide.html#transformations',
  languages: ['python', 'scala'],
  severity: 'MEDIUM',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (link.name !== 'groupByKey' || !isMethod(link) || !isInvoked(cell, link)) continue;
      if (link.args.some((argument) => argument.kind === 'lambda' || (argument.kind === 'name' && cell.cell.language === 'scala'))) continue;
      const followedByReduce = link.next !== null && REDUCING_FOLLOW_UPS.has(link.next.name);
      findings.push({
        cell,
        position: link.position,
        title: 'groupByKey() shuffles every value before combining',
        description:
          'RDD groupByKey() sends every (key, value) pair across the network and builds the full list of values per key ' +
          'in one task\'s memory; a key with many values can run that task out of memory. ' +
          (followedByReduce ? `It is followed by ${link.next!.name}(), which suggests the values are only combined afterwards.` : ''),
        confidence: followedByReduce ? 'HIGH' : 'MEDIUM',
        suggestion:
          'When the values are combined afterwards (sum, count, max, set of values), use reduceByKey, aggregateByKey or ' +
          'combineByKey, which combine on the map side before the shuffle; or move to DataFrames and groupBy().agg().',
        tradeoffs:
          'The combining function must be associative (and commutative for reduceByKey); when every value really is ' +
          'needed together (e.g. sorting a key\'s events), groupByKey is the right tool and the memory per key is the cost.',
        evidence: { method: 'groupByKey', followedBy: link.next?.name ?? null },
      });
    }
    return findings;
  },
};
