/** What planning one shape accumulates: the configuration, the stages, the join decisions and the facts insights read. */

import type { ResolvedShapeConfig } from './shape-config.js';
import { StagePlan, type Flow } from './shape-stages.js';
import type { DerivedNumber, JoinDecision } from './shape-types.js';

/** A cache() in the pipeline. */
export interface CacheFact {
  shape: string;
  operationIndex: number;
  reuseCount: number | undefined;
  bytes: number;
}

/** A join's sizes, for the broadcast and cartesian insights. */
export interface JoinFact {
  operationIndex: number;
  strategy: JoinDecision['strategy'];
  /** True when AQE would turn a sort-merge join into a broadcast join. */
  switchedByAqe: boolean;
  /** Runtime-estimated bytes of the side broadcast, if one is. */
  broadcastBytes: number | null;
  /** Runtime-estimated bytes of the smaller side that may be broadcast (for a shuffled join), if any. */
  smallerBuildableBytes: number | null;
  outputBytes: number;
  outputRows: number;
  /** Row pairs the join compares: left × right rows for a product or nested loop. */
  comparedPairs: number;
}

/** A write at the end of the pipeline. */
export interface WriteFact {
  files: DerivedNumber;
  bytes: number;
  partitioned: boolean;
}

/** A file source. */
export interface SourceFact {
  shape: string;
  fileCount: number;
  totalBytes: number;
}

/** Mutable state of one simulation. */
export class PlanContext {
  readonly plan: StagePlan;
  readonly joins: JoinDecision[] = [];
  readonly joinFacts: JoinFact[] = [];
  readonly caches: CacheFact[] = [];
  readonly sources: SourceFact[] = [];
  collect: { bytes: DerivedNumber } | null = null;
  write: WriteFact | null = null;
  private readonly assumptionList: string[] = [];

  constructor(readonly config: ResolvedShapeConfig) {
    this.plan = new StagePlan(config);
  }

  /** Records an assumption once, in the order first met. */
  assume(text: string): void {
    if (!this.assumptionList.includes(text)) this.assumptionList.push(text);
  }

  /** Every assumption recorded. */
  get assumptions(): string[] {
    return [...this.assumptionList];
  }
}

/** Bytes per row of a flow (0 for an empty flow). */
export function rowBytes(flow: Flow): number {
  return flow.rows > 0 ? flow.bytes / flow.rows : 0;
}
