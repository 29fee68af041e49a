import { parseSetCookie, type SetCookie } from 'cookie';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { gql, type GraphQLResponse } from './server.js';

/** The Set-Cookie headers of a response, parsed (name, value, and every attribute). */
export function setCookiesOf(headers: Headers): SetCookie[] {
  return headers.getSetCookie().map((header) => parseSetCookie(header));
}

/** True when a Set-Cookie tells the browser to delete the cookie. */
export function deletes(cookie: SetCookie): boolean {
  return (cookie.maxAge !== undefined && cookie.maxAge <= 0) || (cookie.expires !== undefined && cookie.expires.getTime() <= Date.now());
}

/**
 * A browser's cookie store for one site, enough for tests: Set-Cookie adds, replaces or deletes by name;
 * `headers()` gives the Cookie header to pass to `gql`. Domain, path and Secure are not enforced.
 */
export class CookieJar {
  private readonly values = new Map<string, string>();

  /** The cookie's value, if the jar holds it. */
  get(name: string): string | undefined {
    return this.values.get(name);
  }

  /** Puts a cookie in the jar as if the server had set it (e.g. a tampered one). */
  set(name: string, value: string): this {
    this.values.set(name, value);
    return this;
  }

  /** Removes a cookie. */
  delete(name: string): this {
    this.values.delete(name);
    return this;
  }

  /** Headers carrying the jar's cookies (`{}` when empty), for `gql`'s headers argument. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    if (this.values.size === 0) return { ...extra };
    const cookie = [...this.values].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
    return { ...extra, cookie };
  }

  /** Applies a response's Set-Cookie headers and returns them parsed. */
  store(headers: Headers): SetCookie[] {
    const cookies = setCookiesOf(headers);
    for (const cookie of cookies) {
      if (deletes(cookie) || cookie.value === undefined) this.values.delete(cookie.name);
      else this.values.set(cookie.name, cookie.value);
    }
    return cookies;
  }

  /** `gql` with this jar's cookies, storing what the response sets; the parsed Set-Cookies come back too. */
  async gql<TResult, TVariables>(
    url: string,
    document: TypedDocumentNode<TResult, TVariables>,
    variables?: TVariables,
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<TResult> & { status: number; headers: Headers; setCookies: SetCookie[] }> {
    const response = await gql(url, document, variables, this.headers(headers));
    return { ...response, setCookies: this.store(response.headers) };
  }
}
