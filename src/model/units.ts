/** Binary byte units, as Spark sizes its settings (spark.sql.files.maxPartitionBytes = 128 MiB = 128 × 2^20). */
export const KiB = 1024;
/** 2^20 bytes. */
export const MiB = 1024 * KiB;
/** 2^30 bytes. */
export const GiB = 1024 * MiB;
/** 2^40 bytes. */
export const TiB = 1024 * GiB;
