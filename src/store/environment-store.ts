import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';

/** The sections of SparkListenerEnvironmentUpdate, as the environment table names them. */
export const environmentSections = [
  'runtime',
  'sparkProperties',
  'hadoopProperties',
  'systemProperties',
  'metricsProperties',
  'classpathEntries',
] as const;

/** One section of the environment. */
export type EnvironmentSection = (typeof environmentSections)[number];

/** One entry of an environment section (a property, or a classpath entry and where it came from). */
export interface EnvironmentEntry {
  key: string;
  value: string | null;
}

/** An executor resource a resource profile asks for. */
export interface ExecutorResourceRequestRecord {
  resourceName: string;
  amount: bigint;
  discoveryScript: string | null;
  vendor: string | null;
}

/** A task resource a resource profile asks for (fractions of a resource are allowed). */
export interface TaskResourceRequestRecord {
  resourceName: string;
  amount: number;
}

/** A resource profile (Spark 3.1+ stage-level scheduling). */
export interface ResourceProfileRecord {
  appKey: string;
  id: bigint;
  executorResources: ExecutorResourceRequestRecord[];
  taskResources: TaskResourceRequestRecord[];
}

/**
 * What an application ran with: each section of its last environment update sorted by key (as History Server
 * lists them), and its resource profiles by id.
 */
export interface EnvironmentRecord {
  appKey: string;
  sections: Record<EnvironmentSection, EnvironmentEntry[]>;
  resourceProfiles: ResourceProfileRecord[];
}

/**
 * The environment of each application, in the order of `appKeys`; null for an application whose log has no
 * environment update (History Server has no environment for it either).
 */
export async function environmentsByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
): Promise<Array<EnvironmentRecord | null>> {
  const params = { appKeys: appKeysParam(appKeys) };
  const [entries, profiles] = await Promise.all([
    db.query(
      `SELECT appKey, section, key, value FROM environment WHERE appKey IN (SELECT unnest($appKeys))
       ORDER BY appKey, section, key, value`,
      params,
    ) as unknown as Promise<Array<EnvironmentEntry & { appKey: string; section: EnvironmentSection }>>,
    db.query(
      `SELECT p.appKey, p.id,
         -- A request whose amount is no number (a crafted log; Spark could not have read it) is left out.
         coalesce((SELECT list_filter(list({'resourceName': r.key, 'amount': TRY_CAST(r.value->>'Amount' AS BIGINT),
                                            'discoveryScript': r.value->>'Discovery Script', 'vendor': r.value->>'Vendor'}
                                           ORDER BY r.key), request -> request.amount IS NOT NULL)
                   FROM json_each(p.executorResources) r), []) AS executorResources,
         coalesce((SELECT list_filter(list({'resourceName': r.key, 'amount': TRY_CAST(r.value->>'Amount' AS DOUBLE)} ORDER BY r.key),
                                      request -> request.amount IS NOT NULL)
                   FROM json_each(p.taskResources) r), []) AS taskResources
       FROM resource_profiles p WHERE p.appKey IN (SELECT unnest($appKeys))
       ORDER BY p.appKey, p.id`,
      params,
    ) as unknown as Promise<ResourceProfileRecord[]>,
  ]);
  const entriesByApp = groupByAppKey(appKeys, entries);
  const profilesByApp = groupByAppKey(appKeys, profiles);
  return appKeys.map((appKey, i) => {
    const appEntries = entriesByApp[i]!;
    if (appEntries.length === 0) return null;
    const sections = Object.fromEntries(environmentSections.map((section) => [section, []])) as unknown as Record<
      EnvironmentSection,
      EnvironmentEntry[]
    >;
    for (const { section, key, value } of appEntries) sections[section]?.push({ key, value });
    return { appKey, sections, resourceProfiles: profilesByApp[i]! };
  });
}
