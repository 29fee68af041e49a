import type { Confidence } from '../../analysis/insight.js';
import type { CodeDetector, CodeFinding } from '../code-detector.js';
import type { CellFacts, ChainLink, FunctionFact, ParameterTransform } from '../parsers/syntax-facts.js';

/** Python and Scala operations on one value that Spark has as built-in functions (pyspark.sql.functions / functions._). */
const BUILT_IN_EQUIVALENTS: ReadonlyMap<string, string> = new Map([
  ['lower', 'lower'],
  ['upper', 'upper'],
  ['strip', 'trim'],
  ['lstrip', 'ltrim'],
  ['rstrip', 'rtrim'],
  ['title', 'initcap'],
  ['len', 'length'],
  ['abs', 'abs'],
  ['round', 'round'],
  ['str', "cast('string')"],
  ['int', "cast('int')"],
  ['float', "cast('double')"],
  ['replace', 'regexp_replace'],
  ['split', 'split'],
  ['startswith', 'startswith'],
  ['endswith', 'endswith'],
  ['zfill', 'lpad'],
  ['toLowerCase', 'lower'],
  ['toUpperCase', 'upper'],
  ['trim', 'trim'],
  ['length', 'length'],
  ['toString', "cast('string')"],
  ['toInt', "cast('int')"],
  ['toDouble', "cast('double')"],
  ['startsWith', 'startswith'],
  ['endsWith', 'endswith'],
]);

/** Names that make a Python UDF (pandas_udf is the recommended vectorised alternative and is left alone). */
const UDF_FACTORIES: ReadonlySet<string> = new Set(['udf']);

/** The built-in expression a transform maps to (`['strip', 'lower']` → lower(trim(col))), or null. */
function builtInFor(transform: ParameterTransform): string | null {
  if (transform === null || transform.length === 0) return null;
  let expression = 'col';
  for (const step of transform) {
    const equivalent = BUILT_IN_EQUIVALENTS.get(step);
    if (equivalent === undefined) return null;
    expression = equivalent.startsWith('cast') ? `${expression}.${equivalent}` : `${equivalent}(${expression})`;
  }
  return expression;
}

function finding(cell: CellFacts, link: ChainLink, transform: ParameterTransform, what: string): CodeFinding | null {
  const builtIn = builtInFor(transform);
  const python = cell.cell.language === 'python';
  // A Scala UDF runs in the JVM: only the built-in case (the optimizer cannot see into it) is worth saying.
  if (!python && builtIn === null) return null;
  const confidence: Confidence = builtIn === null ? 'LOW' : python ? 'HIGH' : 'MEDIUM';
  return {
    cell,
    position: link.position,
    title: builtIn ? `UDF ${what} does what the built-in ${builtIn} does` : `Python UDF ${what}`,
    description: builtIn
      ? `The function only applies ${transform!.join(' then ')} to its argument, which Spark has built in as ${builtIn}. ` +
        (python
          ? 'A Python UDF ships every row to a Python worker and back, and the optimizer cannot look inside it.'
          : 'The optimizer cannot look inside a UDF (no predicate push-down or constant folding through it).')
      : 'A row-at-a-time Python UDF ships every row from the JVM to a Python worker process and back, one value at a time, ' +
        'and the optimizer cannot look inside it.',
    confidence,
    suggestion: builtIn
      ? `Use the built-in: ${builtIn} from ${python ? 'pyspark.sql.functions' : 'org.apache.spark.sql.functions'}.`
      : 'Look for a built-in in pyspark.sql.functions first; otherwise a pandas_udf (vectorised, Arrow batches) or, on ' +
        'Spark 3.5+, an Arrow-optimised UDF (useArrow=True) moves data in batches instead of row by row.',
    tradeoffs: builtIn
      ? 'Built-ins follow SQL semantics, which can differ from Python\'s at the edges (null handling, Unicode case rules, ' +
        'regular-expression syntax in regexp_replace): check them on your data.'
      : 'pandas_udf needs pandas and PyArrow on the executors and code written over pandas Series; some logic has no ' +
        'built-in and a UDF remains the clearest way to say it.',
    evidence: { udf: what, transform: transform ?? null, builtIn },
  };
}

/**
 * User-defined functions where Spark has a built-in (a UDF that only lower-cases, strips, measures length...),
 * and, with low confidence, every row-at-a-time Python UDF. Finds `@udf` / `@F.udf(...)` functions, `udf(f)` /
 * `F.udf(lambda ...)` calls and `spark.udf.register(name, f)`; Scala `udf((s: String) => s.toLowerCase)` only when
 * a built-in exists.
 */
export const pythonUdfDetector: CodeDetector = {
  type: 'python-udf',
  description: 'UDFs that re-implement a Spark built-in (lower, trim, length...), and row-at-a-time Python UDFs in general (low confidence).',
  sparkDocsRef: 'https://spark.apache.org/docs/latest/api/python/user_guide/udfandudtf.html',
  languages: ['python', 'scala'],
  severity: 'MEDIUM',
  detect(parsed) {
    const functions = new Map<string, FunctionFact>();
    for (const cell of parsed.cells) for (const fact of cell.functions) functions.set(fact.name, fact);
    const findings: CodeFinding[] = [];
    for (const cell of parsed.cells) {
      for (const fact of cell.functions) {
        const decorator = fact.decorators.find((link) => UDF_FACTORIES.has(link.name));
        if (!decorator) continue;
        const found = finding(cell, decorator, fact.transform, `${fact.name}()`);
        if (found) findings.push(found);
      }
      for (const link of cell.links) {
        if (link.kind !== 'call') continue;
        const isFactory = UDF_FACTORIES.has(link.name) && (link.base === null || link.base.kind === 'name');
        const isRegister = link.name === 'register' && link.receiver?.name === 'udf';
        if (!isFactory && !isRegister) continue;
        const functionArgument = link.args.find((argument) => argument.keyword === null && (argument.kind === 'lambda' || argument.kind === 'name'));
        if (!functionArgument) continue;
        const named = functionArgument.name !== null ? functions.get(functionArgument.name) : undefined;
        // A name that is no function of this file (a type, an imported function) tells nothing.
        if (functionArgument.kind === 'name' && named === undefined) continue;
        const transform = functionArgument.lambda?.transform ?? named?.transform ?? null;
        const found = finding(cell, link, transform, named ? `${named.name}()` : `(${functionArgument.text.slice(0, 40)})`);
        if (found) findings.push(found);
      }
    }
    return findings;
  },
};
