import { applicationAttempts } from '../store/applications-store.js';
import { notFound } from './errors.js';
import type { RestRequest, Router } from './router.js';

/** The application attempt a request is about. */
export interface AppScope {
  appKey: string;
  appId: string;
  attemptId: string | null;
}

/**
 * The attempt `/applications/{appId}[/{attemptId}]` names. As in History Server, an app id alone names the
 * attempt without an id, so an app whose attempts all have ids (YARN cluster mode, retries) needs the
 * attempt in the path; an unknown one answers 404 "no such app: …".
 */
export async function resolveAppScope(request: RestRequest): Promise<AppScope> {
  const { appId } = request.params as { appId: string };
  const attemptId = request.params.attemptId ?? null;
  const attempt = (await applicationAttempts(request.db, appId)).find((row) => row.attemptId === attemptId);
  if (!attempt) throw notFound(`no such app: ${attemptId === null ? appId : `${appId}/${attemptId}`}`);
  return { appKey: attempt.appKey, appId, attemptId };
}

/** A handler of one application attempt's resource. */
export type AppHandler = (request: RestRequest, app: AppScope) => Promise<unknown>;

/**
 * Registers a resource of an application under both of History Server's prefixes:
 * `/applications/{appId}/<path>` and `/applications/{appId}/{attemptId}/<path>`.
 */
export function appRoute(router: Router, path: string, handler: AppHandler): void {
  for (const prefix of ['/applications/:appId', '/applications/:appId/:attemptId']) {
    router.get(`${prefix}/${path}`, async (request) => handler(request, await resolveAppScope(request)));
  }
}
