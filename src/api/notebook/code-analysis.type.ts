import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import { JSONObjectResolver } from 'graphql-scalars';
import type { EvidenceValue } from '../../analysis/insight.js';
import { LongScalar } from '../common/long.scalar.js';
import { Finding } from '../insights/finding.type.js';
import { InsightSeverity } from '../insights/insight-levels.js';

/** Where in a code file something is. */
@ObjectType({ description: 'A place in a code file: the notebook cell, the line and column in it, and the line in the file.' })
export class CodeLocation {
  @Field(() => Int, { description: '0-based position of the cell in the notebook, markdown cells counted; 0 for a plain file.' })
  cellIndex!: number;

  @Field(() => Int, { description: '1-based line inside the cell, as the notebook numbers it (the file line for a plain file).' })
  line!: number;

  @Field(() => Int, { description: '1-based column.' })
  column!: number;

  @Field(() => Int, { nullable: true, description: 'Line in the file for line-oriented files (.py, .scala, .sql, Databricks exports); null for .ipynb.' })
  fileLine!: number | null;

  @Field(() => Int, { nullable: true, description: 'Column in the file (after the "# MAGIC " prefix in Databricks magic cells); null for .ipynb.' })
  fileColumn!: number | null;

  @Field(() => String, { description: 'The cell\'s language: python, scala or sql.' })
  language!: string;
}

/** A code location with the code found there. */
@ObjectType({ description: 'Where a code insight is, with the line of code it is on.' })
export class CodeInsightLocation extends CodeLocation {
  @Field(() => String, { description: 'The line of code, trimmed (at most 160 characters).' })
  excerpt!: string;
}

/** A Spark anti-pattern found in code: the same fields as Insight, without an application. */
@ObjectType({
  implements: Finding,
  description:
    'A Spark anti-pattern found in source code. It has the fields of Insight (without appId: no application ran) ' +
    'and a location. Nothing was measured: impact is 0, severity is the detector\'s fixed level (HIGH can fail or ' +
    'stall a job, MEDIUM wastes a stage, LOW wastes I/O or CPU, INFO is hygiene), and evidence holds the location.',
})
export class CodeInsight extends Finding {
  @Field(() => ID, { description: 'Stable for the file: type, cell, line and column, e.g. "collect-to-driver:cell-2:4:13".' })
  declare id: string;

  @Field(() => String, { description: 'Detector that found it (see Query.codeInsightTypes).' })
  declare type: string;

  @Field(() => JSONObjectResolver, { description: 'cellIndex, line, column, fileLine, fileColumn, excerpt, language, and what the detector matched.' })
  declare evidence: { [key: string]: EvidenceValue };

  @Field(() => Int, { nullable: true, description: 'Always null: code has no jobs.' })
  jobId!: number | null;

  @Field(() => Int, { nullable: true, description: 'Always null: code has no stages.' })
  stageId!: number | null;

  @Field(() => Int, { nullable: true, description: 'Always null.' })
  stageAttemptId!: number | null;

  @Field(() => Int, { nullable: true, description: 'Always null.' })
  sqlExecutionId!: number | null;

  @Field(() => Float, { description: 'Always 0: nothing ran, so there is no share of run time.' })
  declare impact: number;

  @Field(() => LongScalar, { description: 'Always 0.' })
  impactMs!: bigint;

  @Field(() => CodeInsightLocation)
  location!: CodeInsightLocation;
}

/** A cell the parser could not read whole. */
@ObjectType({ description: 'A syntax error: the cell is analysed as far as it parsed (Python, SQL) or skipped (Scala); the other cells are analysed.' })
export class CodeAnalysisWarning {
  @Field(() => CodeLocation)
  location!: CodeLocation;

  @Field(() => String)
  message!: string;
}

/** What analysing a code file found. */
@ObjectType({ description: 'The Spark anti-patterns found in one notebook or source file.' })
export class CodeAnalysis {
  @Field(() => String)
  fileName!: string;

  @Field(() => String, { description: 'How the file was read: jupyter, databricks, python, scala or sql.' })
  format!: string;

  @Field(() => String, { description: 'The notebook\'s main language (cells may differ, e.g. %sql cells).' })
  language!: string;

  @Field(() => Int, { description: 'Cells in the notebook, code or not (1 for a plain file).' })
  totalCells!: number;

  @Field(() => Int, { description: 'Cells analysed: Python, Scala and SQL code cells.' })
  codeCells!: number;

  @Field(() => [CodeInsight], { description: 'In file order: cell, line, column.' })
  insights!: CodeInsight[];

  @Field(() => [CodeAnalysisWarning])
  warnings!: CodeAnalysisWarning[];
}

/** A kind of code insight. */
@ObjectType({ description: 'A Spark anti-pattern the code analysis looks for.' })
export class CodeInsightType {
  @Field(() => String)
  type!: string;

  @Field(() => String)
  description!: string;

  @Field(() => String)
  sparkDocsRef!: string;

  @Field(() => [String], { description: 'Languages it reads: python, scala, sql.' })
  languages!: string[];

  @Field(() => InsightSeverity, { description: 'Its fixed severity.' })
  severity!: InsightSeverity;
}
