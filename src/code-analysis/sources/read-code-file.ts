import { extname } from 'node:path';
import { BadInputError } from '../../errors.js';
import type { CodeDocument, CodeLanguage } from '../code-model.js';
import { isDatabricksSource, readDatabricksSource } from './databricks-source.js';
import { readJupyterNotebook } from './jupyter-notebook.js';
import { readPlainSource } from './plain-source.js';
import { decodeSourceText } from './source-text.js';

/** File extensions accepted, and the language of the code in them. */
const LANGUAGE_BY_EXTENSION: ReadonlyMap<string, CodeLanguage> = new Map([
  ['.py', 'python'],
  ['.scala', 'scala'],
  ['.sc', 'scala'],
  ['.sql', 'sql'],
]);

/** The extensions a code file may have, for messages. */
export const SUPPORTED_CODE_EXTENSIONS: readonly string[] = ['.ipynb', ...LANGUAGE_BY_EXTENSION.keys()];

/**
 * Reads a code file into cells by its extension: a Jupyter notebook (.ipynb), a Databricks source export, or a
 * plain .py/.scala/.sql file. Throws BadInputError naming what is wrong with anything else.
 */
export function readCodeFile(fileName: string, bytes: Uint8Array): CodeDocument {
  const extension = extname(fileName).toLowerCase();
  const language = LANGUAGE_BY_EXTENSION.get(extension);
  if (extension !== '.ipynb' && language === undefined) {
    throw new BadInputError(
      `${fileName}: unsupported file type "${extension || '(no extension)'}"; expected one of ${SUPPORTED_CODE_EXTENSIONS.join(', ')}`,
    );
  }
  const text = decodeSourceText(fileName, bytes);
  if (language === undefined) return readJupyterNotebook(fileName, text);
  if (isDatabricksSource(text, language)) return readDatabricksSource(fileName, text, language);
  return readPlainSource(fileName, text, language);
}
