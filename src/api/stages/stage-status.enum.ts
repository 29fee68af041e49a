import { registerEnumType } from 'type-graphql';

/** Where a stage attempt stands (History Server StageStatus). */
export enum StageStatus {
  ACTIVE = 'ACTIVE',
  COMPLETE = 'COMPLETE',
  FAILED = 'FAILED',
  PENDING = 'PENDING',
  SKIPPED = 'SKIPPED',
}
registerEnumType(StageStatus, {
  name: 'StageStatus',
  description: 'Where a stage attempt stands (History Server StageStatus).',
  valuesConfig: {
    ACTIVE: { description: 'Submitted and not completed when the log ends.' },
    COMPLETE: { description: 'Completed without a failure reason.' },
    FAILED: { description: 'Completed with a failure reason.' },
    PENDING: { description: 'Planned by a job that had not ended, never submitted.' },
    SKIPPED: { description: 'Planned by a job that ended without running it: its shuffle output already existed.' },
  },
});
