import { persistedRdds, type PersistedRddRecord, type StorageLevelRecord } from '../store/rest-storage-store.js';
import { appRoute } from './app-scope.js';
import { notFound } from './errors.js';
import { num, opt } from './json.js';
import { pathInt } from './params.js';
import type { Router } from './router.js';

/** Spark's StorageLevel.description, e.g. "Memory Deserialized 1x Replicated". */
export function storageLevelDescription(level: StorageLevelRecord): string {
  const disk = level.useDisk ? 'Disk ' : '';
  const memory = level.useMemory ? (level.useOffHeap ? 'Memory (off heap) ' : 'Memory ') : '';
  return `${disk}${memory}${level.deserialized ? 'Deserialized ' : 'Serialized '}${level.replication}x Replicated`;
}

/** History Server's RDDStorageInfo; no partition is known to be cached (see persistedRdds). */
function rddJson(rdd: PersistedRddRecord): Record<string, unknown> {
  return {
    id: num(rdd.id),
    name: opt(rdd.name),
    numPartitions: num(rdd.numPartitions),
    numCachedPartitions: num(rdd.numCachedPartitions),
    storageLevel: storageLevelDescription(rdd.storageLevel),
    memoryUsed: rdd.memoryUsed,
    diskUsed: rdd.diskUsed,
    partitions: [],
  };
}

/** /storage/rdd (the RDDs with cached partitions) and /storage/rdd/{rddId}. */
export function storageRoutes(router: Router): void {
  appRoute(router, 'storage/rdd', async ({ db }, app) =>
    (await persistedRdds(db, app.appKey)).filter((rdd) => rdd.numCachedPartitions > 0n).map(rddJson),
  );

  appRoute(router, 'storage/rdd/:rddId(\\d+)', async ({ db, params }, app) => {
    const rddId = pathInt(params.rddId);
    const rdd = (await persistedRdds(db, app.appKey)).find((candidate) => Number(candidate.id) === rddId);
    if (!rdd) throw notFound(`no rdd found w/ id ${rddId}`);
    return rddJson(rdd);
  });
}
