import type { CodeCell, CodeDocument, CodeLanguage } from '../code-model.js';
import { classifyCell } from './cell-magics.js';

/** The line comment of each language, which Databricks puts before its markers. */
const COMMENT: Readonly<Record<CodeLanguage, string>> = { python: '#', scala: '//', sql: '--' };

/** True when the text is a Databricks source export (its header, or its cell separators) in that language. */
export function isDatabricksSource(text: string, language: CodeLanguage): boolean {
  const comment = COMMENT[language];
  const firstLine = text.slice(0, text.indexOf('\n') === -1 ? text.length : text.indexOf('\n')).trim();
  return firstLine === `${comment} Databricks notebook source` || text.includes(`\n${comment} COMMAND ----------`);
}

/**
 * Reads a Databricks source export: cells separated by `# COMMAND ----------` (`//` in Scala, `--` in SQL), magic
 * cells written as `# MAGIC %sql` lines. A cell's line 1 is its first non-blank line, as the notebook shows it.
 */
export function readDatabricksSource(fileName: string, text: string, language: CodeLanguage): CodeDocument {
  const comment = COMMENT[language];
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const separator = `${comment} COMMAND ----------`;
  const magicPrefix = `${comment} MAGIC`;
  const chunks: Array<{ firstLine: number; lines: string[] }> = [];
  let current: { firstLine: number; lines: string[] } = { firstLine: 1, lines: [] };
  lines.forEach((line, i) => {
    if (i === 0 && line.trim() === `${comment} Databricks notebook source`) {
      current.firstLine = 2;
      return;
    }
    if (line.trimEnd() === separator) {
      chunks.push(current);
      current = { firstLine: i + 2, lines: [] };
      return;
    }
    current.lines.push(line);
  });
  chunks.push(current);

  const cells: CodeCell[] = [];
  chunks.forEach((chunk, index) => {
    let start = 0;
    let end = chunk.lines.length;
    while (start < end && chunk.lines[start]!.trim() === '') start++;
    while (end > start && chunk.lines[end - 1]!.trim() === '') end--;
    const cellLines = chunk.lines.slice(start, end);
    if (cellLines.length === 0) return;
    const isMagicCell = cellLines.every((line) => line.startsWith(magicPrefix));
    // "# MAGIC %sql" → "%sql": the cell as the notebook shows it; empty magic lines are "# MAGIC" alone.
    const shown = isMagicCell ? cellLines.map((line) => line.slice(magicPrefix.length).replace(/^ /, '')) : cellLines;
    const source = shown.join('\n');
    const kind = classifyCell(source, language, true);
    if (kind.language === null) return;
    cells.push({
      index,
      language: kind.language,
      source,
      fileLineOffset: chunk.firstLine + start,
      fileColumnOffset: isMagicCell ? magicPrefix.length + 1 : 0,
      blanked: kind.blanked,
    });
  });
  return { fileName, format: 'databricks', language, cells, totalCells: chunks.length };
}
