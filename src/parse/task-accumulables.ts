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

/** A JSON string, escapes and all. */
const JSON_STRING_PATTERN = String.raw`"(?:[^"\\]|\\.)*"`;
/** An accumulable's update or value as Spark and vendors write one: a string, a number, a literal or a flat list. */
const ACCUMULABLE_VALUE_PATTERN = String.raw`(?:${JSON_STRING_PATTERN}|-?[0-9][0-9.eE+-]*|true|false|null|\[(?:[^\[\]{}"]|${JSON_STRING_PATTERN})*\])`;
/**
 * A whole user accumulator object, in JsonProtocol's key order (see {@link USER_ACCUMULATOR_PATTERN}). A Metadata
 * that starts with an escape is not read whole, nor is a value that is an object: the array is then parsed whole.
 * One pattern for DuckDB's RE2 and JavaScript alike, so the task read and the slimming pass pick the same ones.
 */
export const USER_ACCUMULATOR_OBJECT_PATTERN =
  String.raw`\{"ID":[0-9]+(?:,"Name":${JSON_STRING_PATTERN})?` +
  String.raw`(?:,"Update":${ACCUMULABLE_VALUE_PATTERN})?(?:,"Value":${ACCUMULABLE_VALUE_PATTERN})?` +
  String.raw`,"Internal":false,"Count Failed Values":(?:true|false)` +
  String.raw`(?:,"Metadata":"(?:[^s"\\]|s[^q"\\]|sq[^l"\\]|sql[^"\\])(?:[^"\\]|\\.)*")?\}`;

/** One accumulable the store may keep, whole: a vendor metric or a user accumulator. */
const KEPT_ACCUMULABLE_PATTERN = `(?:${vendorAccumulableRegex}|${USER_ACCUMULATOR_OBJECT_PATTERN})`;

/** SQL: a list of accumulables' JSON texts as one array's JSON text. */
const pickedSql = (objects: string): string => `'[' || array_to_string(${objects}, ',') || ']'`;

/**
 * SQL for the accumulables of a task end worth parsing, as a list of {@link ACCUMULABLE_TYPE}, from `accumulables`
 * (Task Info's array as JSON text), or NULL when it holds none the store keeps. Only the ones the store may keep are
 * parsed, picked out by pattern in the order written: user accumulators, and the vendor metrics of
 * src/model/vendor-metrics.ts (Photon's peak memory and shuffle write time). The internal and SQL metrics beside them
 * (some thirty on a Spark 3 task end, hundreds on Photon and RAPIDS ones) are never parsed: a counter in every task
 * of a Photon job made each task end's parse hold ~200 accumulables, and the task read ~500 MB.
 *
 * The array is parsed whole where picking could miss one: accumulables written before the "Internal" flag (Spark
 * 1.x), or a user accumulator the object pattern does not read whole, found by counting user accumulators both ways.
 * The caller still filters what it keeps (see userAccumulables in the application writer).
 */
export function parsedTaskAccumulablesSql(accumulables: string): string {
  const text = `${accumulables}::VARCHAR`;
  const userAccumulatorCount = (list: string): string => `len(list_filter(${list}, a -> regexp_matches(a, '${USER_ACCUMULATOR_PATTERN}')))`;
  const kept = `CASE
      WHEN NOT ${mayHoldUserAccumulatorSql(text)} THEN
        CASE WHEN ${isVendorMetricNameSql(text)} THEN ${pickedSql(`regexp_extract_all(${text}, '${vendorAccumulableRegex}')`)} END
      WHEN NOT contains(${text}, 'Internal":') THEN ${text}
      -- A list of one names the picked accumulables, so they are extracted once for both the check and the text.
      ELSE list_transform([regexp_extract_all(${text}, '${KEPT_ACCUMULABLE_PATTERN}')], picked ->
        CASE WHEN ${userAccumulatorCount('picked')} = len(regexp_extract_all(${text}, '${USER_ACCUMULATOR_PATTERN}'))
          THEN ${pickedSql('picked')} ELSE ${text} END)[1]
    END`;
  return `json_transform(${kept}, '${JSON.stringify(`${ACCUMULABLE_TYPE}[]`)}')`;
}
