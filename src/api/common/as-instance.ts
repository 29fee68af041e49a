/**
 * `data` as an instance of the GraphQL object class `Target`. type-graphql hands a field resolver's `@Root()`
 * to it as an instance of its class, copying every property of a plain object into a new one on each call;
 * an object that already is one is passed as it is, so objects served many times are made instances once.
 */
export function asInstance<T extends object>(Target: new () => T, data: T): T {
  const instance = new Target();
  // As type-graphql does: properties the class declares but `data` lacks are not left as own undefined ones.
  for (const key of Object.keys(instance) as Array<keyof T>) {
    if (instance[key] === undefined && !(key in data)) delete instance[key];
  }
  return Object.assign(instance, data);
}
