import { analyzeCodeFile, type CodeAnalysis, type CodeInsight } from '../../src/code-analysis/analyze-code.js';

/** Analyses code given as text under a file name (the extension picks the reader). */
export async function analyzeText(fileName: string, text: string): Promise<CodeAnalysis> {
  return analyzeCodeFile(fileName, Buffer.from(text, 'utf8'));
}

/** The insights of one type found in the code. */
export async function findingsOf(type: string, fileName: string, text: string): Promise<CodeInsight[]> {
  return (await analyzeText(fileName, text)).insights.filter((insight) => insight.type === type);
}

/** The 1-based line and column of the `nth` occurrence of `needle` in `text`. */
export function positionOf(text: string, needle: string, nth = 0): { line: number; column: number } {
  let index = -1;
  for (let i = 0; i <= nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" occurs fewer than ${nth + 1} times`);
  }
  const before = text.slice(0, index).split('\n');
  return { line: before.length, column: before[before.length - 1]!.length + 1 };
}

/**
 * A Jupyter notebook (nbformat 4) with a markdown cell first, then the given code cells: the code cells' indexes
 * are 1, 2, ... so a test can see that markdown cells count.
 */
export function notebook(codeCells: string[], language = 'python'): string {
  const toLines = (source: string): string[] => source.split('\n').map((line, i, all) => (i < all.length - 1 ? `${line}\n` : line));
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: language, language, display_name: language } },
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Notes\n', 'df.collect() in markdown is prose'] },
      ...codeCells.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: toLines(source) })),
    ],
  });
}
