import { IsNotEmpty, MaxLength } from 'class-validator';
import { ArgsType, Field } from 'type-graphql';

/** Arguments of Mutation.signInWithGoogle. */
@ArgsType()
export class SignInWithGoogleArgs {
  @Field(() => String, {
    description: 'The ID token (a JWT) Google Identity Services returned to the browser as `credential`.',
  })
  @IsNotEmpty({ message: 'idToken must not be empty' })
  // Google's ID tokens are about 1 KB; the cap keeps anything else from reaching the verifier.
  @MaxLength(8192, { message: 'idToken must be at most 8192 characters' })
  idToken!: string;
}
