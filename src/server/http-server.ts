import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { processRequest } from 'graphql-upload-minimal';
import type { Logger } from 'pino';
import { formatError } from '../api/common/errors.js';
import { RequestLoaders, type ApiContext } from '../api/context.js';
import { createAuthServices, type AuthServices } from '../auth/auth-services.js';
import { LearnerSession } from '../auth/learner-session.js';
import { LogDirectoryWatcher } from '../ingest/log-directory-watcher.js';
import type { ProgressStore } from '../learning/progress/progress-store.js';
import { complexityLimitPlugin } from './complexity-limit.js';
import { ApiTokenStore } from '../auth/api-tokens.js';
import type { Principal } from '../auth/roles.js';
import { removeAbandonedUploads } from '../ingest/upload-service.js';
import { accessPolicyPlugin } from './access-policy.js';
import { MAX_QUERY_TOKENS, queryShapeRule } from './query-shape.js';
import { RateLimiter } from './rate-limit.js';
import {
  authenticate,
  checkOpenModeExposure,
  clientKey,
  GateError,
  limitResponseSize,
  rateLimitError,
  requireRole,
} from './request-access.js';
import { buildApiSchema } from '../api/schema.js';
import type { Config } from '../config.js';
import { logger as rootLogger } from '../logger.js';
import { createRestHandler, REST_PREFIX } from '../rest/handler.js';
import type { AnalysisDatabase } from '../store/database.js';
import { version } from '../version.js';
import { IDE_ASSET_PREFIX, offlineGraphiqlLandingPage, readIdeAsset } from './graphiql.js';

export { MAX_QUERY_DEPTH } from './query-shape.js';
/** Largest JSON request body; event logs come as multipart uploads, not JSON. */
const MAX_JSON_BODY_BYTES = 1024 * 1024;


/** A started server and how to stop it. */
export interface RunningServer {
  url: string;
  httpServer: Server;
  stop: () => Promise<void>;
}

/** What the server needs from the process. */
export interface ServerOptions {
  config: Config;
  db: AnalysisDatabase;
  /** Learners' progress, a DuckDB of its own (PROGRESS_DB_PATH). */
  progress: ProgressStore;
  /** Replaces the session signer or Google verifier built from `config` (e.g. a verifier for another IdP). */
  auth?: Partial<AuthServices>;
  logger?: Logger;
}

/** Why a request's work was cancelled: its time budget ran out, or its client went away. */
export class RequestCancelledError extends Error {
  constructor(
    readonly reason: 'timeout' | 'disconnected',
    message: string,
  ) {
    super(message);
  }
}

