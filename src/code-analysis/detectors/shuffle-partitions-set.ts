import { linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import type { CellFacts } from '../parsers/syntax-facts.js';

const KEY = 'spark.sql.shuffle.partitions';
/** Calls that set a configuration value: spark.conf.set, SparkSession.builder.config, SparkConf.set, setConf. */
const SETTERS: ReadonlySet<string> = new Set(['set', 'config', 'setConf']);

function settingFinding(cell: CellFacts, position: CodeFinding['position'], value: string): CodeFinding {
  return {
    cell,
    position,
    title: `${KEY} is hard-coded to ${value}`,
    description:
      `The code fixes the number of shuffle partitions at ${value} for every shuffle of the session. One number fits ` +
      'one data size: with more data the partitions grow (and spill), with less they become many tiny tasks.',
    confidence: 'HIGH',
    suggestion:
      'Leave it to Adaptive Query Execution (on by default since Spark 3.2): it coalesces shuffle partitions to ' +
      'spark.sql.adaptive.advisoryPartitionSizeInBytes; set spark.sql.adaptive.coalescePartitions.initialPartitionNum ' +
      'high if the default 200 is too few to start from. If a fixed number is kept, set it per job in configuration, not in code.',
    tradeoffs:
      'Without AQE (Spark before 3.2, or disabled) a tuned fixed value can be the best available, and a job with a ' +
      'known, stable data size may want it pinned.',
    evidence: { key: KEY, value },
  };
}

/** spark.sql.shuffle.partitions set in code (conf.set, builder.config, SQL SET); `auto` (Databricks) is left alone. */
export const shufflePartitionsSetDetector: CodeDetector = {
  type: 'shuffle-partitions-set',
  description: 'spark.sql.shuffle.partitions hard-coded in code or SQL SET: one partition count for every shuffle and data size.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-performance-tuning.html#coalescing-post-shuffle-partitions',
  languages: ['python', 'scala', 'sql'],
  severity: 'INFO',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (!SETTERS.has(link.name) || link.kind !== 'call' || link.base === null) continue;
      const [key, value] = link.args;
      if (key?.value !== KEY || value === undefined || String(value.value ?? value.text).toLowerCase() === 'auto') continue;
      findings.push(settingFinding(cell, link.position, value.value === null ? value.text : String(value.value)));
    }
    for (const cell of parsed.cells) {
      for (const statement of cell.sqlStatements) {
        for (const setting of statement.settings) {
          if (setting.key.toLowerCase() !== KEY || setting.value.toLowerCase() === 'auto') continue;
          findings.push(settingFinding(cell, setting.position, setting.value));
        }
      }
    }
    return findings;
  },
};
