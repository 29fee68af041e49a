import { GraphQLUpload, type FileUpload } from 'graphql-upload-minimal';
import { Arg, Mutation, Query, Resolver } from 'type-graphql';
import { analyzeCodeFile, type CodeAnalysis as CodeAnalysisResult } from '../../code-analysis/analyze-code.js';
import { codeDetectors } from '../../code-analysis/registry.js';
import { readCodeUpload } from '../../code-analysis/sources/read-upload.js';
import { InsightConfidence, InsightSeverity } from '../insights/insight-levels.js';
import { CodeAnalysis, CodeInsightType } from './code-analysis.type.js';

/** The service's result in the GraphQL classes' shape (enums and Long). */
function toCodeAnalysis(result: CodeAnalysisResult): CodeAnalysis {
  return {
    ...result,
    insights: result.insights.map((insight) => ({
      ...insight,
      confidence: InsightConfidence[insight.confidence],
      severity: InsightSeverity[insight.severity],
      impactMs: BigInt(insight.impactMs),
    })),
  };
}

/** Analyses notebooks and Spark source files for anti-patterns. */
@Resolver()
export class NotebookResolver {
  @Mutation(() => CodeAnalysis, {
    description:
      'Finds Spark anti-patterns in a notebook or source file: Jupyter .ipynb (nbformat 4), Databricks source exports, ' +
      '.py, .scala or .sql, at most 5 MiB. Multipart request with an "apollo-require-preflight: true" header. Nothing ' +
      'is stored. A file that is not one of these answers BAD_USER_INPUT, a larger one PAYLOAD_TOO_LARGE.',
  })
  async analyzeNotebook(@Arg('file', () => GraphQLUpload) file: Promise<FileUpload>): Promise<CodeAnalysis> {
    const upload = await file;
    // A too-large or unreadable file (UploadTooLargeError, BadInputError) gets its code from formatError.
    const bytes = await readCodeUpload(upload.filename, upload.createReadStream());
    return toCodeAnalysis(await analyzeCodeFile(upload.filename, bytes));
  }

  @Query(() => [CodeInsightType], { description: 'Every anti-pattern analyzeNotebook looks for.' })
  codeInsightTypes(): CodeInsightType[] {
    return codeDetectors.map((detector) => ({
      type: detector.type,
      description: detector.description,
      sparkDocsRef: detector.sparkDocsRef,
      languages: [...detector.languages],
      severity: InsightSeverity[detector.severity],
    }));
  }
}
