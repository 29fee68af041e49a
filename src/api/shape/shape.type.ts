import { JSONObjectResolver } from 'graphql-scalars';
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { EvidenceValue, Insight } from '../../analysis/insight.js';
import type { AqeAction, DerivedNumber, JoinDecision, ShapeInput, ShapeResult, ShapeStage, StageBoundary } from '../../simulation/shape/shape-types.js';
import { Finding } from '../insights/finding.type.js';
import { InsightConfidence, InsightSeverity } from '../insights/insight-levels.js';

/* Byte sizes are Float (see shape.input.ts): estimates, exact to 2^53. */

/** How a join runs. */
export enum ShapeJoinStrategy {
  BROADCAST_HASH = 'broadcast_hash',
  SORT_MERGE = 'sort_merge',
  SHUFFLE_HASH = 'shuffle_hash',
  BROADCAST_NESTED_LOOP = 'broadcast_nested_loop',
  CARTESIAN = 'cartesian',
}
registerEnumType(ShapeJoinStrategy, { name: 'ShapeJoinStrategy', description: "The physical join Spark's planner picks (before AQE)." });

/** A join side. */
export enum ShapeJoinSide {
  LEFT = 'left',
  RIGHT = 'right',
}
registerEnumType(ShapeJoinSide, { name: 'ShapeJoinSide' });

/** What AQE changes. */
export enum ShapeAqeActionKind {
  COALESCE = 'coalesce',
  SKEW_SPLIT = 'skew-split',
  SWITCH_TO_BROADCAST = 'switch-to-broadcast',
}
registerEnumType(ShapeAqeActionKind, {
  name: 'ShapeAqeActionKind',
  description: 'COALESCE: small post-shuffle partitions merged; SKEW_SPLIT: a skewed join partition split; SWITCH_TO_BROADCAST: a sort-merge join re-planned as a broadcast join at runtime.',
});

const strategies: Record<JoinDecision['strategy'], ShapeJoinStrategy> = {
  broadcast_hash: ShapeJoinStrategy.BROADCAST_HASH,
  sort_merge: ShapeJoinStrategy.SORT_MERGE,
  shuffle_hash: ShapeJoinStrategy.SHUFFLE_HASH,
  broadcast_nested_loop: ShapeJoinStrategy.BROADCAST_NESTED_LOOP,
  cartesian: ShapeJoinStrategy.CARTESIAN,
};
const sides: Record<'left' | 'right', ShapeJoinSide> = { left: ShapeJoinSide.LEFT, right: ShapeJoinSide.RIGHT };
const aqeKinds: Record<AqeAction['kind'], ShapeAqeActionKind> = {
  coalesce: ShapeAqeActionKind.COALESCE,
  'skew-split': ShapeAqeActionKind.SKEW_SPLIT,
  'switch-to-broadcast': ShapeAqeActionKind.SWITCH_TO_BROADCAST,
};

/** A number with its derivation. */
@ObjectType('ShapeDerivedNumber', { description: 'An estimated number and, in words, the arithmetic that gave it.' })
export class ShapeDerivedNumberType {
  @Field(() => Float)
  value!: number;

  @Field(() => String, { description: 'How it was derived, e.g. "10.0 GB / 128 MB = 80 splits".' })
  derivation!: string;
}

/** Why a stage starts. */
@ObjectType('ShapeStageBoundary', { description: 'Why a stage starts where it does.' })
export class ShapeStageBoundaryType {
  @Field(() => Int, { nullable: true, description: 'Index of the operation (in the shape the stage belongs to) whose shuffle starts the stage; null for a scan.' })
  operationIndex!: number | null;

  @Field(() => String, { description: '"scan", or the op name (as in ShapeOperationKind\'s values, e.g. "groupBy", "join") that caused the shuffle.' })
  op!: string;

  @Field(() => String)
  reason!: string;
}

/** One planned stage. */
@ObjectType('ShapeStage', { description: 'One stage Spark would run, with its boundary, tasks and sizes.' })
export class ShapeStageType {
  @Field(() => Int)
  id!: number;

  @Field(() => String, { description: '"main", or which right side it reads, e.g. "right of op 3".' })
  shape!: string;

  @Field(() => ShapeStageBoundaryType)
  boundary!: ShapeStageBoundaryType;

