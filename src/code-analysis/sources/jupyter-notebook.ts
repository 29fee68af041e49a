import { BadInputError } from '../../errors.js';
import type { CodeCell, CodeDocument, CodeLanguage } from '../code-model.js';
import { classifyCell } from './cell-magics.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The notebook's language from its metadata (kernelspec, language_info, or Databricks' own), python if absent. */
function notebookLanguage(fileName: string, metadata: Json | undefined): CodeLanguage {
  const candidates: string[] = [];
  if (isObject(metadata)) {
    const kernel = metadata['kernelspec'];
    const info = metadata['language_info'];
    const databricks = metadata['application/vnd.databricks.v1+notebook'];
    if (isObject(databricks) && typeof databricks['language'] === 'string') candidates.push(databricks['language']);
    if (isObject(kernel) && typeof kernel['language'] === 'string') candidates.push(kernel['language']);
    if (isObject(info) && typeof info['name'] === 'string') candidates.push(info['name']);
  }
  const named = candidates[0]?.toLowerCase();
  if (named === undefined || named === 'python' || named === 'python3' || named === 'pyspark') return 'python';
  if (named === 'scala') return 'scala';
  if (named === 'sql' || named === 'sparksql') return 'sql';
  throw new BadInputError(`${fileName} is a ${candidates[0]} notebook: only Python, Scala and SQL notebooks are analysed`);
}

/** A cell's source: nbformat allows one string or a list of lines (each keeping its newline). */
function cellSource(fileName: string, index: number, source: Json | undefined): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source) && source.every((line) => typeof line === 'string')) return source.join('');
  throw new BadInputError(`${fileName}: cell ${index} has no source text (nbformat 4 wants a string or a list of strings)`);
}

/**
 * Reads a Jupyter notebook (nbformat 4) into its code cells: the notebook's language from its metadata, each
 * cell's from its leading magic (`%%sql`, `%sql`, `%scala`); markdown, raw and shell cells are skipped.
 */
export function readJupyterNotebook(fileName: string, text: string): CodeDocument {
  let parsed: Json;
  try {
    parsed = JSON.parse(text) as Json;
  } catch (error) {
    throw new BadInputError(`${fileName} is not JSON, so not a Jupyter notebook (${error instanceof Error ? error.message : String(error)})`);
  }
  if (!isObject(parsed)) throw new BadInputError(`${fileName} is JSON but not a Jupyter notebook: it is not an object`);
  const nbformat = parsed['nbformat'];
  const cells = parsed['cells'];
  if (typeof nbformat !== 'number') {
    throw new BadInputError(`${fileName} is JSON but not a Jupyter notebook: it has no "nbformat" version`);
  }
  if (nbformat < 4) {
    throw new BadInputError(`${fileName} is an nbformat ${nbformat} notebook: save it as nbformat 4 (any Jupyter since 2015 does)`);
  }
  if (!Array.isArray(cells)) throw new BadInputError(`${fileName} is JSON but not a Jupyter notebook: it has no "cells" list`);
  const metadata = parsed['metadata'];
  const language = notebookLanguage(fileName, metadata);
  // Notebooks exported from Databricks keep Databricks' magics, where `%sh` or `%pip` owns the whole cell.
  const databricksMagics = isObject(metadata) && 'application/vnd.databricks.v1+notebook' in metadata;
  const codeCells: CodeCell[] = [];
  cells.forEach((cell, index) => {
    if (!isObject(cell) || typeof cell['cell_type'] !== 'string') {
      throw new BadInputError(`${fileName}: cell ${index} is not a notebook cell (no "cell_type")`);
    }
    if (cell['cell_type'] !== 'code') return;
    const source = cellSource(fileName, index, cell['source']).replace(/\r\n/g, '\n');
    const kind = classifyCell(source, language, databricksMagics);
    if (kind.language === null) return;
    codeCells.push({ index, language: kind.language, source, fileLineOffset: null, fileColumnOffset: 0, blanked: kind.blanked });
  });
  return { fileName, format: 'jupyter', language, cells: codeCells, totalCells: cells.length };
}
