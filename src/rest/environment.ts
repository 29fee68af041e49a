import { environmentsByApp, type EnvironmentEntry } from '../store/environment-store.js';
import { appRoute } from './app-scope.js';
import { notFound } from './errors.js';
import { num } from './json.js';
import type { Router } from './router.js';

/** Spark's default spark.redaction.regex: a property whose key or value matches has its value hidden. */
const REDACTION_PATTERN = /secret|password|token|access[.]?key/i;
const REDACTED = '*********(redacted)';

/** A section as History Server lists it: [key, value] pairs by key, sensitive values redacted (Utils.redact). */
function pairs(entries: readonly EnvironmentEntry[], redact: boolean): Array<[string, string | null]> {
  return entries.map(({ key, value }) =>
    redact && (REDACTION_PATTERN.test(key) || (value !== null && REDACTION_PATTERN.test(value)))
      ? [key, REDACTED]
      : [key, value],
  );
}

/** /environment: History Server's ApplicationEnvironmentInfo with the resource profiles. */
export function environmentRoutes(router: Router): void {
  appRoute(router, 'environment', async ({ db }, app) => {
    const [environment] = await environmentsByApp(db, [app.appKey]);
    // History Server has no environment for a log without an environment update, and says so this way.
    if (!environment) throw notFound(`no such app: ${app.attemptId === null ? app.appId : `${app.appId}/${app.attemptId}`}`);
    const { sections } = environment;
    const runtime = new Map(sections.runtime.map((entry) => [entry.key, entry.value]));
    return {
      runtime: {
        javaVersion: runtime.get('Java Version') ?? undefined,
        javaHome: runtime.get('Java Home') ?? undefined,
        scalaVersion: runtime.get('Scala Version') ?? undefined,
      },
      sparkProperties: pairs(sections.sparkProperties, true),
      hadoopProperties: pairs(sections.hadoopProperties, true),
      systemProperties: pairs(sections.systemProperties, true),
      metricsProperties: pairs(sections.metricsProperties, true),
      classpathEntries: pairs(sections.classpathEntries, false),
      resourceProfiles: environment.resourceProfiles.map((profile) => ({
        id: num(profile.id),
        executorResources: Object.fromEntries(
          profile.executorResources.map((request) => [
            request.resourceName,
            {
              resourceName: request.resourceName,
              amount: request.amount,
              discoveryScript: request.discoveryScript ?? '',
              vendor: request.vendor ?? '',
            },
          ]),
        ),
        taskResources: Object.fromEntries(
          profile.taskResources.map((request) => [
            request.resourceName,
            { resourceName: request.resourceName, amount: request.amount },
          ]),
        ),
      })),
    };
  });
}
