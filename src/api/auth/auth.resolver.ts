import { Args, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import { AuthError } from '../../auth/auth-error.js';
import type { SignedInUser } from '../../auth/learner-session.js';
import { ClientError } from '../common/errors.js';
import type { ApiContext } from '../context.js';
import { SignInWithGoogleArgs } from './sign-in.args.js';
import { googleRole } from '../../auth/principal.js';
import type { Principal } from '../../auth/roles.js';
import { Access } from './access.type.js';
import { User } from './user.type.js';

function toUser({ user, signedInAt }: SignedInUser, principal: Principal): User {
  return {
    role: principal.via === 'google' || principal.via === 'open' ? principal.role : null,
    id: user.id,
    email: user.email,
    emailVerified: user.emailVerified,
    name: user.name,
    pictureUrl: user.pictureUrl,
    signedInAt,
  };
}

function toClientError(error: unknown): unknown {
  if (!(error instanceof AuthError)) return error;
  if (error.failure === 'NOT_CONFIGURED') return new ClientError(error.message, 'SIGN_IN_NOT_CONFIGURED');
  if (error.failure === 'MALFORMED_TOKEN') return new ClientError(error.message, 'BAD_USER_INPUT');
  return new ClientError(error.message, 'UNAUTHENTICATED');
}

/** Who the learner is: optional Google sign-in on top of anonymous learners. */
@Resolver()
export class AuthResolver {
  @Query(() => User, {
    nullable: true,
    description:
      'The signed-in user, or the API token the request carries (id "token:<name>"), with its role; null for an anonymous learner.',
  })
  async me(@Ctx() { learner, principal }: ApiContext): Promise<User | null> {
    if (principal.token) {
      return {
        id: `token:${principal.token.name}`,
        email: null,
        emailVerified: false,
        name: principal.token.name,
        pictureUrl: null,
        signedInAt: principal.token.createdAt,
        role: principal.role,
      };
    }
    const session = await learner.session();
    return session ? toUser(session, principal) : null;
  }

  @Query(() => Access, { description: "The server's AUTH_MODE and what this client may do with analysis data." })
  access(@Ctx() { config, principal }: ApiContext): Access {
    return { mode: config.AUTH_MODE, role: principal.role, subject: principal.subject };
  }

  @Mutation(() => User, {
    description:
      'Signs in with a Google ID token: verified against Google\'s keys (issuer accounts.google.com, audience this ' +
      "server's GOOGLE_CLIENT_ID, not expired). Creates the user on first sign-in, moves this browser's anonymous " +
      'progress into theirs, and sets an HttpOnly session cookie. SIGN_IN_NOT_CONFIGURED when the server has no ' +
      'GOOGLE_CLIENT_ID; UNAUTHENTICATED for an expired, foreign or forged token.',
  })
  async signInWithGoogle(@Args() { idToken }: SignInWithGoogleArgs, @Ctx() { learner, config, principal }: ApiContext): Promise<User> {
    try {
      const signedIn = await learner.signInWithGoogle(idToken);
      const email = signedIn.user.emailVerified ? signedIn.user.email : null;
      const role = config.AUTH_MODE === 'google' && email ? googleRole(email, config) : config.AUTH_MODE === 'open' ? 'admin' : null;
      return { ...toUser(signedIn, principal), role };
    } catch (error) {
      throw toClientError(error);
    }
  }

  @Mutation(() => Boolean, {
    description: 'Clears the session cookie; progress stays with the account. Always true, signed in or not.',
  })
  signOut(@Ctx() { learner }: ApiContext): boolean {
    learner.signOut();
    return true;
  }
}
