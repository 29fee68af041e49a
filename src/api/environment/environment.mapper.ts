import type { EnvironmentRecord } from '../../store/environment-store.js';
import type { ApplicationEnvironment } from './environment.type.js';

/** Store record → GraphQL ApplicationEnvironment (runtime from the JVM Information section). */
export function toEnvironment(record: EnvironmentRecord): ApplicationEnvironment {
  const { sections } = record;
  const jvm = new Map(sections.runtime.map((entry) => [entry.key, entry.value]));
  return {
    runtime: {
      javaVersion: jvm.get('Java Version') ?? null,
      javaHome: jvm.get('Java Home') ?? null,
      scalaVersion: jvm.get('Scala Version') ?? null,
    },
    sparkProperties: sections.sparkProperties,
    hadoopProperties: sections.hadoopProperties,
    systemProperties: sections.systemProperties,
    metricsProperties: sections.metricsProperties,
    classpathEntries: sections.classpathEntries,
    resourceProfiles: record.resourceProfiles.map((profile) => ({
      id: Number(profile.id),
      executorResources: profile.executorResources,
      taskResources: profile.taskResources,
    })),
  };
}
