import type { AnalysisDatabase } from '../store/database.js';

/** What a REST handler gets: the database, the path's parameters and the query string. */
export interface RestRequest {
  db: AnalysisDatabase;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
}

/** A handler answers JSON (status 200) or throws a RestError. */
export type RestHandler = (request: RestRequest) => Promise<unknown>;

type Segment = { literal: string } | { param: string; pattern?: RegExp };

interface Route {
  segments: Segment[];
  handler: RestHandler;
}

/** A matched route. */
export interface RouteMatch {
  handler: RestHandler;
  params: Record<string, string>;
}

/**
 * A small router over path segments. Patterns read like "/applications/:appId/stages/:stageId(\\d+)"; a
 * parameter may constrain its segment with a regular expression. When several routes match, the one with a
 * literal segment where the others have a parameter wins, leftmost first (JAX-RS's rule), so
 * "/applications/x/jobs" is the jobs of app x, not app x's attempt "jobs".
 */
export class Router {
  private readonly routes: Route[] = [];

  /** Adds a GET route. */
  get(pattern: string, handler: RestHandler): this {
    const segments = splitPath(pattern).map((part): Segment => {
      const param = /^:(\w+)(?:\((.+)\))?$/.exec(part);
      if (!param) return { literal: part };
      return { param: param[1]!, ...(param[2] ? { pattern: new RegExp(`^(?:${param[2]})$`) } : {}) };
    });
    this.routes.push({ segments, handler });
    return this;
  }

  /** The best route for a path (a trailing slash is ignored), or null. */
  match(path: string): RouteMatch | null {
    const parts = splitPath(path);
    let best: { route: Route; params: Record<string, string> } | null = null;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params && (!best || moreSpecific(route, best.route))) best = { route, params };
    }
    return best && { handler: best.route.handler, params: best.params };
  }
}

function splitPath(path: string): string[] {
  return path.split('/').filter((part) => part.length > 0);
}

function matchSegments(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | null {
  if (segments.length !== parts.length) return null;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i]!;
    if ('literal' in segment) {
      if (segment.literal !== part) return null;
    } else {
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return null;
      }
      if (segment.pattern && !segment.pattern.test(value)) return null;
      params[segment.param] = value;
    }
  }
  return params;
}

/** True when `a` has a literal at the first segment where one of the two has a parameter and the other not. */
function moreSpecific(a: Route, b: Route): boolean {
  for (const [i, segment] of a.segments.entries()) {
    const other = b.segments[i]!;
    const aLiteral = 'literal' in segment;
    const bLiteral = 'literal' in other;
    if (aLiteral !== bLiteral) return aLiteral;
  }
  return false;
}
