/**
 * Stages while they are planned: one is "open" while narrow operations pipeline into it; a shuffle, a
 * broadcast or the end of the pipeline closes it, which fixes its id, its shuffle write and its spill.
 */

import { bytes, derived, formatCount } from './derived.js';
import { BYPASS_MERGE_THRESHOLD, executionMemoryPerTask, MEMORY_FRACTION, RESERVED_MEMORY_BYTES, STORAGE_FRACTION, unifiedMemoryBytes, type ResolvedShapeConfig } from './shape-config.js';
import type { AqeAction, DerivedNumber, OperationKind, ShapeStage, StageBoundary } from './shape-types.js';

/** The data at one point of a pipeline. */
export interface Flow {
  /** This playground's estimate of the bytes flowing, from the sizes and selectivities given. */
  bytes: number;
  /** How `bytes` was reached. */
  why: string;
  rows: number;
  /** Spark's static estimate (sizeInBytes without CBO): what the planner compares to the broadcast threshold. */
  planBytes: number;
  planWhy: string;
}

/** What the insights need to know about a stage beyond its ShapeStage numbers. */
export interface StageFacts {
  /** What started the stage: a scan or the op whose shuffle it reads. */
  cause: OperationKind | 'scan' | 'broadcast';
  /** True when the stage reads files or a table (its partitions are input splits, not shuffle partitions). */
  readsSource: boolean;
  /** The op index of a coalesce(n) that cut the stage's tasks, if any. */
  coalescedAt: number | null;
  /** The hot key's share as declared on the op that caused the stage, if any. */
  hotKeyShare: number | null;
  /** True when AQE split the stage's skewed partition. */
  skewSplitByAqe: boolean;
  /** The median partition, for skew tests. */
  medianPartitionBytes: number;
  /** The op index and kind in the shape's op list that caused the boundary. */
  causeIndex: number | null;
  /** Columns the stage's rows were hash-partitioned by (every value of them sits in one task), or null. */
  hashPartitionedBy: string[] | null;
}

/** A stage still taking operations. */
export interface OpenStage {
  shape: string;
  boundary: StageBoundary;
  operationIndexes: number[];
  parentStageIds: number[];
  tasks: DerivedNumber;
  inputBytes: DerivedNumber;
  /** Largest input partition. */
  maxPartitionBytes: DerivedNumber;
  flow: Flow;
  /** Share of the flow in the largest partition (1 / tasks when even). */
  maxShare: number;
  notes: string[];
  /** Why the stage holds a whole input partition in memory (aggregation, sort, hash build), or null when it streams. */
  buffersInput: string | null;
  /** What it holds when that is less than its whole largest input partition (a shuffled hash join holds only its build side). */
  heldInput?: { bytes: number; why: string };
  /** Why the stage holds its output partition in memory before the end (a sort before a partitioned write), or null. */
  buffersOutput: string | null;
  aqe: Array<Omit<AqeAction, 'stageId'>>;
  facts: StageFacts;
}

/** A closed stage and its facts. */
export interface ClosedStage {
  stage: ShapeStage;
  facts: StageFacts;
}

/** Collects stages as they close, numbering them in closing order (parents always before children). */
export class StagePlan {
  readonly closed: ClosedStage[] = [];
  readonly aqe: AqeAction[] = [];
  /** Bytes cache() has stored so far, over all executors: they take storage memory from the stages that follow. */
  cachedBytes = 0;

  constructor(private readonly config: ResolvedShapeConfig) {}

  /**
   * Closes `open` with its shuffle write (0 for a result or broadcast stage) into `shufflePartitions` reduce
   * partitions, and returns its id.
   */
  close(open: OpenStage, shuffleWrite: DerivedNumber, shufflePartitions = 0): number {
    const id = this.closed.length;
    const tasks = open.tasks.value;
    const stage: ShapeStage = {
      id,
      shape: open.shape,
      boundary: open.boundary,
      operationIndexes: open.operationIndexes,
      tasks: open.tasks,
      inputBytes: open.inputBytes,
      bytesPerTask: derived(
        tasks > 0 ? open.inputBytes.value / tasks : 0,
        `${bytes(open.inputBytes.value)} read / ${formatCount(tasks)} tasks = ${bytes(tasks > 0 ? open.inputBytes.value / tasks : 0)} per task`,
      ),
      maxPartitionBytes: open.maxPartitionBytes,
      shuffleWriteBytes: shuffleWrite,
      parentStageIds: [...new Set(open.parentStageIds)],
      spillBytesPerTask: this.spill(open, shuffleWrite, shufflePartitions),
      notes: open.notes,
    };
    this.closed.push({ stage, facts: open.facts });
    for (const action of open.aqe) this.aqe.push({ stageId: id, ...action });
    return id;
  }

