import { listValue } from '@duckdb/node-api';
import { appKeysParam, groupByAppKey } from './by-app-key.js';
import type { AnalysisDatabase } from './database.js';
import { logger } from '../logger.js';
import { isJsonObject, loggedText } from '../model/json-values.js';

/** Resources an executor was given, by resource name (e.g. GPUs and their addresses). */
export interface ExecutorResourceRecord {
  name: string;
  addresses: string[];
}

/** One executor of an application as History Server summarizes it (v_executors; times in epoch ms). */
export interface ExecutorRecord {
  appKey: string;
  id: string;
  hostPort: string | null;
  isActive: boolean;
  totalCores: bigint | null;
  maxTasks: bigint | null;
  activeTasks: bigint;
  failedTasks: bigint;
  completedTasks: bigint;
  totalTasks: bigint;
  totalDuration: bigint;
  totalGCTime: bigint;
  totalInputBytes: bigint;
  totalShuffleRead: bigint;
  totalShuffleWrite: bigint;
  isExcluded: boolean;
  excludedInStages: bigint[];
  maxMemory: bigint | null;
  maxOnHeapMemory: bigint | null;
  maxOffHeapMemory: bigint | null;
  addTime: bigint | null;
  removeTime: bigint | null;
  removeReason: string | null;
  executorLogs: Record<string, string>;
  attributes: Record<string, string>;
  resources: ExecutorResourceRecord[];
  resourceProfileId: bigint | null;
  /**
   * Peaks of the executor metrics (JVM heap, storage memory, GC...) by Spark's metric names; null when no task
   * ended on the executor and no StageExecutorMetrics event named it.
   */
  peakMemoryMetrics: Record<string, bigint> | null;
}

type ExecutorRow = Omit<ExecutorRecord, 'executorLogs' | 'attributes' | 'resources'> & {
  executorLogs: string | null;
  attributes: string | null;
  resources: string | null;
};

/** The driver first, then executors by numeric id (ids are strings, "10" after "9"). */
const executorOrder = `ORDER BY appKey, id <> 'driver', TRY_CAST(id AS BIGINT) NULLS LAST, id`;

/**
 * A JSON object stored from a log, or {} when it is none. Text JavaScript cannot parse (a NaN an ingest before
 * 2026-12-07 let through) is read as {} too: one executor's map must not fail the executors of every application listed
 * with it.
 */
function parseObject(json: string | null): Record<string, unknown> {
  if (!json) return {};
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    logger.warn({ err: error }, 'an executor map stored from a log is not JSON; answered as empty');
    return {};
  }
  return isJsonObject(value) ? value : {};
}

/**
 * A map of text values as logged (an executor's log links or attributes), each as {@link loggedText}, since the API
 * serves them as strings; a null one links to nothing and is left out.
 */
function parseTextMap(json: string | null): Record<string, string> {
  return Object.fromEntries(Object.entries(parseObject(json)).flatMap(([key, value]) => (value === null ? [] : [[key, loggedText(value)]])));
}

/** An executor's resources as logged (`{"gpu": {"name": "gpu", "addresses": ["0"]}}`); an entry that is no object is left out. */
function parseResources(json: string | null): ExecutorResourceRecord[] {
  return Object.entries(parseObject(json)).flatMap(([key, info]) => {
    if (!isJsonObject(info)) return [];
    const { name, addresses } = info as { name?: unknown; addresses?: unknown };
    return [{ name: typeof name === 'string' ? name : key, addresses: Array.isArray(addresses) ? addresses.map(loggedText) : [] }];
  });
}

/** Which executors {@link executorsByApp} lists. */
export interface ExecutorFilter {
  /** Only those not removed, as History Server's /executors lists them. */
  activeOnly?: boolean;
}

/**
 * The executors of each application, driver included, in the order of `appKeys` (one list per key). An application
 * of dynamic allocation can have added and removed tens of thousands: `activeOnly` leaves the removed ones in the store.
 */
export async function executorsByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
  filter: ExecutorFilter = {},
): Promise<ExecutorRecord[][]> {
  const rows = (await db.query(
    `SELECT appKey, id, hostPort, isActive, totalCores, maxTasks, activeTasks, failedTasks, completedTasks,
       totalTasks, totalDuration, totalGCTime, totalInputBytes, totalShuffleRead, totalShuffleWrite, isExcluded,
       excludedInStages, maxMemory, maxOnHeapMemory, maxOffHeapMemory, addTime, removeTime, removeReason,
       executorLogs, attributes, resources, resourceProfileId, peakMemoryMetrics
     FROM v_executors WHERE appKey IN (SELECT unnest($appKeys)) ${filter.activeOnly ? 'AND isActive' : ''} ${executorOrder}`,
    { appKeys: appKeysParam(appKeys) },
  )) as unknown as ExecutorRow[];
  const records = rows.map(
    (row): ExecutorRecord => ({
      ...row,
      executorLogs: parseTextMap(row.executorLogs),
      attributes: parseTextMap(row.attributes),
      resources: parseResources(row.resources),
    }),
  );
  return groupByAppKey(appKeys, records);
}

/**
 * The log links of the named executors of one application, by executor id (removed executors included); the stage
 * pages show them beside each task, so they read the executors their tasks ran on rather than every executor.
 */
export async function executorLogsOf(
  db: AnalysisDatabase,
  appKey: string,
  executorIds: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  if (executorIds.length === 0) return new Map();
  const rows = (await db.query(
    `SELECT id, executorLogs FROM app_executors WHERE appKey = $appKey AND list_contains($ids, id)`,
    { appKey, ids: listValue([...new Set(executorIds)]) },
  )) as unknown as Array<{ id: string; executorLogs: string | null }>;
  return new Map(rows.map((row) => [row.id, parseTextMap(row.executorLogs)]));
}

/** A process other than an executor that registered with the driver (e.g. the YARN application master). */
export interface MiscellaneousProcessRecord {
  appKey: string;
  processId: string;
  hostPort: string | null;
  totalCores: bigint | null;
  addTime: bigint | null;
  processLogs: Record<string, string>;
}

/**
 * The miscellaneous processes of each application by id, in the order of `appKeys` (one list per key); a
 * process added twice keeps its first add time and its latest information, as History Server does.
 */
export async function miscProcessesByApp(
  db: AnalysisDatabase,
  appKeys: readonly string[],
): Promise<MiscellaneousProcessRecord[][]> {
  const rows = (await db.query(
    `SELECT appKey, processId, last(info->>'hostPort' ORDER BY rowid) AS hostPort,
       last(TRY_CAST(info->>'cores' AS BIGINT) ORDER BY rowid) AS totalCores, min(addTime) AS addTime,
       last(CAST(info->'logUrlInfo' AS VARCHAR) ORDER BY rowid) AS processLogs
     FROM misc_processes WHERE appKey IN (SELECT unnest($appKeys))
     GROUP BY appKey, processId ORDER BY appKey, processId`,
    { appKeys: appKeysParam(appKeys) },
  )) as unknown as Array<Omit<MiscellaneousProcessRecord, 'processLogs'> & { processLogs: string | null }>;
  return groupByAppKey(
    appKeys,
    rows.map((row) => ({ ...row, processLogs: parseTextMap(row.processLogs) })),
  );
}
