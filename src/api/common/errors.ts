import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { ArgumentValidationError } from 'type-graphql';
import { BadInputError, ForbiddenError, MemoryLimitError, NotFoundError } from '../../errors.js';
import { UploadTooLargeError } from '../../ingest/upload-service.js';
import { logger } from '../../logger.js';

/** The `extensions.code` values this API answers with. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  SIGN_IN_NOT_CONFIGURED: 'SIGN_IN_NOT_CONFIGURED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;

/** An error whose message is safe and useful to show the client, with its code. */
export class ClientError extends GraphQLError {
  /** `http` sets the response's status and headers when the error stops the whole operation (401, 403, 429). */
  constructor(message: string, code: keyof typeof ErrorCode, http?: { status: number; headers?: Record<string, string> }) {
    super(message, {
      extensions: http
        ? { code, http: { status: http.status, headers: new Map(Object.entries(http.headers ?? {})) } }
        : { code },
    });
  }
}

/** Apollo's own codes for errors it raises before resolvers run (parse, validation, CSRF...). */
const apolloClientCodes = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** How graphql-js begins the error it adds when a request's variables hold too many wrong values. */
const TOO_MANY_VARIABLE_ERRORS = 'Too many errors processing variables';

/**
 * Shapes every error the client sees: known errors keep their message and get a code; validation errors
 * say which argument is wrong without echoing the value back; anything unexpected is logged and masked.
 * Never a stack trace.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
  if (original instanceof ClientError) return { ...base, extensions: { code: original.extensions.code } };
  if (original instanceof BadInputError) return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  if (original instanceof NotFoundError) return { ...base, extensions: { code: ErrorCode.NOT_FOUND } };
  if (original instanceof ForbiddenError) return { ...base, extensions: { code: ErrorCode.FORBIDDEN } };
  if (original instanceof UploadTooLargeError) return { ...base, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } };
  // Too large for this server's memory setting: the message names the setting an administrator can raise.
  if (original instanceof MemoryLimitError) return { ...base, extensions: { code: ErrorCode.PAYLOAD_TOO_LARGE } };
  if (original instanceof ArgumentValidationError) {
    const problems = original.extensions.validationErrors.flatMap((failure) =>
      Object.values(failure.constraints ?? {}).map((constraint) => constraint),
    );
    return {
      ...base,
      message: `Invalid arguments: ${problems.join('; ')}`,
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && apolloClientCodes.has(code)) return { ...base, extensions: { code } };
  // graphql-js stops coercing variables after 50 wrong values with an error of its own that carries no code.
  if (original instanceof GraphQLError && original.message.startsWith(TOO_MANY_VARIABLE_ERRORS)) {
    return { ...base, extensions: { code: ErrorCode.BAD_USER_INPUT } };
  }
  logger.error({ err: original }, 'unexpected error while answering a GraphQL request');
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
  };
}
