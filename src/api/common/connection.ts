import { Field, ObjectType } from 'type-graphql';
import { ClientError } from './errors.js';

/** Relay page information. */
@ObjectType({ description: 'Where this page sits in the whole list (Relay cursor connections).' })
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/** Cursors are opaque to clients: a base64 of the position in the ordered list. */
export function encodeCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`).toString('base64url');
}

/** Reads a cursor made by {@link encodeCursor}; a foreign string is a client error. */
export function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new ClientError(`"${cursor.slice(0, 40)}" is not a cursor this API issued`, 'BAD_USER_INPUT');
  return Number(match[1]);
}

/** Builds a page from rows fetched with one extra row past `first` (which tells whether there is a next page). */
export function toPage<T>(
  rowsPlusOne: readonly T[],
  offset: number,
  first: number,
): { edges: Array<{ cursor: string; node: T }>; pageInfo: PageInfo; nodes: T[] } {
  const nodes = rowsPlusOne.slice(0, first);
  const edges = nodes.map((node, i) => ({ cursor: encodeCursor(offset + i + 1), node }));
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage: rowsPlusOne.length > first,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}
