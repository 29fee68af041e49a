import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../auth/roles.js';
import { RoleEnum } from './access.type.js';

/** An API token as an admin sees it: never its secret. */
@ObjectType({ description: 'An API token (AUTH_MODE=token). Only a SHA-256 of its secret is stored.' })
export class ApiToken {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: 'Who or what uses it; uploads by it are recorded as "token:<name>".' })
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: 'Null while the token is live.' })
  revokedAt!: Date | null;
}

/** A token just created, with the secret shown this once. */
@ObjectType({ description: 'A token just created: `secret` is shown this once; send it as "Authorization: Bearer <secret>".' })
export class CreatedApiToken extends ApiToken {
  @Field(() => String)
  secret!: string;
}
