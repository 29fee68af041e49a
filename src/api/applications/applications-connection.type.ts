import { Field, Int, ObjectType } from 'type-graphql';
import { PageInfo } from '../common/connection.js';
import { Application } from './application.type.js';

/** An edge of the applications connection. */
@ObjectType()
export class ApplicationEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Application)
  node!: Application;
}

/** A page of applications, newest first (Relay connection). */
@ObjectType({ description: 'A page of applications, newest first.' })
export class ApplicationConnection {
  @Field(() => [ApplicationEdge])
  edges!: ApplicationEdge[];

  @Field(() => [Application], { description: 'The nodes of `edges`, for clients that do not need cursors.' })
  nodes!: Application[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: 'Applications matching the filter, over all pages.' })
  totalCount!: number;
}
