import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeCodeFile } from '../../src/code-analysis/analyze-code.js';
import { MAX_CODE_FILE_BYTES } from '../../src/code-analysis/limits.js';

/** The hand-written samples in test/fixtures/code. */
export const codeFixture = (name: string): string => join('test', 'fixtures', 'code', name);

const analyzeFixture = async (name: string) => analyzeCodeFile(name, readFileSync(codeFixture(name)));

describe('reading and analysing the sample files', () => {
  it('a Jupyter notebook: magics skipped, %%sql cells parsed as SQL, markdown/raw/bash cells left out', async () => {
    const result = await analyzeFixture('sales_analysis.ipynb');
    expect(result).toMatchObject({ format: 'jupyter', language: 'python', totalCells: 8, codeCells: 5 });
    expect(result.insights.map(({ type, location }) => ({ type, ...location }))).toEqual([
      expect.objectContaining({ type: 'csv-infer-schema', cellIndex: 1, line: 4, column: 20, language: 'python', fileLine: null }),
      expect.objectContaining({ type: 'collect-to-driver', cellIndex: 2, line: 2, column: 14, excerpt: 'rows = sales.collect()' }),
      expect.objectContaining({ type: 'order-by-without-limit', cellIndex: 3, line: 5, column: 1, language: 'sql', excerpt: 'ORDER BY total DESC' }),
      expect.objectContaining({ type: 'action-in-loop', cellIndex: 4, line: 2, column: 48 }),
    ]);
    // The unfinished last cell is reported, and did not stop the others.
    expect(result.warnings).toEqual([{ location: expect.objectContaining({ cellIndex: 7, line: 2, column: 13 }), message: 'Python syntax error' }]);
  });

  it('a Databricks source export: cells by COMMAND separators, # MAGIC %sql cells with file line and column', async () => {
    const result = await analyzeFixture('etl_job.py');
    expect(result).toMatchObject({ format: 'databricks', language: 'python', totalCells: 4, codeCells: 3 });
    expect(result.insights.map(({ type, location }) => ({ type, ...location }))).toEqual([
      expect.objectContaining({ type: 'unused-cache', cellIndex: 1, line: 2, column: 8, fileLine: 9, fileColumn: 8 }),
      // "# MAGIC " (8 characters) precedes the code in the file, not in the notebook.
      expect.objectContaining({ type: 'cartesian-join', cellIndex: 2, line: 3, column: 20, fileLine: 15, fileColumn: 28, language: 'sql' }),
      expect.objectContaining({ type: 'single-partition-write', cellIndex: 3, line: 2, column: 8, fileLine: 20 }),
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('a Scala file: words in Scaladoc and interpolated strings do not fire', async () => {
    const result = await analyzeFixture('Report.scala');
    expect(result).toMatchObject({ format: 'scala', language: 'scala', totalCells: 1, codeCells: 1 });
    expect(result.insights.map(({ type, location }) => [type, location.line, location.column])).toEqual([
      ['rdd-group-by-key', 10, 24],
      ['collect-to-driver', 11, 22],
    ]);
  });

  it('a SQL file: a statement that does not parse is a warning; the others are analysed', async () => {
    const result = await analyzeFixture('queries.sql');
    expect(result.insights.map(({ type, location }) => [type, location.line, location.column])).toEqual([
      ['shuffle-partitions-set', 2, 5],
      ['select-star', 4, 8],
      ['order-by-without-limit', 4, 21],
      ['cartesian-join', 9, 15],
    ]);
    expect(result.warnings).toEqual([
      { location: expect.objectContaining({ cellIndex: 0, line: 6, column: 1 }), message: expect.stringMatching(/^SQL syntax error: .*SELEC/) },
    ]);
  });
});

describe('bad input gets an error that names what is wrong', () => {
  it.each([
    ['broken.ipynb', /broken\.ipynb is not JSON, so not a Jupyter notebook/],
    ['no_nbformat.ipynb', /is JSON but not a Jupyter notebook: it has no "nbformat" version/],
    ['nbformat3.ipynb', /is an nbformat 3 notebook: save it as nbformat 4/],
  ])('%s', async (name, message) => {
    await expect(analyzeFixture(name)).rejects.toThrow(message);
  });

  it.each([
    ['JSON that is a list', 'list.ipynb', '[1, 2]', /not a Jupyter notebook: it is not an object/],
    ['a notebook without cells', 'empty.ipynb', '{"nbformat": 4, "metadata": {}}', /has no "cells" list/],
    ['an R notebook', 'r.ipynb', '{"nbformat": 4, "metadata": {"kernelspec": {"language": "R"}}, "cells": []}', /is a R notebook: only Python, Scala and SQL/],
    ['an empty file', 'job.py', '', /job\.py is empty/],
    ['an unsupported extension', 'notes.txt', 'df.collect()', /unsupported file type "\.txt"; expected one of \.ipynb, \.py, \.scala, \.sc, \.sql/],
    ['no extension', 'Makefile', 'all:', /unsupported file type "\(no extension\)"/],
  ])('%s', async (_label, name, text, message) => {
    await expect(analyzeCodeFile(name, Buffer.from(text))).rejects.toThrow(message);
  });

  it('binary content (a NUL byte) and invalid UTF-8', async () => {
    await expect(analyzeCodeFile('model.py', Buffer.from([0x70, 0x79, 0x00, 0x01]))).rejects.toThrow(/model\.py is binary, not text \(a NUL byte at offset 2\)/);
    await expect(analyzeCodeFile('latin1.py', Buffer.from([0x78, 0x20, 0x3d, 0x20, 0xe9]))).rejects.toThrow(/latin1\.py is not UTF-8 text/);
  });

  it(`a file over ${MAX_CODE_FILE_BYTES} bytes`, async () => {
    await expect(analyzeCodeFile('huge.py', Buffer.alloc(MAX_CODE_FILE_BYTES + 1, 0x20))).rejects.toThrow(/huge\.py is \d+ bytes, over the limit of 5242880 bytes/);
  });
});
