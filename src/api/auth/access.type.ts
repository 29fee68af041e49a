import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { ROLES, type Role } from '../../auth/roles.js';

/** Roles as a GraphQL enum (values as the config and CLI spell them). */
export const RoleEnum = Object.fromEntries(ROLES.map((role) => [role.toUpperCase(), role])) as Record<Uppercase<Role>, Role>;
registerEnumType(RoleEnum, {
  name: 'Role',
  description: 'VIEWER reads; UPLOADER also uploads and deletes or replaces what it uploaded; ADMIN may do everything.',
});

/** AUTH_MODE as a GraphQL enum. */
export const AuthModeEnum = { OPEN: 'open', TOKEN: 'token', GOOGLE: 'google' } as const;
registerEnumType(AuthModeEnum, {
  name: 'AuthMode',
  description: "The server's AUTH_MODE: OPEN (everyone is admin, loopback only), TOKEN (API tokens) or GOOGLE (Google sign-in).",
});

/** What the asking client may do with analysis data. */
@ObjectType({ description: 'What the asking client may do with analysis data, and how the server recognised it.' })
export class Access {
  @Field(() => AuthModeEnum, { description: "The server's AUTH_MODE." })
  mode!: 'open' | 'token' | 'google';

  @Field(() => RoleEnum, { nullable: true, description: 'Null: this client may read no analysis data (send a token or sign in).' })
  role!: Role | null;

  @Field(() => String, {
    nullable: true,
    description: 'The name uploads are recorded under: "token:<name>", "google:<email>" or "local"; null without credentials.',
  })
  subject!: string | null;
}
