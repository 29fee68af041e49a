/**
 * A DataLoader batch function for keys that carry field arguments as well as an id (a status filter, a page...):
 * keys with the same arguments (`argsOf`) go to `load` together, one call per distinct set of arguments, and
 * the answers come back in key order.
 */
export function batchByArgs<K, V>(
  argsOf: (key: K) => string,
  load: (keys: K[]) => Promise<V[]>,
): (keys: readonly K[]) => Promise<V[]> {
  return async (keys) => {
    const groups = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const args = argsOf(key);
      const positions = groups.get(args);
      if (positions) positions.push(i);
      else groups.set(args, [i]);
    });
    const answers = new Array<V>(keys.length);
    await Promise.all(
      [...groups.values()].map(async (positions) => {
        const values = await load(positions.map((i) => keys[i]!));
        positions.forEach((position, j) => (answers[position] = values[j]!));
      }),
    );
    return answers;
  };
}
