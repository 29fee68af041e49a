import DataLoader from 'dataloader';
import { Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import { detectors } from '../../analysis/registry.js';
import { insightsByApp, type InsightRecord } from '../../store/insights-store.js';
import { Application } from '../applications/application.type.js';
import type { ApiContext } from '../context.js';
import { SqlExecution } from '../sql/sql-execution.type.js';
import { Stage } from '../stages/stage.type.js';
import { InsightConfidence, InsightSeverity } from './insight-levels.js';
import { Insight, InsightType } from './insight.type.js';
import { InsightsArgs } from './insights.args.js';

const confidenceRank: Record<InsightConfidence, number> = { HIGH: 3, MEDIUM: 2, LOW: 1 };

function insightsLoader({ db, loaders }: ApiContext): DataLoader<string, InsightRecord[]> {
  return loaders.get('insights', () => new DataLoader((appKeys: readonly string[]) => insightsByApp(db, appKeys)));
}

const toNumber = (value: bigint | null): number | null => (value === null ? null : Number(value));

/** A stored id (null for an application-wide insight) equals `id`; Number(null) would be 0 and match stage 0. */
const sameId = (stored: bigint | null, id: number): boolean => stored !== null && Number(stored) === id;

function toInsight(record: InsightRecord): Insight {
  return {
    id: record.id,
    type: record.type,
    title: record.title,
    description: record.description,
    evidence: record.evidence,
    confidence: InsightConfidence[record.confidence],
    severity: InsightSeverity[record.severity],
    suggestion: record.suggestion,
    tradeoffs: record.tradeoffs,
    sparkDocsRef: record.sparkDocsRef,
    appId: record.appKey,
    jobId: toNumber(record.jobId),
    stageId: toNumber(record.stageId),
    stageAttemptId: toNumber(record.stageAttemptId),
    sqlExecutionId: toNumber(record.sqlExecutionId),
    impact: record.impact,
    impactMs: record.impactMs,
  };
}

/** Insights are computed at ingest; these fields read them (batched per request by application). */
@Resolver(() => Application)
export class ApplicationInsightsResolver {
  @FieldResolver(() => [Insight], { description: 'Optimization opportunities found in this application, most impactful first.' })
  async insights(@Root() application: Application, @Args(() => InsightsArgs) args: InsightsArgs, @Ctx() context: ApiContext): Promise<Insight[]> {
    const minimum = args.minConfidence ? confidenceRank[args.minConfidence] : 0;
    return (await insightsLoader(context).load(application.id))
      .filter((record) => confidenceRank[record.confidence] >= minimum)
      .filter((record) => !args.types || args.types.includes(record.type))
      .slice(0, args.first)
      .map(toInsight);
  }

  @Query(() => [InsightType], { description: 'Every kind of insight Spark Sword looks for.' })
  insightTypes(): InsightType[] {
    return detectors.map(({ type, description, sparkDocsRef }) => ({ type, description, sparkDocsRef }));
  }
}

/** A stage's own insights. */
@Resolver(() => Stage)
export class StageInsightsResolver {
  @FieldResolver(() => [Insight], { description: 'Insights about this stage attempt, most impactful first.' })
  async insights(@Root() stage: Stage, @Ctx() context: ApiContext): Promise<Insight[]> {
    return (await insightsLoader(context).load(stage.appKey))
      .filter((record) => sameId(record.stageId, stage.stageId) && sameId(record.stageAttemptId, stage.attemptId))
      .map(toInsight);
  }
}

/** A SQL execution's own insights. */
@Resolver(() => SqlExecution)
export class SqlExecutionInsightsResolver {
  @FieldResolver(() => [Insight], { description: 'Insights about this SQL execution (plan-level findings), most impactful first.' })
  async insights(@Root() execution: SqlExecution, @Ctx() context: ApiContext): Promise<Insight[]> {
    return (await insightsLoader(context).load(execution.appKey))
      .filter((record) => sameId(record.sqlExecutionId, execution.id))
      .map(toInsight);
  }
}
