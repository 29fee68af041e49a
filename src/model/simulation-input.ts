/**
 * What the executor what-if reads from one stored application: the store fills it, the simulator replays it.
 * Defined here so the store does not reach into simulation/.
 */

/** A job as the simulator needs it (epoch milliseconds). */
export interface SimJob {
  jobId: number;
  submissionTime: number;
  completionTime: number;
}

/** A stage attempt as the simulator needs it. */
export interface SimStageAttempt {
  stageId: number;
  attemptId: number;
  /** The job it ran for (the latest of its jobs submitted before it); null when none is known. */
  jobId: number | null;
  parentIds: number[];
  submissionTime: number | null;
  completionTime: number | null;
}

/** A finished task attempt. */
export interface SimTask {
  stageId: number;
  stageAttemptId: number;
  index: number;
  launchTime: number;
  durationMs: number;
  outcome: 'completed' | 'failed' | 'killed';
  speculative: boolean;
}

/** An executor's lifetime and size (the driver is left out by the caller). */
export interface SimExecutor {
  addTime: number | null;
  removeTime: number | null;
  totalCores: number;
}

/** Everything the model reads from one application. */
export interface SimulationInput {
  appStartTime: number;
  appEndTime: number;
  jobs: SimJob[];
  stages: SimStageAttempt[];
  tasks: SimTask[];
  executors: SimExecutor[];
}
