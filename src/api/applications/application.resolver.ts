import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { authorizeDelete } from '../../auth/application-access.js';
import { attemptKeysOf, uploaderOf } from '../../store/application-uploads.js';
import {
  countApplications,
  deleteApplication,
  findApplication,
  listApplications,
} from '../../store/applications-store.js';
import { decodeCursor, toPage } from '../common/connection.js';
import { ClientError } from '../common/errors.js';
import type { ApiContext } from '../context.js';
import { toApplication } from './application.mapper.js';
import { Application } from './application.type.js';
import { ApplicationConnection } from './applications-connection.type.js';
import { ApplicationsArgs } from './applications.args.js';

/** Lists, finds and deletes ingested applications. */
@Resolver(() => Application)
export class ApplicationResolver {
  @Query(() => ApplicationConnection, {
    description: 'Ingested application attempts, newest first.',
    // A page costs what one node costs, times the page size (capped at the largest valid page, so an
    // out-of-range size is reported by validation, not as cost).
    complexity: ({ args, childComplexity }) => 1 + Math.min(Number(args.first ?? 20), 100) * childComplexity,
  })
  async applications(@Args(() => ApplicationsArgs) args: ApplicationsArgs, @Ctx() { db }: ApiContext): Promise<ApplicationConnection> {
    const offset = args.after ? decodeCursor(args.after) : 0;
    const [rows, totalCount] = await Promise.all([
      listApplications(db, { offset, limit: args.first + 1, status: args.status }),
      countApplications(db, args.status),
    ]);
    const page = toPage(rows.map(toApplication), offset, args.first);
    return { ...page, totalCount };
  }

  @Query(() => Application, {
    nullable: true,
    description: 'One application attempt by id; an app id alone names its latest attempt. Null when unknown.',
  })
  async application(@Arg('id', () => ID) id: string, @Ctx() { db }: ApiContext): Promise<Application | null> {
    const record = await findApplication(db, id);
    return record ? toApplication(record) : null;
  }

  @Mutation(() => [ID], {
    description:
      'Deletes an application attempt (or all attempts of an app id) and everything derived from it; returns the ids ' +
      'removed. An uploader may delete only what it uploaded (FORBIDDEN otherwise); an admin anything.',
  })
  async deleteApplication(@Arg('id', () => ID) id: string, @Ctx() { db, principal }: ApiContext): Promise<string[]> {
    const keys = await attemptKeysOf(db, id);
    if (keys.length === 0) throw new ClientError(`No application "${id}" is stored`, 'NOT_FOUND');
    await authorizeDelete(db, principal, keys);
    const removed = await deleteApplication(db, id);
    // Deleted by a request that raced this one (a delete of the same id) between the check above and here.
    if (removed.length === 0) throw new ClientError(`No application "${id}" is stored`, 'NOT_FOUND');
    return removed;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      'Who uploaded this attempt: "token:<name>", "google:<email>" or "local" (open mode); null when it was ingested by the CLI.',
  })
  async uploadedBy(@Root() application: Application, @Ctx() { db }: ApiContext): Promise<string | null> {
    return uploaderOf(db, application.id);
  }
}
