/**
 * The user's input is unusable (empty file, not an event log, unknown codec...).
 * The message is written for the person who supplied it: it says what is wrong and, where it can, what to do.
 */
export class BadInputError extends Error {
  override readonly name = 'BadInputError';
}

/** The thing asked for does not exist (unknown application, stage...). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}