  /**
   * Spill: the largest partition a task must hold in memory (its input for an aggregation, sort or hash build; its
   * shuffle output when the writer buffers it) beyond the execution memory a task can grow to. Spark SQL never asks an
   * exchange for a map-side combine, so with at most spark.shuffle.sort.bypassMergeThreshold (200) reduce partitions
   * SortShuffleManager picks the BypassMergeSortShuffleWriter, which streams each record to its partition's file and
   * buffers nothing; above it the UnsafeShuffleWriter sorts serialized records in memory and spills when full.
   */
  private spill(open: OpenStage, shuffleWrite: DerivedNumber, shufflePartitions: number): DerivedNumber {
    const executors = Math.max(1, this.config.executors);
    const cachedPerExecutor = this.cachedBytes / executors;
    const memory = executionMemoryPerTask(this.config, cachedPerExecutor);
    const unified = unifiedMemoryBytes(this.config);
    const kept = Math.min(cachedPerExecutor, unified * STORAGE_FRACTION);
    const memoryWhy =
      `execution memory per task = (executor memory ${bytes(this.config.executorMemoryBytes)} − ${bytes(RESERVED_MEMORY_BYTES)} reserved) × ` +
      `spark.memory.fraction ${MEMORY_FRACTION}` +
      (kept > 0 ? ` − ${bytes(kept)} of cached blocks execution cannot evict (at most spark.memory.storageFraction ${STORAGE_FRACTION} of it)` : '') +
      ` / ${formatCount(this.config.coresPerExecutor)} concurrent tasks = ${bytes(memory)} (UnifiedMemoryManager)`;
    const held: Array<{ bytes: number; why: string }> = [];
    if (open.buffersInput !== null) {
      held.push(
        open.heldInput !== undefined
          ? { bytes: open.heldInput.bytes, why: `${open.heldInput.why} while it ${open.buffersInput}` }
          : { bytes: open.maxPartitionBytes.value, why: `its largest input partition (${bytes(open.maxPartitionBytes.value)}) while it ${open.buffersInput}` },
      );
    }
    if (open.buffersOutput !== null) {
      const output = open.flow.bytes * open.maxShare;
      held.push({ bytes: output, why: `its largest output partition (${bytes(output)}) while it ${open.buffersOutput}` });
    }
    let bypass = '';
    if (shuffleWrite.value > 0 && shufflePartitions > BYPASS_MERGE_THRESHOLD) {
      const output = shuffleWrite.value * open.maxShare;
      held.push({
        bytes: output,
        why: `its largest shuffle output (${bytes(output)}) while the sort-based shuffle writer buffers it (${formatCount(shufflePartitions)} reduce partitions > spark.shuffle.sort.bypassMergeThreshold ${BYPASS_MERGE_THRESHOLD})`,
      });
    } else if (shuffleWrite.value > 0) {
      bypass = `; its shuffle write into ${formatCount(shufflePartitions)} partitions (≤ spark.shuffle.sort.bypassMergeThreshold ${BYPASS_MERGE_THRESHOLD}) goes through the bypass-merge-sort writer, which buffers nothing`;
    }
    if (held.length === 0) return derived(0, `the stage streams rows (no aggregation, sort, hash build or buffering shuffle writer holds a partition)${bypass}: nothing to spill`);
    const largest = held.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const spill = Math.max(0, largest.bytes - memory);
    return derived(
      spill,
      spill > 0
        ? `a task holds ${largest.why}; ${memoryWhy}; ${bytes(largest.bytes)} − ${bytes(memory)} = ${bytes(spill)} may spill to disk${bypass}`
        : `a task holds at most ${largest.why}; it fits in the ${memoryWhy}${bypass}`,
    );
  }
}
