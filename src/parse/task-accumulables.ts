import { isVendorMetricNameSql, vendorAccumulableRegex } from '../model/vendor-metrics.js';
import { ACCUMULABLE_TYPE } from './event-schema.js';

/**
 * An accumulable that is neither internal nor a SQL metric, a user accumulator, as Spark's JsonProtocol writes one
 * (keys in the order ID, Name, Update, Value, Internal, Count Failed Values, Metadata). One pattern for DuckDB's
 * RE2 and JavaScript alike, so the task read and the slimming pass (slim-task-ends.ts) agree.
 */
export const USER_ACCUMULATOR_PATTERN =
  '"Internal":false,"Count Failed Values":(?:true|false)(?:\\}|,"Metadata":"(?:[^s"]|s[^q]|sq[^l]|sql[^"]))';

/**
 * Whether a task end's accumulables (`accumulables`, the array's text) may hold a user accumulator. Spark's
 * JsonProtocol writes an accumulable's keys in one order, so a user accumulator reads `"Internal":false,"Count Failed
 * Values":…` followed by the end of the object or a Metadata other than "sql". Photon and RAPIDS task ends carry
 * hundreds of SQL metrics each and no user accumulator: the pattern (run only on arrays that also hold SQL metrics)
 * lets them skip the parse. Accumulables that predate the "Internal" flag (Spark 1.x) are always parsed.
 *
 * The substrings searched start after the key's opening quote: DuckDB looks for a needle's first byte and compares
 * from there, and a quote starts every JSON key and string. No key of an accumulable other than "Internal" and
 * "Metadata" ends in those words, so the answers are the same.
 */
function mayHoldUserAccumulatorSql(accumulables: string): string {
  return `(CASE
    WHEN NOT contains(${accumulables}, 'Internal":false') THEN starts_with(${accumulables}, '[{') AND NOT contains(${accumulables}, 'Internal":')
    WHEN NOT contains(${accumulables}, 'Metadata":"sql"') THEN true
    ELSE regexp_matches(${accumulables}, '${USER_ACCUMULATOR_PATTERN}')
  END)`;
}

/**
 * SQL for the accumulables of a task end worth parsing, as a list of {@link ACCUMULABLE_TYPE}, from `accumulables`
 * (Task Info's array as JSON text), or NULL when it holds none the store keeps. Where it may hold a user accumulator
 * the whole array is parsed; where it holds only a vendor metric the store keeps (src/model/vendor-metrics.ts:
 * Photon's peak memory and shuffle write time), only those objects, picked out by pattern, so the hundreds of SQL
 * metrics beside them are never parsed. The caller still filters what it keeps (see userAccumulables in the writer).
 */
export function parsedTaskAccumulablesSql(accumulables: string): string {
  const text = `${accumulables}::VARCHAR`;
  const kept = `CASE
      WHEN ${mayHoldUserAccumulatorSql(text)} THEN ${text}
      WHEN ${isVendorMetricNameSql(text)} THEN '[' || array_to_string(regexp_extract_all(${text}, '${vendorAccumulableRegex}'), ',') || ']'
    END`;
  return `json_transform(${kept}, '${JSON.stringify(`${ACCUMULABLE_TYPE}[]`)}')`;
}
