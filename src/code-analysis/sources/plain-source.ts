import type { CodeDocument, CodeLanguage } from '../code-model.js';
import { pythonLineMagics } from './cell-magics.js';

/** A plain .py, .scala or .sql file: one cell holding the whole file. */
export function readPlainSource(fileName: string, text: string, language: CodeLanguage): CodeDocument {
  const source = text.replace(/\r\n/g, '\n');
  // Line magics cannot run in a plain script, but scripts exported from notebooks (jupytext, nbconvert) keep them.
  const blanked = language === 'python' ? pythonLineMagics(source) : [];
  return {
    fileName,
    format: language,
    language,
    cells: [{ index: 0, language, source, fileLineOffset: 1, fileColumnOffset: 0, blanked }],
    totalCells: 1,
  };
}
