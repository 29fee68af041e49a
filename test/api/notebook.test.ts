import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CODE_FILE_BYTES } from '../../src/code-analysis/limits.js';
import { AnalyzeNotebookDocument, CodeInsightTypesDocument } from '../generated/graphql.js';
import { gql, gqlUpload, startTestServer, type TestServer } from '../helpers/server.js';

const fixture = (name: string): string => join('test', 'fixtures', 'code', name);

describe('Mutation.analyzeNotebook over real multipart uploads', () => {
  let server: TestServer;
  let scratch: string;
  beforeAll(async () => {
    server = await startTestServer();
    scratch = mkdtempSync(join(tmpdir(), 'spark-sword-notebook-test-'));
  });
  afterAll(async () => {
    await server.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('reports the findings of a notebook with their cells, lines and columns', async () => {
    const result = await gqlUpload(server.graphqlUrl, AnalyzeNotebookDocument, fixture('sales_analysis.ipynb'));
    expect(result.errors).toBeUndefined();
    const analysis = result.data!.analyzeNotebook;
    expect(analysis).toMatchObject({ fileName: 'sales_analysis.ipynb', format: 'jupyter', language: 'python', totalCells: 8, codeCells: 5 });
    const collect = analysis.insights.find((insight) => insight.type === 'collect-to-driver')!;
    expect(collect).toMatchObject({
      id: 'collect-to-driver:cell-2:2:14',
      confidence: 'HIGH',
      severity: 'HIGH',
      jobId: null,
      stageId: null,
      stageAttemptId: null,
      sqlExecutionId: null,
      impact: 0,
      impactMs: '0',
      location: { cellIndex: 2, line: 2, column: 14, fileLine: null, fileColumn: null, language: 'python', excerpt: 'rows = sales.collect()' },
    });
    expect(collect.evidence).toMatchObject({ cellIndex: 2, line: 2, column: 14, excerpt: 'rows = sales.collect()' });
    expect(collect.sparkDocsRef).toMatch(/^https:\/\/spark\.apache\.org\//);
    expect(analysis.insights.map((insight) => insight.type)).toEqual(['csv-infer-schema', 'collect-to-driver', 'order-by-without-limit', 'action-in-loop']);
    expect(analysis.warnings).toEqual([{ location: { cellIndex: 7, line: 2, column: 13 }, message: 'Python syntax error' }]);
  });

  it('reads a Databricks source export', async () => {
    const result = await gqlUpload(server.graphqlUrl, AnalyzeNotebookDocument, fixture('etl_job.py'));
    expect(result.data!.analyzeNotebook.format).toBe('databricks');
    expect(result.data!.analyzeNotebook.insights.map((insight) => [insight.type, insight.location.fileLine])).toEqual([
      ['unused-cache', 9],
      ['cartesian-join', 15],
      ['single-partition-write', 20],
    ]);
  });

  it.each([
    ['not JSON', 'broken.ipynb', null, /broken\.ipynb is not JSON/],
    ['JSON but not a notebook', 'no_nbformat.ipynb', null, /not a Jupyter notebook: it has no "nbformat" version/],
    ['an nbformat 3 notebook', 'nbformat3.ipynb', null, /nbformat 3 notebook/],
    ['a binary file', 'binary.py', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00]), /binary\.py is binary, not text/],
    ['an unsupported extension', 'report.pdf', Buffer.from('%PDF-1.4'), /unsupported file type "\.pdf"/],
  ])('answers BAD_USER_INPUT for %s', async (_label, name, content, message) => {
    let path = fixture(name);
    if (content !== null) {
      path = join(scratch, name);
      writeFileSync(path, content);
    }
    const result = await gqlUpload(server.graphqlUrl, AnalyzeNotebookDocument, path);
    expect(result.data ?? null).toBeNull();
    expect(result.errors![0]!.extensions!.code).toBe('BAD_USER_INPUT');
    expect(result.errors![0]!.message).toMatch(message);
  });

  it('answers PAYLOAD_TOO_LARGE for a file over the code size limit, while it streams', async () => {
    const path = join(scratch, 'huge.py');
    writeFileSync(path, Buffer.alloc(MAX_CODE_FILE_BYTES + 1024, 0x20));
    const result = await gqlUpload(server.graphqlUrl, AnalyzeNotebookDocument, path);
    expect(result.errors![0]!.extensions!.code).toBe('PAYLOAD_TOO_LARGE');
    expect(result.errors![0]!.message).toBe(`huge.py is larger than the limit of ${MAX_CODE_FILE_BYTES} bytes for code files`);
  });

  it('lists the code insight types', async () => {
    const result = await gql(server.graphqlUrl, CodeInsightTypesDocument);
    const types = result.data!.codeInsightTypes;
    expect(types.length).toBeGreaterThanOrEqual(12);
    expect(types.find((type) => type.type === 'cartesian-join')).toMatchObject({ languages: ['python', 'scala', 'sql'], severity: 'HIGH' });
  });
});
