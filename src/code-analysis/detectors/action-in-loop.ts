import { isInvoked, isMethod, linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import { chainOf } from '../parsers/syntax-facts.js';

/** Actions that are unambiguous by name and argument count (DataFrame/RDD count() takes none; list.count(x) one). */
const ARGUMENTLESS_ACTIONS: ReadonlySet<string> = new Set(['count', 'collect', 'collectAsList', 'toPandas', 'toLocalIterator', 'isEmpty', 'countByKey', 'countByValue']);
/** Actions that take arguments but are Spark's alone. */
const NAMED_ACTIONS: ReadonlySet<string> = new Set(['show', 'saveAsTable', 'insertInto', 'saveAsTextFile']);
/** Writer methods, actions when they end a `.write` chain. */
const WRITE_ACTIONS: ReadonlySet<string> = new Set(['save', 'parquet', 'csv', 'json', 'orc', 'text', 'jdbc']);

/**
 * Spark actions inside a loop body (for/while, a comprehension's element): each iteration launches at least one
 * job, re-reading and recomputing the DataFrame's whole lineage unless it is cached. `for row in df.collect():`
 * is not one: the iterable is evaluated once.
 */
export const actionInLoopDetector: CodeDetector = {
  type: 'action-in-loop',
  description: 'Spark actions (count, collect, show, toPandas, writes) inside a loop: one or more jobs per iteration, each recomputing the lineage.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/rdd-programming-guide.html#actions',
  languages: ['python', 'scala'],
  severity: 'HIGH',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (link.loopDepth === 0 || !isMethod(link) || !isInvoked(cell, link) || link.base?.kind === 'literal') continue;
      const isWrite = WRITE_ACTIONS.has(link.name) && chainOf(link).some((each) => each.name === 'write');
      const isAction = (ARGUMENTLESS_ACTIONS.has(link.name) && link.args.length === 0) || NAMED_ACTIONS.has(link.name) || isWrite;
      if (!isAction) continue;
      findings.push({
        cell,
        position: link.position,
        title: `${link.name}() inside a loop runs a Spark job every iteration`,
        description:
          `${link.name}() is an action and it sits inside a loop, so every iteration starts at least one job that reads ` +
          'the sources and recomputes every transformation before it, unless the DataFrame is cached.',
        confidence: link.name === 'show' ? 'MEDIUM' : 'HIGH',
        suggestion:
          'Compute once outside the loop: one aggregation with groupBy() over what the loop varies, a single write ' +
          'partitioned by that column (partitionBy), or cache() the input before the loop if it really must run per item.',
        tradeoffs:
          'A single grouped job can be harder to read than the loop; caching holds executor memory (and spills to disk ' +
          'with MEMORY_AND_DISK) until unpersist().',
        evidence: { action: link.name, loopDepth: link.loopDepth },
      });
    }
    return findings;
  },
};
