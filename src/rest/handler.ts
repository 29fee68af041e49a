import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnalysisDatabase } from '../store/database.js';
import { applicationRoutes } from './applications.js';
import { environmentRoutes } from './environment.js';
import { RestError } from './errors.js';
import { executorRoutes } from './executors.js';
import { jobRoutes } from './jobs.js';
import { toJsonText } from './json.js';
import { Router } from './router.js';
import { stageRoutes } from './stages.js';
import { sqlRoutes } from './sql.js';
import { storageRoutes } from './storage.js';
import { versionRoutes } from './version.js';

/** Where Spark History Server's REST API lives, here as there. */
export const REST_PREFIX = '/api/v1';

/** Every History Server resource Spark Sword answers. */
export function restRouter(): Router {
  const router = new Router();
  applicationRoutes(router);
  jobRoutes(router);
  stageRoutes(router);
  executorRoutes(router);
  environmentRoutes(router);
  storageRoutes(router);
  sqlRoutes(router);
  versionRoutes(router);
  return router;
}

function sendText(response: ServerResponse, status: number, text: string, head: boolean): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  response.end(head ? undefined : text);
}

/**
 * Spark History Server's REST API (`/api/v1/...`) over the analysis database: the same paths, parameters,
 * JSON and error messages, so History Server clients work against Spark Sword unchanged. Errors are plain
 * text with History Server's status and wording. Each request is answered from the handle it is given (the
 * server's handle of that request, so its queries stop when it is cancelled).
 */
export function createRestHandler(): (request: IncomingMessage, response: ServerResponse, db: AnalysisDatabase) => Promise<void> {
  const router = restRouter();
  return async (request, response, db) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const head = request.method === 'HEAD';
    if (request.method !== 'GET' && !head) {
      response.setHeader('allow', 'GET, HEAD');
      sendText(response, 405, `${request.method ?? ''} is not supported: the History Server API is read-only`, head);
      return;
    }
    const path = url.pathname.slice(REST_PREFIX.length) || '/';
    const match = router.match(path);
    if (!match) {
      sendText(response, 404, `Nothing is served at ${url.pathname}`, head);
      return;
    }
    try {
      const body = await match.handler({ db, params: match.params, query: url.searchParams });
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(head ? undefined : toJsonText(body));
    } catch (error) {
      if (!(error instanceof RestError)) throw error;
      sendText(response, error.status, error.message, head);
    }
  };
}
