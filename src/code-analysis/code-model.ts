/** Languages whose cells are parsed and analysed. */
export type CodeLanguage = 'python' | 'scala' | 'sql';

/** How the file was laid out: a Jupyter notebook, a Databricks source export, or one plain source file. */
export type CodeFormat = 'jupyter' | 'databricks' | 'python' | 'scala' | 'sql';

/** A 1-based line and column inside a cell (columns count UTF-16 code units, as editors do). */
export interface CellPosition {
  line: number;
  column: number;
}

/** A notebook cell (or a whole plain file) holding code in one language. */
export interface CodeCell {
  /** 0-based position among all cells of the notebook, markdown cells included (0 for a plain file). */
  index: number;
  language: CodeLanguage;
  /**
   * The cell's code as the notebook shows it. Magic lines (`%sql`, `%%time`, `!pip`) stay in it so line numbers
   * match the notebook; the parser sees them blanked.
   */
  source: string;
  /** 1-based file line of the cell's first line, for line-oriented files; null for .ipynb (JSON lines are meaningless). */
  fileLineOffset: number | null;
  /** Characters before the cell's code on each line of the file (the `# MAGIC ` prefix of Databricks magic cells). */
  fileColumnOffset: number;
  /**
   * Ranges of `source` the parser must not see (magic commands), replaced by spaces so positions do not move.
   * Each is [start, end) in UTF-16 offsets.
   */
  blanked: Array<[number, number]>;
}

/** A code file read into cells, before parsing. */
export interface CodeDocument {
  fileName: string;
  format: CodeFormat;
  /** The notebook's (or file's) main language; single cells may differ (`%sql` cells in a Python notebook). */
  language: CodeLanguage;
  /** Code cells only; markdown and non-Spark cells (`%sh`, `%md`, `%pip`) are left out but keep their index. */
  cells: CodeCell[];
  /** How many cells the notebook has in all, code or not. */
  totalCells: number;
}

/** The cell's source with its blanked ranges turned into spaces (newlines kept), as the parsers read it. */
export function parserText(cell: CodeCell): string {
  if (cell.blanked.length === 0) return cell.source;
  let text = cell.source;
  for (const [start, end] of cell.blanked) {
    text = text.slice(0, start) + text.slice(start, end).replace(/[^\n]/g, ' ') + text.slice(end);
  }
  return text;
}
