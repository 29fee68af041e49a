import { Field, ObjectType } from 'type-graphql';

/** One entry of a string map (Spark properties, executor log links, attributes...). */
@ObjectType({ description: 'One entry of a string map, e.g. a Spark property or an executor log link.' })
export class KeyValue {
  @Field(() => String)
  key!: string;

  @Field(() => String, { nullable: true })
  value!: string | null;
}

/** A string map as a list of entries sorted by key, so answers are stable. */
export function toKeyValues(map: Readonly<Record<string, string | null>>): KeyValue[] {
  return Object.keys(map)
    .sort()
    .map((key) => ({ key, value: map[key] ?? null }));
}
