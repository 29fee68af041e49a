import { shareOfTaskTime, type DetectorContext, type InsightDraft } from '../../detector.js';
import { sparkAtLeast } from '../../properties.js';
import { counted, formatDuration, nameSome } from '../../format.js';
import { SCHEDULING_DOCS, floorEvidence, percent } from './causes.js';

interface Exclusion {
  kind: string;
  time: bigint | null;
  executorId: string | null;
  hostId: string | null;
  stageId: bigint | null;
  stageAttemptId: bigint | null;
  failures: bigint | null;
  afterStartMs: number | null;
}

/**
 * Executors (or nodes) Spark excluded after repeated task failures, with the settings named as the version names them.
 * It claims no wall-clock: the failed attempts there are the task-failure insights' (by cause), which claim their
 * time, and counting them again here would claim the same stretch twice; the capacity an exclusion takes away is
 * not run time. It is always reported (floor LOW).
 */
export async function excludedExecutorInsights(context: Pick<DetectorContext, 'app' | 'query'>): Promise<InsightDraft[]> {
  const { app, query } = context;
  const insights: InsightDraft[] = [];
  // 4. Executors (or nodes) Spark excluded after repeated task failures.
  const exclusions = await query<Exclusion>(`
    SELECT x.kind, x.time, x.executorId, x.hostId, x.stageId, x.stageAttemptId, x.failures,
      (x.time - (SELECT a.startTime FROM applications a WHERE a.appKey = $appKey))::DOUBLE AS afterStartMs
    FROM executor_exclusions x WHERE x.appKey = $appKey ORDER BY x.seq`);
  const excluding = exclusions.filter((x) => !x.kind.endsWith('Unexcluded'));
  if (excluding.length > 0) {
    // Failed attempts on the excluded executors and on every executor of an excluded node.
    const [lost] = await query<{ lostMs: number; attempts: bigint; nodeExecutors: string[] }>(`
      WITH x AS (
        SELECT * FROM executor_exclusions WHERE appKey = $appKey AND kind NOT LIKE '%Unexcluded'
      ), on_nodes AS (
        SELECT DISTINCT e.executorId FROM executors e JOIN x ON x.hostId = e.host AND x.kind LIKE 'node%'
        WHERE e.appKey = $appKey AND e.executorId <> 'driver'
      ), excluded AS (
        SELECT executorId FROM x WHERE executorId IS NOT NULL UNION SELECT executorId FROM on_nodes
      )
      SELECT coalesce(sum(t.duration), 0)::DOUBLE AS lostMs, count(t.taskId) AS attempts,
        coalesce((SELECT list(executorId ORDER BY executorId) FROM on_nodes), []) AS nodeExecutors
      FROM app_tasks($appKey) t WHERE t.appKey = $appKey AND t.outcome = 'failed' AND t.executorId IN (SELECT executorId FROM excluded)`);
    const lostMs = lost?.lostMs ?? 0;
    const share = shareOfTaskTime(app, lostMs);
    {
      const appWide = excluding.some((x) => x.kind === 'executorExcluded' || x.kind === 'nodeExcluded');
      const executors = [...new Set(excluding.filter((x) => x.executorId !== null).map((x) => x.executorId!))];
      const nodes = [...new Set(excluding.filter((x) => x.hostId !== null).map((x) => x.hostId!))];
      const alsoOnNodes = (lost?.nodeExecutors ?? []).filter((id) => !executors.includes(id));
      const lifted = exclusions.filter((x) => x.kind.endsWith('Unexcluded'));
      const property = (key: string): string | null =>
        app.sparkProperties.get(`spark.excludeOnFailure.${key}`) ?? app.sparkProperties.get(`spark.blacklist.${key}`) ?? null;
      // Spark 3.1 renamed spark.blacklist.* to spark.excludeOnFailure.*: name the settings as this version knows them.
      const prefix = sparkAtLeast(app, 3, 1) ? 'spark.excludeOnFailure' : 'spark.blacklist';
      const first = excluding[0]!;
      const oneStage = excluding.every((x) => x.stageId !== null && x.stageId === first.stageId && x.stageAttemptId === first.stageAttemptId);
      const what = [
        executors.length > 0 ? nameSome('executor', executors) : null,
        nodes.length > 0 ? nameSome('node', nodes) + (alsoOnNodes.length > 0 ? ` (with ${nameSome('executor', alsoOnNodes)})` : '') : null,
      ].filter(Boolean).join(' and ');
      insights.push({
        id: 'failures:excluded-executors',
        type: 'failures',
        title: `Spark excluded ${[executors.length > 0 ? counted(executors.length, 'executor') : null, nodes.length > 0 ? counted(nodes.length, 'node') : null]
          .filter(Boolean).join(' and ')} after repeated task failures`,
        description:
          `After tasks failed there, Spark stopped scheduling on ${what} ` +
          `${appWide ? 'for the whole application' : oneStage ? `for stage ${first.stageId}.${first.stageAttemptId}` : 'for some stages'}` +
          `${lifted.length > 0 ? ' (later lifted)' : ''}. ${counted(Number(lost?.attempts ?? 0), 'failed attempt')} there cost ${formatDuration(lostMs)}, ` +
          `${percent(share)} of the application's task time. Failures concentrated on a few executors or hosts point at ` +
          'those machines rather than at the code.',
        evidence: {
          exclusions: exclusions.map((x) => ({
            kind: x.kind,
            executorId: x.executorId,
            host: x.hostId,
            stageId: x.stageId === null ? null : Number(x.stageId),
            stageAttemptId: x.stageAttemptId === null ? null : Number(x.stageAttemptId),
            failures: x.failures === null ? null : Number(x.failures),
            afterStartMs: x.afterStartMs,
          })),
          excludedExecutors: executors,
          excludedNodes: nodes,
          executorsOnExcludedNodes: lost?.nodeExecutors ?? [],
          applicationWide: appWide,
          failedAttemptsThere: Number(lost?.attempts ?? 0),
          lostTaskTimeMs: lostMs,
          shareOfTaskTime: Number(share.toFixed(4)),
          impactBasis: 'none here: the failed attempts there are claimed by the task-failure insights of their cause',
          settingsPrefix: prefix,
          settings: {
            enabled: property('enabled'),
            timeout: property('timeout') ?? '1h (default)',
            'stage.maxFailedTasksPerExecutor': property('stage.maxFailedTasksPerExecutor') ?? '2 (default)',
            'application.maxFailedTasksPerExecutor': property('application.maxFailedTasksPerExecutor') ?? '2 (default)',
            killExcludedExecutors: property('killExcludedExecutors') ?? property('killBlacklistedExecutors') ?? 'false (default)',
          },
          ...floorEvidence(app, true),
        },
        confidence: 'HIGH',
        suggestion:
          'Check the excluded executors\' hosts (disk, network, a missing library or local file) in their executor logs. ' +
          'If the failures follow the data rather than the host, fix the failing code path instead: exclusion only ' +
          'routes work around machines.',
        tradeoffs:
          'Exclusion trades capacity for reliability: an excluded executor sits idle (or is killed with ' +
          `${prefix}.${sparkAtLeast(app, 3, 1) ? 'killExcludedExecutors' : 'killBlacklistedExecutors'}) until the exclusion ` +
          `times out (${prefix}.timeout), so eager settings shrink the cluster on transient errors.`,
        sparkDocsRef: SCHEDULING_DOCS,
        jobId: null,
        stageId: oneStage ? Number(first.stageId) : null,
        stageAttemptId: oneStage ? Number(first.stageAttemptId) : null,
        sqlExecutionId: null,
        impact: 0,
        impactMs: 0,
        severityFloor: 'LOW',
      });
    }
  }
  return insights;
}
