/**
 * History Server's REST errors: a status and a plain-text message, worded as Spark words them so clients that
 * match on them keep working.
 */
export class RestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

/** 404, as Spark's NotFoundException. */
export function notFound(message: string): RestError {
  return new RestError(404, message);
}

/** 400 for a parameter Spark could not read (BadParameterException). */
export function badParameter(param: string, expected: string, actual: string): RestError {
  return new RestError(400, `Bad value for parameter "${param}".  Expected a ${expected}, got "${actual}"`);
}
