/**
 * The order in which a Scala 2.13 immutable Map[Int, _] yields its keys, which History Server's SQL answers
 * inherit (an execution's jobs are such a map): up to four keys in insertion order (Map1-Map4), more in the
 * order of the CHAMP hash trie, by the improved hash's 5-bit groups from the lowest up, a node's own entries
 * before its sub-nodes.
 */

/** scala.util.hashing's `improve` of an Int's hash (an Int hashes to itself). */
function improve(hash: number): number {
  let h = (hash + ~(hash << 9)) | 0;
  h ^= h >>> 14;
  h = (h + (h << 4)) | 0;
  return (h ^ (h >>> 10)) | 0;
}

function trieOrder(keys: readonly number[], shift: number): number[] {
  if (keys.length <= 1 || shift >= 32) return [...keys];
  const slots = new Map<number, number[]>();
  for (const key of keys) {
    const slot = (improve(key) >>> shift) & 31;
    const list = slots.get(slot);
    if (list) list.push(key);
    else slots.set(slot, [key]);
  }
  const ordered = [...slots.keys()].sort((a, b) => a - b);
  const own = ordered.filter((slot) => slots.get(slot)!.length === 1).map((slot) => slots.get(slot)![0]!);
  const deeper = ordered.filter((slot) => slots.get(slot)!.length > 1).flatMap((slot) => trieOrder(slots.get(slot)!, shift + 5));
  return [...own, ...deeper];
}

/** The iteration order of a Scala immutable Map built by adding `keys` (distinct Ints) in this order. */
export function scalaIntMapOrder(keys: readonly number[]): number[] {
  return keys.length <= 4 ? [...keys] : trieOrder(keys, 0);
}
