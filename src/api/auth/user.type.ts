import { DateTimeResolver } from 'graphql-scalars';
import { Field, ID, ObjectType } from 'type-graphql';
import type { Role } from '../../auth/roles.js';
import { RoleEnum } from './access.type.js';

/** A learner who signed in with Google, as they see themselves. */
@ObjectType({
  description:
    'A learner signed in with Google. Anonymous learners have no User: their progress is kept under a random id ' +
    'in an HttpOnly cookie and moves to the user when they sign in.',
})
export class User {
  @Field(() => ID, { description: "Spark Sword's id for the user (not Google's account id)." })
  id!: string;

  @Field(() => String, { nullable: true, description: 'From Google; null when the token carried no email.' })
  email!: string | null;

  @Field(() => Boolean, { description: 'Whether Google verified the email.' })
  emailVerified!: boolean;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true, description: "The Google profile picture's URL." })
  pictureUrl!: string | null;

  @Field(() => DateTimeResolver, { description: 'When this session began (the latest sign-in; for an API token, its creation).' })
  signedInAt!: Date;

  @Field(() => RoleEnum, {
    nullable: true,
    description: 'Role on analysis data (AUTH_MODE=google: from ADMIN_EMAILS / GOOGLE_ALLOWED_DOMAINS; an API token: its role). Null: none.',
  })
  role!: Role | null;
}
