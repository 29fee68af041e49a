import { applicationAttempts, type ApplicationRecord } from '../store/applications-store.js';
import { notFound } from './errors.js';
import { opt, shsDate } from './json.js';
import { dateParam, enumList, optionalIntParam } from './params.js';
import type { Router } from './router.js';

/** History Server's ApplicationAttemptInfo. */
function attemptJson(attempt: ApplicationRecord): Record<string, unknown> {
  // A running attempt has no end: Spark writes its end as the epoch minus 1 ms and its duration as 0.
  const startTime = attempt.startTime ?? -1n;
  const endTime = attempt.completed && attempt.endTime !== null ? attempt.endTime : -1n;
  return {
    attemptId: opt(attempt.attemptId),
    startTime: shsDate(startTime),
    endTime: shsDate(endTime),
    lastUpdated: shsDate(attempt.lastUpdated),
    duration: endTime >= 0n ? (attempt.duration ?? 0n) : 0n,
    sparkUser: opt(attempt.sparkUser),
    completed: attempt.completed,
    appSparkVersion: attempt.sparkVersion ?? '',
    startTimeEpoch: startTime,
    endTimeEpoch: endTime,
    lastUpdatedEpoch: attempt.lastUpdated,
  };
}

/** One app id and its attempts, latest start first (History Server's ApplicationInfo). */
interface AppListing {
  id: string;
  attempts: ApplicationRecord[];
}

function appJson(app: AppListing): Record<string, unknown> {
  return { id: app.id, name: opt(app.attempts[0]!.name), attempts: app.attempts.map(attemptJson) };
}

/** Attempts grouped by app id, apps ordered as History Server lists them: latest attempt's end, newest first. */
function groupByApp(attempts: readonly ApplicationRecord[]): AppListing[] {
  const apps = new Map<string, ApplicationRecord[]>();
  for (const attempt of attempts) {
    const list = apps.get(attempt.appId) ?? [];
    list.push(attempt);
    apps.set(attempt.appId, list);
  }
  const endOf = (app: AppListing): number => {
    const head = app.attempts[0]!;
    return head.completed && head.endTime !== null ? Number(head.endTime) : -1;
  };
  return [...apps]
    .map(([id, list]) => ({ id, attempts: list }))
    .sort((a, b) => endOf(b) - endOf(a) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

const appStatuses = ['COMPLETED', 'RUNNING'] as const;

/** /applications, /applications/{appId} and /applications/{appId}/{attemptId}. */
export function applicationRoutes(router: Router): void {
  router.get('/applications', async ({ db, query }) => {
    const statuses = enumList(query, 'status', appStatuses);
    const minStart = dateParam(query, 'minDate', '2010-01-01');
    const maxStart = dateParam(query, 'maxDate', '3000-01-01');
    const minEnd = dateParam(query, 'minEndDate', '2010-01-01');
    const maxEnd = dateParam(query, 'maxEndDate', '3000-01-01');
    const limit = optionalIntParam(query, 'limit') ?? Number.MAX_SAFE_INTEGER;
    const includeCompleted = statuses.length === 0 || statuses.includes('COMPLETED');
    const includeRunning = statuses.length === 0 || statuses.includes('RUNNING');
    const now = Date.now();
    // ApplicationListResource: an app runs while its latest attempt does; it is listed when any attempt
    // started in [minDate, maxDate] and ended in [minEndDate, maxEndDate] (a running one: maxEndDate is future).
    const listed = groupByApp(await applicationAttempts(db)).filter((app) => {
      const running = !app.attempts[0]!.completed;
      if (running ? !includeRunning : !includeCompleted) return false;
      return app.attempts.some((attempt) => {
        const start = Number(attempt.startTime ?? -1n);
        const end = attempt.completed && attempt.endTime !== null ? Number(attempt.endTime) : -1;
        const startOk = start >= minStart && start <= maxStart;
        const endOk = running ? maxEnd > now : end >= minEnd && end <= maxEnd;
        return startOk && endOk;
      });
    });
    return listed.slice(0, Math.max(0, limit)).map(appJson);
  });

  router.get('/applications/:appId', async ({ db, params }) => {
    const attempts = await applicationAttempts(db, params.appId);
    if (attempts.length === 0) throw notFound(`unknown app: ${params.appId}`);
    return appJson({ id: params.appId!, attempts });
  });

  router.get('/applications/:appId/:attemptId', async ({ db, params }) => {
    const attempt = (await applicationAttempts(db, params.appId)).find((row) => row.attemptId === params.attemptId);
    if (!attempt) throw notFound(`unknown app ${params.appId}, attempt ${params.attemptId}`);
    return attemptJson(attempt);
  });
}
