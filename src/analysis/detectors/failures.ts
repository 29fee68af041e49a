import type { Detector, InsightDraft } from '../detector.js';
import { stageFacts } from '../stage-facts.js';
import { SCHEDULING_DOCS } from './failures/causes.js';
import { excludedExecutorInsights } from './failures/excluded-executors.js';
import { failedJobInsights } from './failures/failed-jobs.js';
import { lostExecutorInsights } from './failures/lost-executors.js';
import { retriedStageInsights } from './failures/retried-stages.js';
import { taskFailureGroups, taskFailureInsights } from './failures/task-failures.js';

export { errorSummary } from './failures/causes.js';

/**
 * Failures: failed jobs and stages, lost executors, failed and killed task attempts grouped by cause (exception,
 * executor lost, fetch failure, JVM / container / GPU out-of-memory, resubmitted), retried stages and excluded
 * executors. A failure of the application (a failed stage or job, a lost executor or shuffle output, a
 * resubmitted stage) is always reported; its cost decides its rank. Retried exceptions and speculation kills
 * stay quiet under 1% of the application's task time. Each insight's impact is wall-clock it claims (see
 * failures/wall-clock.ts), apportioned with every other insight's claims so no moment is counted twice.
 */
export const failuresDetector: Detector = {
  type: 'failures',
  description:
    'Failed jobs and stages, lost executors, failed or killed tasks by cause (exception, executor lost, fetch failure, ' +
    'JVM, container or GPU out of memory), retried stages and excluded executors, with the time they cost.',
  sparkDocsRef: SCHEDULING_DOCS,
  async detect(context) {
    const jobs = await failedJobInsights(context);
    const lostExecutors = await lostExecutorInsights(context);
    const groups = (await taskFailureGroups(context))
      // Lost executors are reported once, with their failed attempts, by the lost-executors insight.
      .filter((group) => !(group.category === 'executor-lost' && lostExecutors.length > 0));
    // A failed stage or job: exceptions are then reported whatever their share.
    const applicationFailed = jobs.length > 0;
    const jobFailed = jobs.some((job) => job.role === 'failure');
    const all = [
      ...jobs,
      ...lostExecutors,
      ...taskFailureInsights(context.app, groups, applicationFailed, await stageFacts(context)),
      ...(await retriedStageInsights(context)),
      ...(await excludedExecutorInsights(context)),
    ];
    // When a job failed, that is the headline: the failures that led to it stay below it (at most HIGH).
    return jobFailed
      ? all.map((insight): InsightDraft => (insight.role === 'failure' ? insight : { ...insight, severityCap: 'HIGH' }))
      : all;
  },
};
