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

/** The caller is known but its role or ownership does not allow this (an uploader deleting another's application). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/**
 * The work needs more memory than the server's configured limit gives it (a log too big for DUCKDB_MEMORY_LIMIT).
 * Not the input's fault, nor a fault of the server: the message names the limit an administrator can raise.
 */
export class MemoryLimitError extends Error {
  override readonly name = 'MemoryLimitError';
}
