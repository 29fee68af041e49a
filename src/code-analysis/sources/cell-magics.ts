import type { CodeLanguage } from '../code-model.js';

/** What a cell's leading magic says about it: its language, or that it holds no Spark code (null). */
export interface CellKind {
  language: CodeLanguage | null;
  /** [start, end) ranges of the source that are magics, for the parser to skip. */
  blanked: Array<[number, number]>;
}

/** Magics that switch the cell's language (Databricks `%sql`, Jupyter/sparkmagic `%%sql`, Synapse `%%pyspark`). */
const LANGUAGE_MAGICS: ReadonlyMap<string, CodeLanguage> = new Map([
  ['sql', 'sql'],
  ['sparksql', 'sql'],
  ['scala', 'scala'],
  ['spark', 'scala'],
  ['python', 'python'],
  ['pyspark', 'python'],
]);

/** Cell magics that run the rest of the cell as ordinary code in the notebook's language. */
const PASS_THROUGH_MAGICS: ReadonlySet<string> = new Set(['time', 'timeit', 'capture', 'prun', 'local', 'cache']);

/** The first line that is not blank, with its offset in the source. */
function firstCodeLine(source: string): { text: string; start: number; end: number } | null {
  let start = 0;
  while (start <= source.length) {
    const newline = source.indexOf('\n', start);
    const end = newline === -1 ? source.length : newline;
    const text = source.slice(start, end);
    if (text.trim() !== '') return { text, start, end };
    if (newline === -1) return null;
    start = newline + 1;
  }
  return null;
}

/**
 * Python line magics (`%matplotlib inline`), shell escapes (`!pip install`) and help lines (`df?`) are not Python:
 * they are blanked so the parser reads the rest of the cell, at the same positions.
 */
export function pythonLineMagics(source: string, from = 0): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = from;
  while (start < source.length) {
    const newline = source.indexOf('\n', start);
    const end = newline === -1 ? source.length : newline;
    const line = source.slice(start, end);
    const trimmed = line.trimStart();
    if (trimmed.startsWith('%') || trimmed.startsWith('!') || /^[\w.]+\?\??\s*$/.test(trimmed)) ranges.push([start, end]);
    if (newline === -1) break;
    start = newline + 1;
  }
  return ranges;
}

/**
 * Reads the magic at the top of a code cell: `%sql`/`%%sql` make it SQL, `%scala` Scala; `%%bash`, `%%html` and
 * other cell magics mean no Spark code to analyse. In Databricks notebooks (`databricksMagics`) a single-% magic
 * also owns the whole cell (`%md`, `%sh`, `%pip`, `%run`); in Jupyter it is a line magic and the rest of the cell
 * is still code. Python cells also skip their line magics.
 */
export function classifyCell(source: string, notebookLanguage: CodeLanguage, databricksMagics: boolean): CellKind {
  const first = firstCodeLine(source);
  if (first === null) return { language: null, blanked: [] };
  const magic = /^\s*(%%?)([A-Za-z_]+)/.exec(first.text);
  let language: CodeLanguage = notebookLanguage;
  const blanked: Array<[number, number]> = [];
  let codeStart = 0;
  if (magic) {
    const name = magic[2]!.toLowerCase();
    const isCellMagic = magic[1] === '%%';
    const switched = LANGUAGE_MAGICS.get(name);
    if (switched) {
      language = switched;
    } else if (isCellMagic && PASS_THROUGH_MAGICS.has(name)) {
      language = notebookLanguage;
    } else if (isCellMagic || databricksMagics || notebookLanguage !== 'python') {
      // %%bash, %%html, Databricks' %md, %sh, %fs, %pip, %run...: not Spark code.
      return { language: null, blanked: [] };
    }
    if (switched || isCellMagic) {
      blanked.push([first.start, first.end]);
      codeStart = first.end;
    }
  }
  if (language === 'python') blanked.push(...pythonLineMagics(source, codeStart));
  return { language, blanked };
}
