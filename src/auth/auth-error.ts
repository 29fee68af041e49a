/** Why a sign-in was refused; the API turns each into its own error code. */
export type AuthFailure = 'NOT_CONFIGURED' | 'MALFORMED_TOKEN' | 'INVALID_TOKEN';

/** A sign-in the server refuses; the message is written for the person signing in and never echoes the token. */
export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly failure: AuthFailure,
    message: string,
  ) {
    super(message);
  }
}

/** The message when GOOGLE_CLIENT_ID is unset. */
export const SIGN_IN_NOT_CONFIGURED_MESSAGE = 'Google sign-in is not configured on this server (GOOGLE_CLIENT_ID is unset)';
