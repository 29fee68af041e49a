import { linksOf, type CodeDetector, type CodeFinding } from '../code-detector.js';
import type { CallArgument } from '../parsers/syntax-facts.js';

function isTrue(argument: CallArgument | undefined): boolean {
  return argument !== undefined && (argument.value === true || String(argument.value).toLowerCase() === 'true');
}

/**
 * Schema inference on read (`option("inferSchema", "true")`, `csv(path, inferSchema=True)`): Spark reads the
 * input once more just to guess column types, and the guess changes with the data.
 */
export const csvInferSchemaDetector: CodeDetector = {
  type: 'csv-infer-schema',
  description: 'inferSchema=true on CSV/JSON reads: an extra pass over the input to guess types, which change with the data.',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/sql-data-sources-csv.html',
  languages: ['python', 'scala'],
  severity: 'LOW',
  detect(parsed) {
    const findings: CodeFinding[] = [];
    for (const [cell, link] of linksOf(parsed)) {
      if (link.kind !== 'call' || link.base === null) continue;
      const positional = link.args.filter((argument) => argument.keyword === null);
      const asOption = link.name === 'option' && String(positional[0]?.value).toLowerCase() === 'inferschema' && isTrue(positional[1]);
      const asKeyword = ['csv', 'json', 'load', 'options'].includes(link.name) && isTrue(link.args.find((argument) => argument.keyword === 'inferSchema'));
      if (!asOption && !asKeyword) continue;
      findings.push({
        cell,
        position: link.position,
        title: 'inferSchema reads the input an extra time to guess types',
        description:
          'With inferSchema on, Spark scans the files (all of them, unless samplingRatio is set) in a separate job before ' +
          'the real read, only to guess each column\'s type; a new file with an odd value can change a type between runs.',
        confidence: 'HIGH',
        suggestion: 'Declare the schema: spark.read.schema(schema) with a StructType or a DDL string ("id INT, name STRING").',
        tradeoffs: 'A declared schema must be kept in step with the files; for one-off exploration inference is convenient.',
        evidence: { option: 'inferSchema' },
      });
    }
    return findings;
  },
};
