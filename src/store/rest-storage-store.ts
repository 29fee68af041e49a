import type { AnalysisDatabase } from './database.js';

/** A Spark storage level as event logs describe it. */
export interface StorageLevelRecord {
  useDisk: boolean;
  useMemory: boolean;
  useOffHeap: boolean;
  deserialized: boolean;
  replication: bigint;
}

/**
 * An RDD History Server tracks for its storage page: one a submitted stage used with a storage level (it was
 * persisted), described as the first such stage saw it, and not unpersisted. (Spark would track an RDD again
 * if a stage used it after its unpersist; the tables keep no order between the two, so it stays dropped.)
 */
export interface PersistedRddRecord {
  id: bigint;
  name: string | null;
  numPartitions: bigint;
  storageLevel: StorageLevelRecord;
  /** Partitions cached somewhere: block updates say which, and logs rarely record them (see storage docs). */
  numCachedPartitions: bigint;
  memoryUsed: bigint;
  diskUsed: bigint;
}

/**
 * The persisted RDDs of one application by id (AppStatusListener creates a LiveRDD when a stage is submitted
 * with an RDD whose storage level is valid, and drops it on SparkListenerUnpersistRDD). Their cached
 * partitions and memory come from SparkListenerBlockUpdated events, which Spark logs only with
 * spark.eventLog.logBlockUpdates.enabled and the ingest does not keep: they read as none.
 */
export async function persistedRdds(db: AnalysisDatabase, appKey: string): Promise<PersistedRddRecord[]> {
  return (await db.query(
    `WITH infos AS (
       -- TRY_CAST here and below: a value of another type (a crafted log) reads as unknown, as Spark's default, not as
       -- a failed query.
       SELECT s.stageId, s.attemptId, coalesce(s.submissionTime, 0) AS submitted, TRY_CAST(r.value->>'RDD ID' AS BIGINT) AS id,
         r.value AS info
       FROM stages s, json_each(coalesce(s.rddInfo, '[]')) r
       -- Submitted stages only: the stages a job planned but never ran did not create RDD entries.
       WHERE s.appKey = $appKey AND s.status IN ('ACTIVE', 'COMPLETE', 'FAILED')
     ), first_seen AS (
       SELECT id, arg_min(info, [submitted, stageId, attemptId]) AS info FROM infos WHERE id IS NOT NULL GROUP BY id
     ), levels AS (
       SELECT id, info->>'Name' AS name, coalesce(TRY_CAST(info->>'Number of Partitions' AS BIGINT), 0) AS numPartitions,
         {'useDisk': coalesce(TRY_CAST(info->'Storage Level'->>'Use Disk' AS BOOLEAN), false),
          'useMemory': coalesce(TRY_CAST(info->'Storage Level'->>'Use Memory' AS BOOLEAN), false),
          'useOffHeap': coalesce(TRY_CAST(info->'Storage Level'->>'Use Off Heap' AS BOOLEAN), false),
          'deserialized': coalesce(TRY_CAST(info->'Storage Level'->>'Deserialized' AS BOOLEAN), false),
          'replication': coalesce(TRY_CAST(info->'Storage Level'->>'Replication' AS BIGINT), 1)} AS storageLevel
       FROM first_seen
     )
     SELECT id, name, numPartitions, storageLevel, 0::BIGINT AS numCachedPartitions, 0::BIGINT AS memoryUsed,
       0::BIGINT AS diskUsed
     FROM levels l
     WHERE (storageLevel.useDisk OR storageLevel.useMemory OR storageLevel.useOffHeap) AND storageLevel.replication > 0
       AND NOT EXISTS (SELECT 1 FROM unpersisted_rdds u WHERE u.appKey = $appKey AND u.rddId = l.id)
     ORDER BY id`,
    { appKey },
  )) as unknown as PersistedRddRecord[];
}