/** Seconds a client told 503 (too many requests in progress) should wait before trying again. */
const RETRY_AFTER_SECONDS = 1;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY_BYTES) throw new HttpError(413, `Request body larger than ${MAX_JSON_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON');
  }
}

function headerMapOf(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

/** CORS with credentials for the configured origins only; returns true when the request was a preflight. */
function applyCors(request: IncomingMessage, response: ServerResponse, allowedOrigins: readonly string[]): boolean {
  const origin = request.headers.origin;
  if (origin && allowedOrigins.includes(origin)) {
    response.setHeader('access-control-allow-origin', origin);
    response.setHeader('access-control-allow-credentials', 'true');
    response.setHeader('vary', 'Origin');
  }
  if (request.method === 'OPTIONS') {
    if (origin && allowedOrigins.includes(origin)) {
      response.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      response.setHeader(
        'access-control-allow-headers',
        'content-type, apollo-require-preflight, x-apollo-operation-name, authorization',
      );
      response.setHeader('access-control-max-age', '600');
    }
    response.writeHead(204).end();
    return true;
  }
  return false;
}

/**
 * Starts Spark Sword's HTTP server: GraphQL at /graphql (Apollo Server on node:http, multipart uploads,
 * GraphiQL for browsers), GET /health, and the IDE's assets. Port 0 picks a free port.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const { config, db, progress } = options;
  const log = options.logger ?? rootLogger;
  const auth = createAuthServices(config, options.auth);
  checkOpenModeExposure(config, log);
  const tokens = new ApiTokenStore(progress.database);
  await removeAbandonedUploads(config.UPLOAD_TMP_DIR);
  const uploadLimiter = new RateLimiter(config.RATE_LIMIT_UPLOADS_PER_MINUTE);
  const expensiveLimiter = new RateLimiter(config.RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE);
  const schema = await buildApiSchema();
  const apollo = new ApolloServer<ApiContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    csrfPrevention: true,
    introspection: true,
    validationRules: [queryShapeRule()],
    parseOptions: { maxTokens: MAX_QUERY_TOKENS },
    plugins: [
      // No response sets cache hints; Apollo's implicit cache-control plugin would still hook every field.
      ApolloServerPluginCacheControlDisabled(),
      offlineGraphiqlLandingPage('/graphql'),
      accessPolicyPlugin(),
      complexityLimitPlugin(schema, {
        onExpensive: (context) => {
          const refused = rateLimitError(expensiveLimiter, (context as ApiContext).client, 'expensive queries', 'RATE_LIMIT_EXPENSIVE_QUERIES_PER_MINUTE');
          if (refused) throw refused.toClientError();
        },
      }),
    ],
    logger: log,
  });
  await apollo.start();
  // LOG_DIRECTORY: the server feeds itself from a History Server log directory while it serves.
  const logDirectory =
    config.LOG_DIRECTORY.length > 0
      ? new LogDirectoryWatcher(db, {
          paths: config.LOG_DIRECTORY,
          pollMs: config.LOG_DIRECTORY_POLL_SECONDS * 1000,
          cleaner: config.LOG_DIRECTORY_CLEANER,
          logger: log,
        })
      : null;

  /** The learner session of a request (cookies) and who the request speaks for (token, session or open mode). */
  const identify = async (request: IncomingMessage, response: ServerResponse): Promise<{ learner: LearnerSession; principal: Principal }> => {
    const learner = new LearnerSession({ cookieHeader: request.headers.cookie, response, config, progress, auth });
    return { learner, principal: await authenticate(request, learner, config, tokens) };
  };

  const handleGraphQL = async (
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    signal: AbortSignal,
    requestDb: AnalysisDatabase,
  ): Promise<void> => {
    const headers = headerMapOf(request);
    let body: unknown;
    const contentType = request.headers['content-type'] ?? '';
    const { learner, principal } = await identify(request, response);
    const client = clientKey(principal, request);
    if (request.method === 'POST' && contentType.startsWith('multipart/form-data')) {
      // Apollo's CSRF check cannot see a multipart body we parse ourselves: apply it before parsing.
      if (!request.headers['apollo-require-preflight'] && !request.headers['x-apollo-operation-name']) {
        throw new HttpError(
          400,
          'This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Multipart uploads ' +
            'need a non-empty "apollo-require-preflight" (or "x-apollo-operation-name") header.',
        );
      }
      gateUpload(principal, client);
      body = await processRequest(request, response, { maxFileSize: config.MAX_UPLOAD_BYTES, maxFiles: 1 }).catch((error: unknown) => {
        // The multipart parser's own refusals (a malformed content type or boundary) carry no status: the client's.
        if (typeof (error as { status?: unknown }).status === 'number') throw error;
        throw new HttpError(400, `The multipart request cannot be read (${error instanceof Error ? error.message : String(error)})`);
      });
      headers.set('content-type', 'application/json');
    } else if (request.method === 'POST') {
      body = await readJsonBody(request);
    }
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: request.method ?? 'GET',
      headers,
      search: url.search,
      body,
    };
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest,
      context: async () => ({
        db: requestDb,
        config,
        logger: log,
        loaders: new RequestLoaders(),
        learner,
        progress,
        principal,
        tokens,
        client,
        logDirectory,
      }),
    });
    // The time budget ran out (answered already) or the client left: nothing more to write.
    if (signal.aborted) return;
    for (const [name, value] of result.headers) {
      // Resolvers set cookies on the response already; a plugin's Set-Cookie adds to them, never replaces them.
      if (name === 'set-cookie') response.appendHeader(name, value);
      else response.setHeader(name, value);
    }
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      const sized = limitResponseSize(result.body.string, config.MAX_RESPONSE_BYTES);
      if (sized.limited) log.warn({ path: '/graphql' }, 'refused to send a response larger than MAX_RESPONSE_BYTES');
      response.end(sized.body);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  };

  const handleHealth = async (response: ServerResponse): Promise<void> => {
    const problem = await db.recheckFault();
    let reachable = false;
    try {
      await db.query('SELECT 1');
      reachable = true;
    } catch (error) {
      log.error({ err: error }, 'health check could not reach the analysis database');
    }
    // A standing fault (a full disk) keeps reads working but stops writes: /health says so until it clears.
    const healthy = reachable && problem === null;
    sendJson(response, healthy ? 200 : 503, {
      status: healthy ? 'ok' : 'degraded',
      version,
      database: problem === null ? { reachable } : { reachable, problem },
      ...(logDirectory ? { logDirectory: logDirectory.status() } : {}),
    });
  };

  const handleRest = createRestHandler();

  /** Uploads are refused before their body is read: without the role, or past the client's upload rate. */
  const gateUpload = (principal: Principal, client: string): void => {
    requireRole(principal, 'viewer', 'An upload');
    const refused = rateLimitError(uploadLimiter, client, 'uploads', 'RATE_LIMIT_UPLOADS_PER_MINUTE');
    if (refused) throw refused;
  };

  /** The History Server API reads analysis data: viewer or better, with the same Bearer tokens as GraphQL. */
  const gateRest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    requireRole((await identify(request, response)).principal, 'viewer', 'The REST API');
  };

  let inFlight = 0;
  const httpServer = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const isRest = path === REST_PREFIX || path.startsWith(`${REST_PREFIX}/`);
    const isApi = path === '/graphql' || isRest;
    const controller = new AbortController();
    const signal = controller.signal;
    if (isApi && request.method !== 'OPTIONS') {
      // Beyond the limit, answer at once: a queue without bound only makes every client wait longer.
      if (inFlight >= config.MAX_CONCURRENT_REQUESTS) {
        response.setHeader('retry-after', String(RETRY_AFTER_SECONDS));
        sendJson(response, 503, {
          errors: [
            {
              message:
                `The server is busy: ${inFlight} requests are in progress (MAX_CONCURRENT_REQUESTS is ` +
                `${config.MAX_CONCURRENT_REQUESTS}). Retry after ${RETRY_AFTER_SECONDS} s.`,
              extensions: { code: 'SERVICE_UNAVAILABLE' },
            },
          ],
        });
        return;
      }
      inFlight += 1;
      const isUpload = (request.headers['content-type'] ?? '').startsWith('multipart/form-data');
      const timer = isUpload
        ? undefined
        : setTimeout(() => {
            const message =
              `The request took longer than its time budget (REQUEST_TIMEOUT_MS = ${config.REQUEST_TIMEOUT_MS} ms) ` +
              'and was cancelled. Ask for less (fewer stages, a smaller page) or raise REQUEST_TIMEOUT_MS.';
            controller.abort(new RequestCancelledError('timeout', message));
            log.warn({ path, timeoutMs: config.REQUEST_TIMEOUT_MS }, 'request cancelled: time budget ran out');
            if (response.headersSent) response.destroy();
            else if (isRest) {
              response.writeHead(504, { 'content-type': 'text/plain; charset=utf-8' }).end(message);
            } else sendJson(response, 504, { errors: [{ message, extensions: { code: 'REQUEST_TIMEOUT' } }] });
          }, config.REQUEST_TIMEOUT_MS);
      response.once('close', () => {
        inFlight -= 1;
        clearTimeout(timer);
        if (!response.writableFinished && !signal.aborted) {
          controller.abort(new RequestCancelledError('disconnected', 'The client closed the connection'));
          log.info({ path }, 'request cancelled: the client disconnected');
        }
      });
    }
    const route = async (): Promise<void> => {
      if (path === '/graphql') {
        if (applyCors(request, response, config.ALLOWED_ORIGINS)) return;
        await handleGraphQL(request, response, url, signal, db.forRequest(signal));
      } else if (path === '/health' && (request.method === 'GET' || request.method === 'HEAD')) {
        await handleHealth(response);
      } else if (path.startsWith(IDE_ASSET_PREFIX) && request.method === 'GET') {
        const asset = await readIdeAsset(path);
        if (!asset) throw new HttpError(404, `No such IDE asset: ${path}`);
        response.writeHead(200, { 'content-type': asset.contentType, 'cache-control': 'public, max-age=86400' });
        response.end(asset.body);
      } else if (isRest) {
        try {
          await gateRest(request, response);
        } catch (error) {
          if (!(error instanceof GateError)) throw error;
          // History Server's API answers errors in plain text; so does its gate.
          response.writeHead(error.status, { 'content-type': 'text/plain; charset=utf-8', ...error.headers });
          response.end(error.message);
          return;
        }
        await handleRest(request, response, db.forRequest(signal));
      } else if (path === '/' && request.method === 'GET') {
        response.writeHead(302, { location: '/graphql' }).end();
      } else {
        throw new HttpError(404, `Nothing is served at ${path}; GraphQL is at /graphql`);
      }
    };
    route().catch((error: unknown) => {
      // Cancelled: the time budget's answer went out already, or nobody is listening any more.
      if (signal.aborted) return;
      if (error instanceof GateError) {
        if (!response.headersSent) {
          response.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', ...error.headers });
          response.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }));
        } else response.end();
        return;
      }
      const status = error instanceof HttpError ? error.status : (error as { status?: number }).status;
      // A body refused as too large was dropped unread, its socket with it: the client must not send its next request
      // there (it would meet a reset). Other refusals leave Node to drain the body and keep the connection.
      if (status === 413 && !request.complete && !response.headersSent) response.setHeader('connection', 'close');
      if (typeof status === 'number' && status >= 400 && status < 500) {
        const code = status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST';
        if (!response.headersSent) {
          sendJson(response, status, { errors: [{ message: (error as Error).message, extensions: { code } }] });
        }
        else response.end();
        return;
      }
      log.error({ err: error, path }, 'request failed');
      if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error' }] });
      else response.end();
    });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  logDirectory?.start();
  const address = httpServer.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    httpServer,
    stop: async () => {
      await logDirectory?.stop();
      await new Promise<void>((resolve) => httpServer.close(() => resolve()));
      httpServer.closeAllConnections();
      await apollo.stop();
    },
  };
}
