/**
 * Plan descriptions kept apart from their rows.
 *
 * A SQL execution shows one physical plan description, and on Databricks and other adaptive workloads each is up to
 * megabytes. Carried with its row, every such text was held by the staged events, again by the uncommitted rows of
 * the write, and again while the COMMIT wrote them: a 95 MB log of a hundred 1 MB descriptions peaked at 612-732 MB.
 * A long one is instead written to `plan_texts` while the log is read, a batch at a time, each batch committed (so
 * DuckDB may write it out and let it go), and the rows carry its id. Texts are visible only through the rows that
 * refer to them, so a text whose rows never became visible (a failed or killed ingest) is never read, and is removed
 * after that ingest or when the database is next opened.
 *
 * Each text is stored in pieces of {@link PLAN_TEXT_PIECE_CHARACTERS} characters. DuckDB's checkpoint rewrites the
 * table's last row group whole, and a row group is bounded by rows, not bytes: with a row per text, every checkpoint
 * during one ingest rewrote every text written so far (forty 3 MB texts committed three at a time: a checkpoint took
 * up to 1.6 s and the process 1.2 GB). In pieces, a row group holds at most a few MB of text.
 */

import { BIGINT, BLOB, blobValue, INTEGER, type DuckDBConnection } from '@duckdb/node-api';

/**
 * Descriptions longer than this (in bytes) are kept in `plan_texts`. Most Spark plans are a few KB and stay with their
 * rows; at this length even ten thousand executions kept inline would be ~160 MB.
 */
export const LONG_PLAN_TEXT_BYTES = 16 * 1024;

/**
 * Characters per stored piece of a text: a row group (16,384 rows in this database) then holds at most ~1 MB of ASCII
 * plan text, what a checkpoint rewrites. Cut by a regular expression that matches whole characters, so a piece never
 * splits one.
 */
const PLAN_TEXT_PIECE_CHARACTERS = 64;

/** SQL cutting the text `text` (SQL) into its stored pieces, a list in order. */
const piecesSql = (text: string): string => `regexp_extract_all(${text}, '(?s).{1,${PLAN_TEXT_PIECE_CHARACTERS}}')`;

/**
 * Writes to `plan_texts` the texts of `table`'s rows that were given an id (column `id`, from `plan_text_ids`), `text`
 * being the SQL of each row's text; committed on return.
 */
export async function writePlanTexts(connection: DuckDBConnection, table: string, text: string, id = 'planText'): Promise<void> {
  await connection.run(
    `INSERT INTO plan_texts SELECT ${id}, generate_subscripts(pieces, 1), unnest(pieces) FROM (
       SELECT ${id}, ${piecesSql(text)} AS pieces
       FROM ${table} WHERE ${id} IS NOT NULL AND ${text} IS NOT NULL)`,
  );
}

/**
 * Descriptions longer than this (in bytes, as JSON) are written on their own, a part of {@link PLAN_TEXT_PART_BYTES}
 * at a time, by {@link writePlanTextInParts}: DuckDB holds ~6 copies of a text while it reads, unescapes, cuts and
 * stores it, ~90 MB for a 16 MB one. Shorter ones go with their line's batch: a hundred 3 MB ones written in 1 MB
 * parts took 300 statements and commits, 2 s more, and the cached blocks of their many checkpoints ~60 MB more.
 */
export const PLAN_TEXT_IN_PARTS_BYTES = 4 * 1024 * 1024;

/** Bytes (as JSON) of a part of a description written in parts: a 0.4 MB log with a 16 MB one peaks at 210-214 MB. */
export const PLAN_TEXT_PART_BYTES = 1024 * 1024;

/**
 * Writes one description to `plan_texts` from `parts`, the text of its JSON string in parts that are each a JSON
 * string's text, one statement (committed) per part; returns its id, or null when a part is not a valid JSON string.
 * What was written of a text refused midway has no row referring to it, and goes with the ingest's unreferenced texts.
 */
export async function writePlanTextInParts(connection: DuckDBConnection, parts: Iterable<Uint8Array>): Promise<bigint | null> {
  const [row] = (await connection.runAndReadAll(`SELECT nextval('plan_text_ids') AS id`)).getRowObjects();
  const id = row!.id as bigint;
  let pieces = 0;
  for (const part of parts) {
    const written = (
      await connection.run(
        `INSERT INTO plan_texts SELECT $id, $before + generate_subscripts(pieces, 1), unnest(pieces) FROM (
           SELECT ${piecesSql('text')} AS pieces
           FROM (SELECT TRY(json_extract_string('"' || TRY(decode($part)) || '"', '$')) AS text) WHERE text <> '')`,
        { id, before: pieces, part: blobValue(part) },
        { id: BIGINT, before: INTEGER, part: BLOB },
      )
    ).rowsChanged;
    if (written === 0) return null;
    pieces += written;
  }
  return id;
}

