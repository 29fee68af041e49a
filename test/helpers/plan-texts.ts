import type { DuckDBConnection } from '@duckdb/node-api';
import { STAGED_EVENTS } from '../../src/parse/stage-events.js';

/**
 * SQL of the plan description a row of `alias` holds, wherever it is kept: in the row, or in `plan_texts` under the
 * row's `planText` id (long descriptions; see src/store/plan-texts.ts). Tests compare descriptions, not where they are.
 */
export function descriptionSql(alias: string): string {
  return `coalesce(${alias}.physicalPlanDescription,
    (SELECT string_agg(p.text, '' ORDER BY p.piece) FROM plan_texts p WHERE p.textId = ${alias}.planText))`;
}

/** SQL of the query text (description) a row of `alias` holds, in the row or in `plan_texts` under `descriptionText`. */
export function queryTextSql(alias: string): string {
  return `coalesce(${alias}.description,
    (SELECT string_agg(p.text, '' ORDER BY p.piece) FROM plan_texts p WHERE p.textId = ${alias}.descriptionText))`;
}

/** Every staged event as a JSON document, in order, with its texts in place and no text id. */
export async function stagedEventsAsJson(connection: DuckDBConnection): Promise<string[]> {
  const reader = await connection.runAndReadAll(
    `SELECT to_json(s)::VARCHAR AS row FROM (
       SELECT e.* EXCLUDE (planText, descriptionText, seq)
         REPLACE (${descriptionSql('e')} AS physicalPlanDescription, ${queryTextSql('e')} AS description)
       FROM ${STAGED_EVENTS} e ORDER BY e.seq) s`,
  );
  return reader.getRowObjectsJS().map((row) => String(row.row));
}

/** The text between the quotes of `text` written as a JSON string, as bytes (what a log holds of a description). */
export function jsonStringText(text: string): Buffer {
  const literal = Buffer.from(JSON.stringify(text));
  return literal.subarray(1, literal.length - 1);
}
