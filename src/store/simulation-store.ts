import type { SimulationInput } from '../model/simulation-input.js';
import type { AnalysisDatabase } from './database.js';

const num = (value: unknown): number => Number(value);
const numOrNull = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

/**
 * What the executor what-if model reads from one application, in four queries: the application's span, its
 * finished jobs, the stage attempts that ran (each with the job it ran for), the finished task attempts and
 * the executors (the driver only in local mode, where it runs the tasks). Null when the application is unknown.
 */
export async function simulationInput(db: AnalysisDatabase, appKey: string): Promise<SimulationInput | null> {
  const [app] = await db.query(
    `SELECT a.startTime, coalesce(a.endTime, (SELECT max(finishTime) FROM tasks t WHERE t.appNo = n.appNo AND t.appKey = a.appKey),
       (SELECT max(completionTime) FROM jobs j WHERE j.appKey = a.appKey), a.startTime) AS endTime
     FROM applications a LEFT JOIN application_numbers n USING (appKey) WHERE a.appKey = $appKey`,
    { appKey },
  );
  if (!app) return null;
  const jobs = await db.query(
    // Logs before Spark 1.3 carry no job times: a job then spans its stages' run.
    `SELECT * FROM (
       SELECT j.jobId,
         coalesce(j.submissionTime, (SELECT min(s.submissionTime) FROM job_stages js JOIN stages s USING (appKey, stageId)
           WHERE js.appKey = j.appKey AND js.jobId = j.jobId)) AS submissionTime,
         coalesce(j.completionTime, (SELECT max(s.completionTime) FROM job_stages js JOIN stages s USING (appKey, stageId)
           WHERE js.appKey = j.appKey AND js.jobId = j.jobId)) AS completionTime
       FROM jobs j WHERE j.appKey = $appKey)
     WHERE submissionTime IS NOT NULL AND completionTime IS NOT NULL ORDER BY jobId`,
    { appKey },
  );
  const stages = await db.query(
    `SELECT s.stageId, s.attemptId, coalesce(s.parentIds, []) AS parentIds, s.submissionTime, s.completionTime,
       (SELECT arg_max(j.jobId, j.submissionTime) FROM job_stages js JOIN jobs j ON j.appKey = js.appKey AND j.jobId = js.jobId
        WHERE js.appKey = s.appKey AND js.stageId = s.stageId AND coalesce(j.submissionTime, s.submissionTime) <= s.submissionTime) AS jobId
     FROM stages s WHERE s.appKey = $appKey AND s.submissionTime IS NOT NULL ORDER BY s.stageId, s.attemptId`,
    { appKey },
  );
  const tasks = await db.query(
    `SELECT stageId, stageAttemptId, "index", launchTime, duration, outcome, coalesce(speculative, false) AS speculative
     FROM v_tasks
     -- By application number, which DuckDB's zonemaps prune (see application_numbers).
     WHERE appNo = (SELECT appNo FROM application_numbers WHERE appKey = $appKey) AND appKey = $appKey AND outcome <> 'active' AND duration IS NOT NULL AND launchTime IS NOT NULL
     ORDER BY launchTime, taskId`,
    { appKey },
  );
  const executors = await db.query(
    `WITH e AS (SELECT * FROM executors WHERE appKey = $appKey AND totalCores IS NOT NULL AND totalCores > 0)
     SELECT addTime, removeTime, totalCores FROM e
     WHERE executorId <> 'driver' OR NOT EXISTS (SELECT 1 FROM e WHERE executorId <> 'driver')
     ORDER BY executorId`,
    { appKey },
  );
  return {
    appStartTime: num(app.startTime ?? 0),
    appEndTime: num(app.endTime ?? 0),
    jobs: jobs.map((row) => ({ jobId: num(row.jobId), submissionTime: num(row.submissionTime), completionTime: num(row.completionTime) })),
    stages: stages.map((row) => ({
      stageId: num(row.stageId),
      attemptId: num(row.attemptId),
      jobId: numOrNull(row.jobId),
      parentIds: (row.parentIds as unknown[]).map(num),
      submissionTime: numOrNull(row.submissionTime),
      completionTime: numOrNull(row.completionTime),
    })),
    tasks: tasks.map((row) => ({
      stageId: num(row.stageId),
      stageAttemptId: num(row.stageAttemptId),
      index: num(row.index),
      launchTime: num(row.launchTime),
      durationMs: Math.max(0, num(row.duration)),
      outcome: row.outcome as 'completed' | 'failed' | 'killed',
      speculative: row.speculative === true,
    })),
    executors: executors.map((row) => ({
      addTime: numOrNull(row.addTime),
      removeTime: numOrNull(row.removeTime),
      totalCores: num(row.totalCores),
    })),
  };
}