/** The id the next text will be written under is above this one (read from the sequence, not the table's rows). */
export async function lastPlanTextId(connection: DuckDBConnection): Promise<bigint> {
  const rows = (await connection.runAndReadAll(
    `SELECT coalesce(max(last_value), 0)::BIGINT AS id FROM duckdb_sequences()
     WHERE database_name = current_database() AND sequence_name = 'plan_text_ids'`,
  )).getRowObjects();
  return rows[0]!.id as bigint;
}

/** The ids of the texts rows refer to, where `where` (a condition on the rows, with `textId` for the id) holds. */
function referencesSql(where: string): string {
  return `SELECT textId FROM (
      SELECT appKey, planText AS textId FROM sql_executions WHERE planText IS NOT NULL
      UNION ALL SELECT appKey, descriptionText FROM sql_executions WHERE descriptionText IS NOT NULL
      UNION ALL SELECT appKey, planText FROM sql_plan_updates WHERE planText IS NOT NULL)
    WHERE ${where}`;
}

/** Deletes the texts one application's rows refer to; run it in the transaction that deletes those rows, before. */
export async function deletePlanTextsOf(connection: DuckDBConnection, appKey: string): Promise<void> {
  await connection.run(`DELETE FROM plan_texts WHERE textId IN (${referencesSql('appKey = $appKey')})`, { appKey });
}

/**
 * Deletes the texts above `afterId` that no row refers to: those of an ingest that failed or was killed before its
 * rows were written, or of an event a later one replaced (a start logged twice). Returns how many went.
 */
export async function removeUnreferencedPlanTexts(connection: DuckDBConnection, afterId = 0n): Promise<number> {
  const result = await connection.run(
    `DELETE FROM plan_texts WHERE textId > $afterId
       AND textId NOT IN (${referencesSql('textId > $afterId')})`,
    { afterId },
  );
  return result.rowsChanged;
}

/**
 * The query text (description) of each SQL execution of the applications `appKeysWhere` selects (a condition on
 * `appKey`, and on `executionId` if wanted), as (appKey, executionId, description): its row's own, or the one kept in
 * `plan_texts`. With `firstChars`, only enough of a kept text's first pieces to quote that many characters and tell it
 * went on.
 */
export function queryTextsSql(appKeysWhere: string, firstChars?: number): string {
  const pieces = firstChars === undefined ? '' : `AND piece <= ${Math.floor(firstChars / PLAN_TEXT_PIECE_CHARACTERS) + 1}`;
  return `WITH apart AS (
      SELECT appKey, executionId, descriptionText FROM sql_executions WHERE ${appKeysWhere} AND descriptionText IS NOT NULL
    ), texts AS (
      SELECT textId, string_agg(text, '' ORDER BY piece) AS text
      FROM plan_texts WHERE textId IN (SELECT descriptionText FROM apart) ${pieces} GROUP BY textId
    )
    SELECT s.appKey, s.executionId, coalesce(s.description, texts.text) AS description
    FROM sql_executions s LEFT JOIN texts ON texts.textId = s.descriptionText WHERE ${appKeysWhere}`;
}

/**
 * The plan description shown for each SQL execution of the applications `appKeysWhere` selects (a condition on
 * `appKey`), as (appKey, executionId, plan): the last one an adaptive update logged where one did, else the start's,
 * as History Server shows it; read from `plan_texts` where it was kept there.
 */
export function shownPlanDescriptionsSql(appKeysWhere: string): string {
  return `WITH shown AS (
      SELECT s.appKey, s.executionId,
        CASE WHEN u.last IS NULL THEN s.physicalPlanDescription ELSE u.last.inline END AS inline,
        CASE WHEN u.last IS NULL THEN s.planText ELSE u.last.ref END AS ref
      FROM (SELECT appKey, executionId, physicalPlanDescription, planText FROM sql_executions WHERE ${appKeysWhere}) s
      LEFT JOIN (
        SELECT appKey, executionId,
          arg_max({'inline': physicalPlanDescription, 'ref': planText}, seq)
            FILTER (WHERE physicalPlanDescription IS NOT NULL OR planText IS NOT NULL) AS last
        FROM sql_plan_updates WHERE ${appKeysWhere} GROUP BY ALL
      ) u USING (appKey, executionId)
    ), texts AS (
      SELECT textId, string_agg(text, '' ORDER BY piece) AS text
      FROM plan_texts WHERE textId IN (SELECT ref FROM shown) GROUP BY textId
    )
    SELECT shown.appKey, shown.executionId, coalesce(shown.inline, texts.text) AS plan
    FROM shown LEFT JOIN texts ON texts.textId = shown.ref`;
}
