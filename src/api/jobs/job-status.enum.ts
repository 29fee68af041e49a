import { registerEnumType } from 'type-graphql';

/** Where a job stands (History Server JobExecutionStatus). */
export enum JobStatus {
  RUNNING = 'RUNNING',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
}
registerEnumType(JobStatus, {
  name: 'JobStatus',
  description: 'Where a job stands (History Server JobExecutionStatus).',
  valuesConfig: {
    RUNNING: { description: 'No SparkListenerJobEnd in the log: still running, or the driver died.' },
    SUCCEEDED: { description: 'Ended with JobSucceeded.' },
    FAILED: { description: 'Ended with JobFailed (a stage failed or the job was cancelled).' },
  },
});
