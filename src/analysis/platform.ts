/** Where an application ran and which vendor engines it used, from its logged properties. */
export interface Platform {
  /** The vendor platform, or the cluster manager when no vendor is recognised. */
  vendor: 'databricks' | 'emr' | 'dataproc' | 'kubernetes' | 'yarn' | 'standalone' | 'local' | 'unknown';
  /** Databricks Photon (its native engine) was on. */
  photon: boolean;
  /** The RAPIDS Accelerator for Apache Spark (GPU) was loaded. */
  rapids: boolean;
  /** Databricks Runtime version as tagged ("11.3.x-photon-scala2.12"), when on Databricks. */
  databricksRuntime: string | null;
  /** The properties that told, for the evidence. */
  signals: string[];
}

/**
 * Spark version of each Databricks Runtime major version (Databricks' release notes), for logs that carry only
 * the runtime tag.
 */
const DBR_SPARK: Record<number, string> = { 6: '2.4', 7: '3.0', 8: '3.1', 9: '3.1', 10: '3.2', 11: '3.3', 12: '3.3', 13: '3.4', 14: '3.5', 15: '3.5', 16: '3.5' };

/** The Spark version a Databricks Runtime tag stands for ("11.3.x-scala2.12" → "3.3"), or null. */
export function sparkVersionOfDatabricksRuntime(tag: string | undefined): string | null {
  const major = /^(\d+)\.\d+/.exec(tag ?? '')?.[1];
  return major === undefined ? null : (DBR_SPARK[Number(major)] ?? null);
}

/**
 * Recognises the platform: Databricks from its spark.databricks.* properties (Photon from the runtime tag or
 * spark.databricks.photon.enabled), EMR from its cluster id or amzn builds, Dataproc from spark.dataproc.*
 * settings, its plugin or its master's host name, RAPIDS from its plugin or spark.rapids.* settings; otherwise
 * the cluster manager.
 */
export function detectPlatform(sparkProperties: ReadonlyMap<string, string>, systemProperties: ReadonlyMap<string, string> = new Map()): Platform {
  const signals: string[] = [];
  const keys = [...sparkProperties.keys()];
  const runtime = sparkProperties.get('spark.databricks.clusterUsageTags.sparkVersion') ?? null;
  const databricks = keys.some((key) => key.startsWith('spark.databricks.'));
  if (databricks) signals.push(keys.find((key) => key.startsWith('spark.databricks.clusterUsageTags')) ?? 'spark.databricks.*');
  const photon = /photon/i.test(runtime ?? '') || sparkProperties.get('spark.databricks.photon.enabled')?.trim().toLowerCase() === 'true';
  if (photon) signals.push(runtime && /photon/i.test(runtime) ? 'spark.databricks.clusterUsageTags.sparkVersion' : 'spark.databricks.photon.enabled');
  const plugins = `${sparkProperties.get('spark.plugins') ?? ''},${sparkProperties.get('spark.plugins.defaultList') ?? ''}`;
  const rapids = /com\.nvidia\.spark\.SQLPlugin/.test(plugins) || keys.some((key) => key.startsWith('spark.rapids.'));
  if (rapids) signals.push(/com\.nvidia/.test(plugins) ? 'spark.plugins' : 'spark.rapids.*');
  const emr = systemProperties.has('EMR_CLUSTER_ID') || keys.some((key) => key.startsWith('spark.emr.')) ||
    [...sparkProperties.values()].some((value) => /-amzn-\d|\/usr\/share\/aws\/emr\//.test(value));
  // Dataproc names its master node <cluster>-m on Compute Engine's internal DNS.
  const dataprocHost = /-m(\.c(\.[\w-]+)?)?\.internal$/.test(sparkProperties.get('spark.driver.host') ?? '');
  const dataproc = keys.some((key) => key.startsWith('spark.dataproc.')) || /DataprocSparkPlugin/.test(plugins) || dataprocHost;
  if (emr) signals.push(systemProperties.has('EMR_CLUSTER_ID') ? 'EMR_CLUSTER_ID' : 'EMR properties');
  if (dataproc) signals.push(dataprocHost && !keys.some((key) => key.startsWith('spark.dataproc.')) ? 'spark.driver.host' : 'spark.dataproc.*');
  const master = sparkProperties.get('spark.master') ?? '';
  const vendor: Platform['vendor'] = databricks ? 'databricks' : emr ? 'emr' : dataproc ? 'dataproc'
    : master.startsWith('k8s://') ? 'kubernetes' : master.startsWith('yarn') ? 'yarn' : master.startsWith('spark://') ? 'standalone'
    : master.startsWith('local') ? 'local' : 'unknown';
  return { vendor, photon, rapids, databricksRuntime: databricks ? runtime : null, signals };
}
