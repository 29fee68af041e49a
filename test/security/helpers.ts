import { ApiTokenStore } from '../../src/auth/api-tokens.js';
import type { Role } from '../../src/auth/roles.js';
import type { TestServer } from '../helpers/server.js';

/** A GraphQL answer as the wire carries it, with the status and headers the probes look at. */
export interface RawAnswer {
  status: number;
  headers: Headers;
  text: string;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } }> };
}

/** Posts a GraphQL query as JSON, with an API token when given. */
export async function query(
  server: TestServer,
  text: string,
  options: { token?: string; variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const response = await fetch(server.graphqlUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify({ query: text, variables: options.variables }),
  });
  const body = await response.text();
  return { status: response.status, headers: response.headers, text: body, body: JSON.parse(body) as RawAnswer['body'] };
}

/** Creates an API token straight in the server's progress database (as `spark-sword token create` does). */
export async function createToken(server: TestServer, role: Role, name: string): Promise<string> {
  return (await new ApiTokenStore(server.progress.database).create(name, role)).secret;
}

/** Bearer headers for gqlUpload. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The first error's code. */
export function codeOf(answer: { body?: RawAnswer['body']; errors?: RawAnswer['body']['errors'] }): string | undefined {
  return (answer.body?.errors ?? answer.errors)?.[0]?.extensions?.code;
}