  @Field(() => [Int], { description: 'Operations (indexes in its shape) pipelined in the stage.' })
  operationIndexes!: number[];

  @Field(() => ShapeDerivedNumberType)
  tasks!: ShapeDerivedNumberType;

  @Field(() => ShapeDerivedNumberType, { description: 'Bytes the stage reads (scan or shuffle read).' })
  inputBytes!: ShapeDerivedNumberType;

  @Field(() => ShapeDerivedNumberType)
  bytesPerTask!: ShapeDerivedNumberType;

  @Field(() => ShapeDerivedNumberType, { description: 'The largest partition (a hot key makes it larger than bytesPerTask).' })
  maxPartitionBytes!: ShapeDerivedNumberType;

  @Field(() => ShapeDerivedNumberType)
  shuffleWriteBytes!: ShapeDerivedNumberType;

  @Field(() => [Int])
  parentStageIds!: number[];

  @Field(() => ShapeDerivedNumberType, { description: 'Bytes the largest task may spill: what it must hold beyond its execution memory (0 when it fits).' })
  spillBytesPerTask!: ShapeDerivedNumberType;

  @Field(() => [String], { description: 'What happens in the stage, in words.' })
  notes!: string[];
}

/** How a join runs. */
@ObjectType('ShapeJoinDecision', { description: 'How a join would be executed and why.' })
export class ShapeJoinDecisionType {
  @Field(() => String, { description: 'The shape the join is part of: "main", or a right side such as "right of op 3"; operationIndex counts within it.' })
  shape!: string;

  @Field(() => Int)
  operationIndex!: number;

  @Field(() => ShapeJoinStrategy)
  strategy!: ShapeJoinStrategy;

  @Field(() => ShapeJoinSide, { nullable: true })
  broadcastSide!: ShapeJoinSide | null;

  @Field(() => Boolean)
  shufflesLeft!: boolean;

  @Field(() => Boolean)
  shufflesRight!: boolean;

  @Field(() => String)
  reason!: string;
}

/** A runtime change by AQE. */
@ObjectType('ShapeAqeAction', { description: 'What adaptive query execution would change at runtime (an estimate).' })
export class ShapeAqeActionType {
  @Field(() => Int)
  stageId!: number;

  @Field(() => ShapeAqeActionKind)
  kind!: ShapeAqeActionKind;

  @Field(() => ShapeDerivedNumberType)
  before!: ShapeDerivedNumberType;

  @Field(() => ShapeDerivedNumberType)
  after!: ShapeDerivedNumberType;

  @Field(() => String)
  reason!: string;
}

/** An insight on a planned shape. */
@ObjectType('ShapeInsight', {
  implements: Finding,
  description: 'An insight the planned shape would raise (same types as Insight where they mean the same), with the estimates as evidence. Never a promise.',
})
export class ShapeInsightType extends Finding {
  @Field(() => String, { description: 'data-skew, partition-count, small-files, spill, broadcast-join, driver-collect, cartesian-join, unused-cache.' })
  declare type: string;

  @Field(() => Int, { nullable: true })
  stageId!: number | null;

  @Field(() => Float, { description: "Share (0-1) of the plan's bytes (all stages' input) the problem touches." })
  declare impact: number;
}

/** What a shape derived from a stored SQL execution comes from, and what that run did. */
@ObjectType({ description: 'The stored SQL execution a shape was derived from, and what Spark did in it (to compare with the prediction).' })
export class ShapeFromLogType {
  @Field(() => String)
  appId!: string;

  @Field(() => Int)
  sqlExecutionId!: number;

  @Field(() => [String], { description: "The plan's join strategies, in the order the shape's joins are planned." })
  planJoinStrategies!: string[];

  @Field(() => Int, { description: 'Shuffle exchanges in the logged plan.' })
  planShuffles!: number;

  @Field(() => [Int], { description: 'Tasks of each stage the execution ran (skipped stages left out), in stage order.' })
  actualTasksPerStage!: number[];

  @Field(() => [String], { description: 'Plan nodes the playground has no operation for; their effect on sizes is kept only through row counts.' })
  notModelled!: string[];
}

