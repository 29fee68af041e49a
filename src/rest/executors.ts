import { executorsByApp, miscProcessesByApp, type ExecutorRecord } from '../store/executors-store.js';
import { appRoute } from './app-scope.js';
import { RestError } from './errors.js';
import { num, opt, shsDate } from './json.js';
import type { Router } from './router.js';

/** The block manager Spark adds for fallback storage; History Server never lists it. */
const FALLBACK_EXECUTOR_ID = 'fallback';

/**
 * History Server's ExecutorSummary. Storage use (rddBlocks, memoryUsed, diskUsed and the used storage memory)
 * comes from SparkListenerBlockUpdated events, which Spark logs only with spark.eventLog.logBlockUpdates.enabled
 * and the ingest does not keep: it reads as none, as History Server shows for logs without them.
 */
function executorJson(executor: ExecutorRecord): Record<string, unknown> {
  const excludedInStages = executor.excludedInStages.map(Number);
  return {
    id: executor.id,
    hostPort: opt(executor.hostPort),
    isActive: executor.isActive,
    rddBlocks: 0,
    memoryUsed: 0,
    diskUsed: 0,
    totalCores: num(executor.totalCores ?? 0n),
    maxTasks: num(executor.maxTasks ?? 0n),
    activeTasks: num(executor.activeTasks),
    failedTasks: num(executor.failedTasks),
    completedTasks: num(executor.completedTasks),
    totalTasks: num(executor.totalTasks),
    totalDuration: executor.totalDuration,
    totalGCTime: executor.totalGCTime,
    totalInputBytes: executor.totalInputBytes,
    totalShuffleRead: executor.totalShuffleRead,
    totalShuffleWrite: executor.totalShuffleWrite,
    isBlacklisted: executor.isExcluded,
    maxMemory: executor.maxMemory ?? 0n,
    addTime: shsDate(executor.addTime),
    removeTime: shsDate(executor.removeTime),
    removeReason: opt(executor.removeReason),
    executorLogs: executor.executorLogs,
    memoryMetrics:
      executor.maxOnHeapMemory === null
        ? undefined
        : {
            usedOnHeapStorageMemory: 0,
            usedOffHeapStorageMemory: 0,
            totalOnHeapStorageMemory: executor.maxOnHeapMemory,
            totalOffHeapStorageMemory: executor.maxOffHeapMemory ?? 0n,
          },
    blacklistedInStages: excludedInStages,
    peakMemoryMetrics: opt(executor.peakMemoryMetrics),
    attributes: executor.attributes,
    resources: Object.fromEntries(executor.resources.map((resource) => [resource.name, resource])),
    resourceProfileId: num(executor.resourceProfileId ?? 0n),
    isExcluded: executor.isExcluded,
    excludedInStages,
  };
}

/** Java's String order, which History Server's store sorts executor ids by. */
const byId = (a: ExecutorRecord, b: ExecutorRecord): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** /executors (active ones), /allexecutors and /allmiscellaneousprocess. */
export function executorRoutes(router: Router): void {
  appRoute(router, 'executors', async ({ db }, app) => {
    const [executors] = await executorsByApp(db, [app.appKey], { activeOnly: true });
    // The store's "active" index read backwards: active executors, highest id first.
    return executors!
      .filter((executor) => executor.id !== FALLBACK_EXECUTOR_ID)
      .sort((a, b) => byId(b, a))
      .map(executorJson);
  });

  appRoute(router, 'allexecutors', async ({ db }, app) => {
    const [executors] = await executorsByApp(db, [app.appKey]);
    return executors!.filter((executor) => executor.id !== FALLBACK_EXECUTOR_ID).sort(byId).map(executorJson);
  });

  // Thread dumps need a live SparkContext: History Server answers as for an app it replayed from its log.
  appRoute(router, 'executors/:executorId/threads', async ({ params }) => {
    const executorId = params.executorId!;
    if (executorId !== 'driver' && !/^\d*$/.test(executorId)) {
      throw new RestError(400, `Invalid executorId: neither 'driver' nor number.`);
    }
    throw new RestError(503, 'Thread dumps not available through the history server.');
  });

  appRoute(router, 'allmiscellaneousprocess', async ({ db }, app) => {
    const [processes] = await miscProcessesByApp(db, [app.appKey]);
    return processes!.map((process) => ({
      id: process.processId,
      hostPort: opt(process.hostPort),
      // Spark logs no removal of these processes: they stay active.
      isActive: true,
      totalCores: num(process.totalCores ?? 0n),
      addTime: shsDate(process.addTime),
      processLogs: process.processLogs,
    }));
  });
}
