import { memoryCauseSql } from '../model/memory-failures.js';

/**
 * What the store keeps of a failed task's end reason besides its detail: the error string History Server shows for it,
 * and for an ExceptionFailure a summary (class, memory cause, start of the message). Both are written with the task.
 * A failing job's traces run to tens of KB each; the failure detectors read the summary, so a log of thousands of them
 * is not read twice.
 */

/** SQL expressions for the fields of an ExceptionFailure end reason. */
export interface ExceptionFields {
  className: string;
  description: string;
  fullStackTrace: string;
  /** The frames, as a JSON array (Spark logs them beside the full trace, and alone before 2.0). */
  stackTrace: string;
}

/** The fields of the stored detail (a task's `endReasonDetail` JSON). */
export const storedExceptionFields: ExceptionFields = {
  className: `endReasonDetail->>'Class Name'`,
  description: `endReasonDetail->>'Description'`,
  fullStackTrace: `endReasonDetail->>'Full Stack Trace'`,
  stackTrace: `endReasonDetail->'Stack Trace'`,
};

/**
 * Java's StackTraceElement.toString source part: "File.java:12", "File.java", "Native Method" or "Unknown Source". A line
 * number of another type (a crafted log) reads as unknown: the file name alone.
 */
const stackFrameSource = `CASE
    WHEN TRY_CAST(f->>'Line Number' AS BIGINT) = -2 THEN 'Native Method'
    WHEN f->>'File Name' IS NULL THEN 'Unknown Source'
    WHEN TRY_CAST(f->>'Line Number' AS BIGINT) >= 0 THEN (f->>'File Name') || ':' || (f->>'Line Number')
    ELSE f->>'File Name'
  END`;

/**
 * Spark's ExceptionFailure.toErrorString: the full trace, or the class, description and frames where none was logged.
 * A CASE, not coalesce: DuckDB computed coalesce's second argument for every row, so the frames of every failure were
 * rendered only to be thrown away (1.2 s of the failing-job bench log's 9,452 failures, 0.2 s as a CASE).
 */
export function exceptionMessageSql(fields: ExceptionFields): string {
  return `CASE WHEN ${fields.fullStackTrace} IS NOT NULL THEN ${fields.fullStackTrace}
    ELSE (${fields.className}) || ': ' || coalesce(${fields.description}, '') || chr(10) ||
        coalesce(array_to_string(list_transform(
          CAST(${fields.stackTrace} AS JSON[]),
          f -> '        ' || (f->>'Declaring Class') || '.' || (f->>'Method Name') || '(' || ${stackFrameSource} || ')'),
          chr(10)), '') END`;
}

/** How much of an exception's message its summary keeps: twice what an insight quotes, so a cut can fall on a word. */
export const EXCEPTION_MESSAGE_START_CHARS = 800;

/** The type of a task's `exception` column. */
export const exceptionSummaryType = 'STRUCT(className VARCHAR, memoryCause VARCHAR, messageStart VARCHAR)';

/**
 * SQL for the summary of an ExceptionFailure: its class, the memory its text says ran out of (anywhere in the trace:
 * a wrapped cause is often the only mention), and the start of its message.
 */
export function exceptionSummarySql(fields: ExceptionFields): string {
  const message = exceptionMessageSql(fields);
  const text = `concat_ws(' ', ${fields.className}, ${fields.description}, ${message})`;
  return `{'className': ${fields.className}, 'memoryCause': ${memoryCauseSql(text)},
    'messageStart': left(${message}, ${EXCEPTION_MESSAGE_START_CHARS})}::${exceptionSummaryType}`;
}

/**
 * Spark's TaskEndReason.toErrorString for the reasons it logs, from the reason's name, its detail as JSON (`detail`) and
 * an exception's fields; NULL for a task that succeeded or logged no reason.
 */
export function taskErrorMessageSql(reason: string, detail: string, exception: ExceptionFields): string {
  const field = (name: string): string => `(${detail}->>'${name}')`;
  const address = (name: string): string => `(${detail}->'Block Manager Address'->>'${name}')`;
  return `CASE
    WHEN ${reason} IS NULL OR ${reason} = 'Success' THEN NULL
    WHEN ${reason} = 'ExceptionFailure' THEN ${exceptionMessageSql(exception)}
    WHEN ${reason} = 'ExecutorLostFailure' THEN 'ExecutorLostFailure (executor ' || ${field('Executor ID')} ||
      ' exited ' || CASE WHEN coalesce(${field('Exit Caused By App')}::BOOLEAN, true)
        THEN 'caused by one of the running tasks' ELSE 'unrelated to the running tasks' END ||
      coalesce(') Reason: ' || ${field('Loss Reason')}, ')')
    -- Spark 3.0+ wording; a log without "Map Index" (Spark 2) reads as an unknown index, as Spark reads it.
    WHEN ${reason} = 'FetchFailed' THEN 'FetchFailed(' ||
      coalesce('BlockManagerId(' || ${address('Executor ID')} || ', ' || ${address('Host')} || ', ' ||
        ${address('Port')} || ', None)', 'null') ||
      ', shuffleId=' || coalesce(${field('Shuffle ID')}, '') ||
      ', mapIndex=' || coalesce(${field('Map Index')}, 'Unknown') ||
      ', mapId=' || coalesce(${field('Map ID')}, '') ||
      ', reduceId=' || coalesce(${field('Reduce ID')}, '') ||
      ', message=' || chr(10) || coalesce(${field('Message')}, '') || chr(10) || ')'
    -- History Server shows a killed task's reason itself (AppStatusListener), not TaskKilled's error string.
    WHEN ${reason} = 'TaskKilled' THEN coalesce(${field('Kill Reason')}, 'unknown reason')
    WHEN ${reason} = 'TaskResultLost' THEN 'TaskResultLost (result lost from block manager)'
    WHEN ${reason} = 'Resubmitted' THEN 'Resubmitted (resubmitted due to lost executor)'
    WHEN ${reason} = 'TaskCommitDenied' THEN 'TaskCommitDenied (Driver denied task commit) for job: ' ||
      coalesce(${field('Job ID')}, '') || ', partition: ' || coalesce(${field('Partition ID')}, '') ||
      ', attemptNumber: ' || coalesce(${field('Attempt Number')}, '')
    ELSE ${reason}
  END`;
}