/** The playground's answer. */
@ObjectType({
  description:
    "What Spark's planner would do with a DataFrame shape: stages and their boundaries, tasks and sizes per stage, joins, AQE's " +
    'runtime changes and the insights that apply, every number with its derivation and every assumption listed. Estimates, never promises.',
})
export class ShapeSimulation {
  @Field(() => [ShapeStageType])
  stages!: ShapeStageType[];

  @Field(() => [ShapeJoinDecisionType])
  joins!: ShapeJoinDecisionType[];

  @Field(() => [ShapeAqeActionType])
  aqe!: ShapeAqeActionType[];

  @Field(() => [ShapeInsightType])
  insights!: ShapeInsightType[];

  @Field(() => ShapeDerivedNumberType, { nullable: true, description: 'Bytes collect() brings to the driver.' })
  driverResultBytes!: ShapeDerivedNumberType | null;

  @Field(() => ShapeDerivedNumberType, { nullable: true, description: 'Files a write produces.' })
  filesWritten!: ShapeDerivedNumberType | null;

  @Field(() => ShapeDerivedNumberType)
  totalShuffleBytes!: ShapeDerivedNumberType;

  @Field(() => [String])
  assumptions!: string[];

  @Field(() => JSONObjectResolver, { description: 'The shape that was simulated (a ShapeInput): edit it and pass it back as input to try a change.' })
  input!: Record<string, unknown>;

  @Field(() => ShapeFromLogType, { nullable: true, description: 'Set when the shape was derived from a stored SQL execution.' })
  fromLog!: ShapeFromLogType | null;
}

function toDerived(number: DerivedNumber): ShapeDerivedNumberType {
  return { value: number.value, derivation: number.derivation };
}

function toBoundary(boundary: StageBoundary): ShapeStageBoundaryType {
  return { operationIndex: boundary.operationIndex, op: boundary.op, reason: boundary.reason };
}

function toStage(stage: ShapeStage): ShapeStageType {
  return {
    id: stage.id,
    shape: stage.shape,
    boundary: toBoundary(stage.boundary),
    operationIndexes: stage.operationIndexes,
    tasks: toDerived(stage.tasks),
    inputBytes: toDerived(stage.inputBytes),
    bytesPerTask: toDerived(stage.bytesPerTask),
    maxPartitionBytes: toDerived(stage.maxPartitionBytes),
    shuffleWriteBytes: toDerived(stage.shuffleWriteBytes),
    parentStageIds: stage.parentStageIds,
    spillBytesPerTask: toDerived(stage.spillBytesPerTask),
    notes: stage.notes ?? [],
  };
}

function toInsight(insight: Insight): ShapeInsightType {
  return {
    id: insight.id,
    type: insight.type,
    title: insight.title,
    description: insight.description,
    evidence: insight.evidence,
    confidence: InsightConfidence[insight.confidence],
    severity: InsightSeverity[insight.severity],
    suggestion: insight.suggestion,
    tradeoffs: insight.tradeoffs,
    sparkDocsRef: insight.sparkDocsRef,
    stageId: insight.stageId,
    impact: insight.impact,
  };
}

/** The GraphQL shape of a simulation result (used by Query.simulateShape and by scenario runs). */
export function toShapeSimulation(result: ShapeResult, input: ShapeInput, fromLog: ShapeFromLogType | null = null): ShapeSimulation {
  return {
    input: structuredClone(input) as unknown as Record<string, unknown>,
    fromLog,
    stages: result.stages.map(toStage),
    joins: result.joins.map((join) => ({
      shape: join.shape,
      operationIndex: join.operationIndex,
      strategy: strategies[join.strategy],
      broadcastSide: join.broadcastSide === null ? null : sides[join.broadcastSide],
      shufflesLeft: join.shufflesLeft,
      shufflesRight: join.shufflesRight,
      reason: join.reason,
    })),
    aqe: result.aqe.map((action) => ({
      stageId: action.stageId,
      kind: aqeKinds[action.kind],
      before: toDerived(action.before),
      after: toDerived(action.after),
      reason: action.reason,
    })),
    insights: result.insights.map(toInsight),
    driverResultBytes: result.driverResultBytes === null ? null : toDerived(result.driverResultBytes),
    filesWritten: result.filesWritten === null ? null : toDerived(result.filesWritten),
    totalShuffleBytes: toDerived(result.totalShuffleBytes),
    assumptions: result.assumptions,
  };
}
