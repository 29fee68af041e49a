import type { Router } from './router.js';

/**
 * The Spark release whose History Server REST API Spark Sword answers as (its SQL resource's shape, the task
 * error wording, the JSON field names): what History Server's /version reports as its own Spark version.
 */
const HISTORY_SERVER_SPARK_VERSION = '4.1.0';

/** /version: History Server's VersionInfo. */
export function versionRoutes(router: Router): void {
  router.get('/version', async () => ({ spark: HISTORY_SERVER_SPARK_VERSION }));
}
