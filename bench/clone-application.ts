/**
 * Copies of a stored application under new keys, for benchmarks and tests that need a database holding many
 * applications (or one very large one) without ingesting each: every row of the source is copied with the new
 * key, each copy gets its own application number, and the copies' precomputed answers are copied too.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { listValue } from '@duckdb/node-api';
import { applicationNumberOf, assignApplicationNumber } from '../src/store/application-numbers.js';
import { precomputeApplication } from '../src/store/precompute.js';
import { applicationTables } from '../src/store/schema.js';

async function columnsOf(connection: DuckDBConnection, table: string): Promise<string[]> {
  const rows = (
    await connection.runAndReadAll(
      `SELECT column_name FROM information_schema.columns WHERE table_name = $table ORDER BY ordinal_position`,
      { table },
    )
  ).getRowObjectsJS() as Array<{ column_name: string }>;
  return rows.map((row) => row.column_name);
}

/** Copies application `sourceKey` once per key of `newKeys` (the copies' app ids are their keys). */
export async function cloneApplication(connection: DuckDBConnection, sourceKey: string, newKeys: readonly string[]): Promise<void> {
  const sourceNo = await applicationNumberOf(connection, sourceKey);
  if (sourceNo === null) throw new Error(`cloneApplication: no application ${sourceKey}`);
  const params = { source: sourceKey, sourceNo, keys: listValue([...newKeys]) };
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE clone_keys AS SELECT unnest($keys::VARCHAR[]) AS newKey, generate_subscripts($keys::VARCHAR[], 1) AS i`,
      { keys: params.keys },
    );
    await connection.run(
      `INSERT INTO application_numbers SELECT newKey, nextval('application_number') FROM clone_keys ORDER BY i`,
    );
    // Clones share the source's plan texts (their rows keep its planText ids): deleting one would take the texts of
    // the others, which a benchmark never does.
    for (const table of applicationTables) {
      if (table === 'application_numbers') continue;
      const columns = await columnsOf(connection, table);
      const replaced = ['c.newKey AS appKey'];
      if (columns.includes('appNo')) replaced.push('n.appNo AS appNo');
      if (table === 'applications') replaced.push('c.newKey AS appId', 'NULL AS attemptId');
      const order = columns.includes('appNo') ? 'n.appNo, t.stageId, t.stageAttemptId, t.taskId' : 'c.i';
      await connection.run(
        `INSERT INTO ${table}
         SELECT t.* REPLACE (${replaced.join(', ')})
         FROM ${table} t, clone_keys c JOIN application_numbers n ON n.appKey = c.newKey
         WHERE t.appKey = $source ${columns.includes('appNo') ? 'AND t.appNo = $sourceNo' : ''}
         ORDER BY ${order}`,
        columns.includes('appNo') ? { source: sourceKey, sourceNo } : { source: sourceKey },
      );
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}

/**
 * Stores one application `newKey` holding `copies` times the tasks of `sourceKey` (task ids and indexes shifted
 * so each copy's are distinct), with the source's jobs, stages and executors, then precomputes its answers.
 */
export async function multiplyApplication(
  connection: DuckDBConnection,
  sourceKey: string,
  newKey: string,
  copies: number,
): Promise<void> {
  await cloneApplication(connection, sourceKey, [newKey]);
  const cloneNo = (await applicationNumberOf(connection, newKey))!;
  const [span] = (
    await connection.runAndReadAll(
      `SELECT max(taskId) + 1 AS taskSpan, max("index") + 1 AS indexSpan FROM tasks WHERE appNo = $appNo`,
      { appNo: cloneNo },
    )
  ).getRowObjectsJS() as Array<{ taskSpan: bigint; indexSpan: bigint }>;
  await connection.run('BEGIN TRANSACTION');
  try {
    // All copies are written anew in (stage, attempt, task) order, as one application's rows would be.
    await connection.run(
      `CREATE OR REPLACE TEMP TABLE multiplied AS
       SELECT t.* REPLACE (t.taskId + c.i * $taskSpan AS taskId, t."index" + c.i * $indexSpan AS "index")
       FROM tasks t, range(0, $copies) c(i) WHERE t.appNo = $appNo`,
      { appNo: cloneNo, copies, taskSpan: span!.taskSpan, indexSpan: span!.indexSpan },
    );
    await connection.run('DELETE FROM tasks WHERE appNo = $appNo', { appNo: cloneNo });
    // A new version of the application: a new number, as every write of an application takes.
    const appNo = await assignApplicationNumber(connection, newKey);
    await connection.run(
      'INSERT INTO tasks SELECT * REPLACE ($appNo AS appNo) FROM multiplied ORDER BY stageId, stageAttemptId, taskId',
      { appNo },
    );
    await connection.run('DROP TABLE multiplied');
    await precomputeApplication(connection, newKey);
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
}
