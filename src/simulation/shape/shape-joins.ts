/**
 * Joins and unions: the two operations that bring a second shape (the right side) into the pipeline. A join
 * runs as the planner chose (broadcast, shuffled, cartesian) and AQE may change it; a union concatenates partitions.
 */

import { coalesceShufflePartitions, skewSplit } from './aqe.js';
import { bytes, derived, formatCount, fraction, plural } from './derived.js';
import { broadcastCandidate, canBuildLeft, canBuildRight, chooseJoin } from './join-planning.js';
import { rowBytes, type PlanContext } from './plan-context.js';
import { MAX_BROADCAST_TABLE_BYTES } from './shape-config.js';
import { opLabel, shuffleReadPartitions } from './shape-operations.js';
import type { Flow, OpenStage } from './shape-stages.js';
import type { AqeAction, DerivedNumber, JoinDecision, JoinType, ShapeOperation } from './shape-types.js';

/** The data a join produces: its rows from the declared key cardinality (or many-to-one), times the condition's selectivity. */
function joinOutput(context: PlanContext, left: Flow, right: Flow, operation: ShapeOperation, strategy: JoinDecision['strategy'], equi: boolean): Flow {
  const joinType = operation.joinType ?? 'inner';
  const selectivity = operation.selectivity ?? 1;
  const kept = selectivity === 1 ? '' : ` × selectivity ${fraction(selectivity)} of the condition`;
  const width = rowBytes(left) + rowBytes(right);
  if (joinType === 'left_semi' || joinType === 'left_anti') {
    context.assume(`A ${joinType} join is assumed to keep every left row (an upper bound: it returns left rows only).`);
    return { ...left, why: `${bytes(left.bytes)} (a ${joinType} join returns left rows only; all assumed kept)`, planWhy: `${left.planWhy}; a semi/anti join keeps the left estimate` };
  }
  const planBytes = left.planBytes * right.planBytes;
  const planWhy = `the planner multiplies its children's estimates for a join without statistics: ${bytes(left.planBytes)} × ${bytes(right.planBytes)}`;
  if (!equi || strategy === 'cartesian') {
    const rows = left.rows * right.rows * selectivity;
    return {
      bytes: rows * width,
      rows,
      why: `every left row compared with every right row: ${formatCount(left.rows)} × ${formatCount(right.rows)} rows${kept} × ${bytes(width)} per joined row = ${bytes(rows * width)}`,
      planBytes,
      planWhy,
    };
  }
  let matched: number;
  let how: string;
  if (operation.selectivity !== undefined) {
    // A join's selectivity is its output over the product of its inputs: it sets the row count whatever the keys.
    matched = left.rows * right.rows * selectivity;
    how = `join selectivity ${fraction(selectivity)} of the ${formatCount(left.rows)} × ${formatCount(right.rows)} pairs = ${formatCount(matched)} matched rows`;
  } else if (operation.keyCardinality !== undefined) {
    const n = operation.keyCardinality;
    matched = (left.rows * right.rows) / n;
    how = `${formatCount(n)} distinct join keys: each key pairs ${formatCount(left.rows / n)} left rows with ${formatCount(right.rows / n)} right rows, ${formatCount(left.rows)} × ${formatCount(right.rows)} / ${formatCount(n)} = ${formatCount(matched)} matched rows`;
  } else {
    context.assume(
      'Equi-joins without keyCardinality are assumed many-to-one (each row of the larger side matches at most one row of the other, e.g. facts to a dimension): ' +
        "output rows = the left side's (the right side's for a right join, the larger for a full join); give keyCardinality for a many-to-many join.",
    );
    matched = joinType === 'right' ? right.rows : joinType === 'full' ? Math.max(left.rows, right.rows) : left.rows;
    how = `${formatCount(matched)} joined rows (many-to-one assumed)`;
  }
  // Outer joins also return their preserved side's unmatched rows: at least that side's row count.
  const preserved = joinType === 'left' ? left.rows : joinType === 'right' ? right.rows : joinType === 'full' ? Math.max(left.rows, right.rows) : 0;
  const rows = Math.max(matched, preserved);
  return {
    bytes: rows * width,
    rows,
    why: `${how}${rows > matched ? `, at least the ${formatCount(preserved)} rows the ${joinType} join preserves` : ''}; × (${bytes(rowBytes(left))} + ${bytes(rowBytes(right))}) per row = ${bytes(rows * width)}`,
    planBytes,
    planWhy,
  };
}

/** The smaller runtime size among the sides that may be broadcast, for the missed-broadcast insight. */
function smallerBuildable(left: Flow, right: Flow, joinType: JoinType): number | null {
  const sizes = [canBuildRight(joinType) ? right.bytes : null, canBuildLeft(joinType) ? left.bytes : null].filter((size): size is number => size !== null);
  return sizes.length > 0 ? Math.min(...sizes) : null;
}

/**
 * The tasks of a local shuffle read (OptimizeShuffleWithLocalRead) after AQE turned a shuffled join into a broadcast
 * join: with P expected partitions (the coalesced count, else spark.sql.shuffle.partitions) and M map tasks, each map
 * output is read by floor(P / M) tasks when P ≥ M (M × floor(P / M) tasks), else the M map outputs are grouped into P tasks.
 */
function localShuffleReadTasks(shuffleBytes: number, mapTasks: number, context: PlanContext): DerivedNumber {
  const { config } = context;
  const reducers = config.shufflePartitions;
  const coalesced = coalesceShufflePartitions(shuffleBytes, reducers, shuffleBytes / Math.max(1, reducers), config);
  const expected = coalesced?.after.value ?? reducers;
  const expectedWhy = coalesced ? `AQE's coalesced ${formatCount(expected)} partitions` : `spark.sql.shuffle.partitions ${formatCount(reducers)}`;
  const mappers = Math.max(1, mapTasks);
  if (expected >= mappers) {
    const perMapper = Math.floor(expected / mappers);
    const tasks = mappers * perMapper;
    return derived(
      tasks,
      `after AQE's switch to a broadcast join the big side's shuffle is read locally (OptimizeShuffleWithLocalRead): expected parallelism ${expectedWhy} ≥ ${formatCount(mappers)} map tasks, ` +
        `so each map output is read by floor(${formatCount(expected)} / ${formatCount(mappers)}) = ${plural(perMapper, 'task')} → ${formatCount(tasks)} tasks`,
    );
  }
  return derived(
    expected,
    `after AQE's switch to a broadcast join the big side's shuffle is read locally (OptimizeShuffleWithLocalRead): expected parallelism ${expectedWhy} < ${formatCount(mappers)} map tasks, ` +
      `so the map outputs are grouped into ${formatCount(expected)} tasks`,
  );
}

/** Plans a join between the open stage (left) and the right side's open stage; returns the stage that continues. */
export function applyJoin(context: PlanContext, left: OpenStage, right: OpenStage, operation: ShapeOperation, index: number): OpenStage {
  const { config } = context;
  const joinType = operation.joinType ?? 'inner';
  const equi = operation.hasEquiCondition !== false && joinType !== 'cross';
  const choice = chooseJoin(operation, { planBytes: left.flow.planBytes }, { planBytes: right.flow.planBytes }, config);
  const output = joinOutput(context, left.flow, right.flow, operation, choice.strategy, equi);
  const label = opLabel(left.shape, index);
  const fact = {
    operationIndex: index,
    strategy: choice.strategy,
    switchedByAqe: false,
    broadcastBytes: null as number | null,
    smallerBuildableBytes: smallerBuildable(left.flow, right.flow, joinType),
    outputBytes: output.bytes,
    outputRows: output.rows,
    comparedPairs: left.flow.rows * right.flow.rows,
  };
  context.joinFacts.push(fact);

  if (choice.broadcastSide !== null) {
    const small = choice.broadcastSide === 'right' ? right : left;
    const big = choice.broadcastSide === 'right' ? left : right;
    fact.broadcastBytes = small.flow.bytes;
    small.notes.push(
      `Ends in a BroadcastExchange for the join at ${label}: its ${bytes(small.flow.bytes)} result is collected to the driver and sent to every executor (a separate job).`,
    );
    if (small.flow.bytes > MAX_BROADCAST_TABLE_BYTES) {
      small.notes.push(`Spark fails a broadcast larger than ${bytes(MAX_BROADCAST_TABLE_BYTES)} ("Cannot broadcast the table that is larger than 8GB").`);
    }
    const smallId = context.plan.close(small, derived(0, 'no shuffle: the result is broadcast (BroadcastExchange), not shuffled'));
    const continuing = big;
    if (big === right) {
      // The streamed side is the right shape: its stage carries on and the main pipeline's next operations join it.
      continuing.notes.push(`Runs the right side of the join at ${label} (its scan and operations), then joins it with the broadcast left side.`);
      continuing.shape = left.shape;
      continuing.operationIndexes = [];
    }
    continuing.operationIndexes.push(index);
    continuing.parentStageIds.push(smallId);
    continuing.notes.push(
      choice.strategy === 'broadcast_hash'
        ? `Broadcast hash join at ${label}: each of the ${formatCount(continuing.tasks.value)} tasks joins its own partition with a hash table of the broadcast side; the ${choice.broadcastSide === 'right' ? 'left' : 'right'} side is not shuffled.`
        : `Broadcast nested loop join at ${label}: each task compares every one of its rows with every broadcast row (no equality condition to hash on).`,
    );
    if (operation.hotKeyShare !== undefined) {
      continuing.notes.push(`hotKeyShare ${fraction(operation.hotKeyShare)} does not concentrate work here: without a shuffle, the hot key's rows stay spread over the streamed side's partitions.`);
    }
    continuing.flow = output;
    context.joins.push({ shape: left.shape, operationIndex: index, strategy: choice.strategy, broadcastSide: choice.broadcastSide, shufflesLeft: false, shufflesRight: false, reason: choice.reason });
    return continuing;
  }

  if (choice.strategy === 'cartesian') {
    const leftTasks = left.tasks.value;
    const rightTasks = right.tasks.value;
    const tasks = leftTasks * rightTasks;
    left.tasks = derived(tasks, `cartesian product: ${formatCount(leftTasks)} left partitions × ${formatCount(rightTasks)} right partitions = ${formatCount(tasks)} tasks`);
    const read = left.inputBytes.value * rightTasks + right.inputBytes.value * leftTasks;
    left.inputBytes = derived(
      read,
      `each task reads one left and one right partition, so the left input (${bytes(left.inputBytes.value)}) is read ${formatCount(rightTasks)} times and the right ` +
        `(${bytes(right.inputBytes.value)}) ${formatCount(leftTasks)} times = ${bytes(read)}`,
    );
    left.maxPartitionBytes = derived(
      left.maxPartitionBytes.value + right.maxPartitionBytes.value,
      `largest left partition ${bytes(left.maxPartitionBytes.value)} + largest right partition ${bytes(right.maxPartitionBytes.value)}`,
    );
    left.parentStageIds.push(...right.parentStageIds);
    left.operationIndexes.push(index);
    left.notes.push(`Cartesian product at ${label}: no shuffle, but every left partition is paired with every right partition and the output is the product of both sides.`);
    left.maxShare = 1 / tasks;
    left.flow = output;
    context.joins.push({ shape: left.shape, operationIndex: index, strategy: 'cartesian', broadcastSide: null, shufflesLeft: false, shufflesRight: false, reason: choice.reason });
    return left;
  }

  // Shuffled join: sort-merge or shuffled hash; both sides are hash-partitioned by the join keys.
  const salt = operation.saltBuckets ?? 1;
  const keys = operation.keys ?? [];
  // spark.sql.requireAllClusterKeysForCoPartition (true since Spark 3.3): a side's hash partitioning is kept for a join
  // only when it is on exactly the join keys; partitioning on a subset of them is shuffled again.
  const partitionedByKeys = (side: OpenStage): boolean =>
    keys.length > 0 &&
    side.facts.hashPartitionedBy !== null &&
    side.facts.hashPartitionedBy.length === new Set(keys).size &&
    side.facts.hashPartitionedBy.every((column) => keys.includes(column));
  if (salt === 1 && (partitionedByKeys(left) || partitionedByKeys(right))) {
    return applyCoPartitionedJoin(context, left, right, operation, index, choice, output, partitionedByKeys(left), partitionedByKeys(right));
  }
  const declaredHot = operation.hotKeyShare ?? null;
  const hotShare = declaredHot !== null ? declaredHot / salt : null;
  const leftMapTasks = left.tasks.value;
  const rightMapTasks = right.tasks.value;
  const leftWrite = derived(left.flow.bytes, `${left.flow.why}; the left side crosses the shuffle (${bytes(left.flow.bytes)})`);
  const rightWrite = derived(
    right.flow.bytes * salt,
    salt > 1
      ? `${right.flow.why}; replicated once per salt value: ${bytes(right.flow.bytes)} × ${formatCount(salt)} saltBuckets = ${bytes(right.flow.bytes * salt)}`
      : `${right.flow.why}; the right side crosses the shuffle (${bytes(right.flow.bytes)})`,
  );
  if (salt > 1) left.notes.push(`Salting at ${label}: the hot key's rows get a random salt 0-${salt - 1}, so they spread over ${formatCount(salt)} partitions.`);
  const partitions = config.shufflePartitions;
  const leftId = context.plan.close(left, leftWrite, partitions);
  const rightId = context.plan.close(right, rightWrite, partitions);
  const evenLeft = leftWrite.value / partitions;
  const evenRight = rightWrite.value / partitions;
  const hotLeft = hotShare !== null && hotShare * leftWrite.value > evenLeft ? hotShare * leftWrite.value : null;
  const total = leftWrite.value + rightWrite.value;
  const actions: Array<Omit<AqeAction, 'stageId'>> = [];
  const notes: string[] = [];
  let tasks: DerivedNumber = derived(partitions, `both sides hash-partitioned by the join keys into spark.sql.shuffle.partitions = ${formatCount(partitions)} partitions`);
  let largest = (hotLeft ?? evenLeft) + evenRight;
  let largestWhy =
    hotLeft !== null
      ? `hotKeyShare ${fraction(declaredHot ?? 0)}${salt > 1 ? ` / ${formatCount(salt)} saltBuckets` : ''} × ${bytes(leftWrite.value)} left = ${bytes(hotLeft)} + the matching right partition ${bytes(evenRight)} = ${bytes(largest)}`
      : `${bytes(evenLeft)} left + ${bytes(evenRight)} right per partition (partitions assumed even) = ${bytes(largest)}`;
  let buffersInput: string | null =
    choice.strategy === 'shuffle_hash'
      ? 'builds a hash table of its build-side partition (a shuffled hash join cannot spill it: a partition larger than memory fails the task)'
      : "sorts both sides' partitions for the merge";
  let switched = false;
  let skewSplitApplied = false;
  let hotAfter = hotLeft;

  // The side AQE would broadcast once the shuffle stages ran: a buildable side whose real size is under the threshold.
  const runtimeSide = config.adaptiveEnabled && choice.strategy === 'sort_merge' && (operation.hint ?? 'none') === 'none'
    ? broadcastCandidate(left.flow.bytes, right.flow.bytes, joinType, config.autoBroadcastJoinThresholdBytes)
    : null;
  if (runtimeSide !== null) {
    switched = true;
    fact.switchedByAqe = true;
    const side = runtimeSide === 'left' ? left : right;
    const bigMapTasks = runtimeSide === 'left' ? rightMapTasks : leftMapTasks;
    const bigWrite = runtimeSide === 'left' ? rightWrite.value : leftWrite.value;
    actions.push({
      kind: 'switch-to-broadcast',
      before: derived(side.flow.planBytes, `the planner's static estimate of the ${runtimeSide} side: ${side.flow.planWhy} = ${bytes(side.flow.planBytes)}, over the threshold`),
      after: derived(
        side.flow.bytes,
        `the ${runtimeSide} side's shuffle wrote about ${bytes(side.flow.bytes)} (this playground's estimate of its real size) ≤ autoBroadcastJoinThreshold ${bytes(config.autoBroadcastJoinThresholdBytes)}`,
      ),
      reason:
        `Once the ${runtimeSide} side's shuffle stage has run, AQE sees its real size under the threshold and re-plans the sort-merge join as a broadcast hash join: ` +
        'the other side skips the sort and reads its shuffle output locally. Both shuffles were still written. An estimate, not a promise.',
    });
    tasks = localShuffleReadTasks(bigWrite, bigMapTasks, context);
    largest = bigWrite / Math.max(1, tasks.value);
    largestWhy = `${bytes(bigWrite)} / ${formatCount(tasks.value)} local read tasks = ${bytes(largest)}`;
    buffersInput = null;
  } else {
    if (hotLeft !== null && config.adaptiveEnabled && config.skewJoinEnabled) {
      const median = partitions > 1 ? (leftWrite.value - hotLeft) / (partitions - 1) : hotLeft;
      const split = skewSplit(hotLeft, median, leftMapTasks, config);
      const leftSplittable = joinType === 'inner' || joinType === 'cross' || joinType === 'left' || joinType === 'left_semi' || joinType === 'left_anti';
      if (split !== null && leftSplittable) {
        skewSplitApplied = true;
        hotAfter = split.after.value;
        actions.push({ kind: 'skew-split', before: split.before, after: split.after, reason: split.reason });
      } else if (split !== null) {
        notes.push(`AQE cannot split the skewed left partition of a ${joinType} join (it must return the left side's unmatched rows from one task).`);
      }
    }
    const read = shuffleReadPartitions(context, total, tasks, (hotLeft ?? evenLeft) + evenRight, true);
    tasks = read.tasks;
    if (read.action) actions.push(read.action);
    if (skewSplitApplied && hotLeft !== null && hotAfter !== null) {
      const pieces = Math.round(hotLeft / hotAfter);
      tasks = derived(tasks.value + pieces - 1, `${tasks.derivation}; + ${formatCount(pieces - 1)} tasks from splitting the skewed partition into ${formatCount(pieces)}`);
      const nonSkewLargest = read.largest > (hotLeft + evenRight) * 0.9999 ? total / Math.max(1, read.tasks.value) : read.largest;
      const piece = hotAfter + evenRight;
      largest = Math.max(piece, Math.min(nonSkewLargest, hotLeft));
      largestWhy =
        largest > piece
          ? `after the skew split each hot piece holds ${bytes(hotAfter)} of the hot key + ${bytes(evenRight)} of the right side = ${bytes(piece)}; the largest coalesced ordinary partition, ${bytes(largest)}, is larger`
          : `after the skew split: ${bytes(hotAfter)} of the hot key + ${bytes(evenRight)} of the right side = ${bytes(piece)}`;
    } else if (read.largest > largest) {
      largest = read.largest;
      largestWhy = `${bytes(total)} / ${formatCount(tasks.value)} tasks after AQE = ${bytes(largest)}`;
    }
  }
  const strategyText = choice.strategy === 'shuffle_hash' ? 'shuffled hash join' : 'sort-merge join';
  // ShuffledHashJoinExec builds a hash table of its build side only and streams the other side past it.
  let heldInput: { bytes: number; why: string } | undefined;
  if (choice.strategy === 'shuffle_hash' && !switched) {
    const buildRight = canBuildRight(joinType);
    const perTask = (buildRight ? rightWrite.value : leftWrite.value) / Math.max(1, tasks.value);
    const held = buildRight ? perTask : Math.max(perTask, hotAfter ?? 0);
    heldInput = {
      bytes: held,
      why: `its ${buildRight ? 'right' : 'left'} (build) side's partition, about ${bytes(held)} (the other side streams past the hash table)`,
    };
  }
  context.joins.push({
    shape: left.shape,
    operationIndex: index,
    strategy: choice.strategy,
    broadcastSide: null,
    shufflesLeft: true,
    shufflesRight: true,
    reason: switched ? `${choice.reason}; at runtime AQE would switch it to a broadcast hash join (see aqe)` : choice.reason,
  });
  return {
    shape: left.shape,
    boundary: {
      operationIndex: index,
      op: 'join',
      reason: `${strategyText} at ${label}: rows with equal keys must meet in one task, so both sides are shuffled by ${operation.keys?.length ? operation.keys.join(', ') : 'the join keys'}`,
    },
    operationIndexes: [index],
    parentStageIds: [leftId, rightId],
    tasks,
    inputBytes: derived(total, `reads the shuffles of stage ${leftId} (left, ${bytes(leftWrite.value)}) and stage ${rightId} (right, ${bytes(rightWrite.value)}) = ${bytes(total)}`),
    maxPartitionBytes: derived(largest, largestWhy),
    flow: output,
    maxShare: total > 0 ? largest / total : 1,
    notes,
    buffersInput,
    ...(heldInput !== undefined ? { heldInput } : {}),
    buffersOutput: null,
    aqe: actions,
    facts: {
      cause: 'join',
      readsSource: false,
      coalescedAt: null,
      hotKeyShare: hotLeft !== null && !skewSplitApplied && !switched ? hotShare : null,
      skewSplitByAqe: skewSplitApplied,
      medianPartitionBytes: partitions > 1 && hotLeft !== null ? (leftWrite.value - hotLeft) / (partitions - 1) + evenRight : total / Math.max(1, tasks.value),
      causeIndex: index,
      hashPartitionedBy: keys.length > 0 ? keys : null,
    },
  };
}

/**
 * A shuffled join where a side is already hash-partitioned by exactly the join keys, e.g. by an earlier
 * groupBy or repartition on them: EnsureRequirements sees that partitioning satisfy the join's clustered
 * distribution and shuffles only the other side, into the same number of partitions, so the join runs in the stage
 * that already reads that side.
 */
function applyCoPartitionedJoin(
  context: PlanContext,
  left: OpenStage,
  right: OpenStage,
  operation: ShapeOperation,
  index: number,
  choice: { strategy: JoinDecision['strategy']; reason: string },
  output: Flow,
  leftKept: boolean,
  rightKept: boolean,
): OpenStage {
  const label = opLabel(left.shape, index);
  const kept = leftKept ? left : right;
  const other = leftKept ? right : left;
  const keptName = leftKept ? 'left' : 'right';
  const otherName = leftKept ? 'right' : 'left';
  const tasks = kept.tasks.value;
  let otherWrite = 0;
  if (!(leftKept && rightKept)) {
    const write = derived(other.flow.bytes, `${other.flow.why}; the ${otherName} side crosses the shuffle into the ${keptName} side's ${formatCount(tasks)} partitions (${bytes(other.flow.bytes)})`);
    const otherId = context.plan.close(other, write, tasks);
    otherWrite = write.value;
    kept.parentStageIds.push(otherId);
  } else {
    kept.parentStageIds.push(...other.parentStageIds);
  }
  const reason =
    `${choice.reason}; the ${leftKept && rightKept ? 'both sides are' : `${keptName} side is`} already hash-partitioned by exactly the join keys [${(kept.facts.hashPartitionedBy ?? []).join(', ')}], ` +
    `so EnsureRequirements keeps that partitioning${leftKept && rightKept ? ' and shuffles neither side' : ` and shuffles only the ${otherName} side, into the same ${formatCount(tasks)} partitions`}`;
  context.joins.push({
    shape: left.shape,
    operationIndex: index,
    strategy: choice.strategy,
    broadcastSide: null,
    shufflesLeft: !leftKept,
    shufflesRight: !rightKept,
    reason,
  });
  const otherPerTask = otherWrite / Math.max(1, tasks);
  kept.maxPartitionBytes = derived(
    kept.maxPartitionBytes.value + otherPerTask,
    `${kept.maxPartitionBytes.derivation}; + the ${otherName} side's ${bytes(otherPerTask)} per partition = ${bytes(kept.maxPartitionBytes.value + otherPerTask)}`,
  );
  kept.inputBytes = derived(kept.inputBytes.value + otherWrite, `${kept.inputBytes.derivation}; + the ${otherName} side's ${bytes(otherWrite)} shuffle = ${bytes(kept.inputBytes.value + otherWrite)}`);
  if (kept === right) {
    kept.shape = left.shape;
    kept.operationIndexes = [];
  }
  kept.operationIndexes.push(index);
  kept.notes.push(`${choice.strategy === 'shuffle_hash' ? 'Shuffled hash' : 'Sort-merge'} join at ${label} without a new shuffle of the ${keptName} side: ${reason}.`);
  kept.buffersInput = choice.strategy === 'shuffle_hash' ? 'builds a hash table of its build-side partition' : "sorts both sides' partitions for the merge";
  kept.flow = output;
  kept.maxShare = output.bytes > 0 ? Math.min(1, kept.maxShare) : kept.maxShare;
  return kept;
}

/** union: the right side's partitions are appended to the open stage's; no shuffle. */
export function applyUnion(left: OpenStage, right: OpenStage, index: number): OpenStage {
  const leftTasks = left.tasks.value;
  const rightTasks = right.tasks.value;
  const largestOutput = Math.max(left.flow.bytes * left.maxShare, right.flow.bytes * right.maxShare);
  const totalOutput = left.flow.bytes + right.flow.bytes;
  left.tasks = derived(leftTasks + rightTasks, `union concatenates partitions without a shuffle: ${formatCount(leftTasks)} left + ${formatCount(rightTasks)} right = ${formatCount(leftTasks + rightTasks)} tasks`);
  left.inputBytes = derived(
    left.inputBytes.value + right.inputBytes.value,
    `${bytes(left.inputBytes.value)} read by the left side + ${bytes(right.inputBytes.value)} by the right side = ${bytes(left.inputBytes.value + right.inputBytes.value)}`,
  );
  if (right.maxPartitionBytes.value > left.maxPartitionBytes.value) left.maxPartitionBytes = right.maxPartitionBytes;
  left.flow = {
    bytes: totalOutput,
    rows: left.flow.rows + right.flow.rows,
    why: `${bytes(left.flow.bytes)} + ${bytes(right.flow.bytes)} from the right side of ${opLabel(left.shape, index)} = ${bytes(totalOutput)}`,
    planBytes: left.flow.planBytes + right.flow.planBytes,
    planWhy: `the planner adds the union's children: ${bytes(left.flow.planBytes)} + ${bytes(right.flow.planBytes)}`,
  };
  left.maxShare = totalOutput > 0 ? largestOutput / totalOutput : 1 / Math.max(1, leftTasks + rightTasks);
  left.parentStageIds.push(...right.parentStageIds);
  left.operationIndexes.push(index);
  left.notes.push(`union at ${opLabel(left.shape, index)}: the right side's ${formatCount(rightTasks)} tasks run in this stage too (its operations are pipelined here).`, ...right.notes);
  left.aqe.push(...right.aqe);
  left.buffersInput ??= right.buffersInput;
  left.facts.readsSource = left.facts.readsSource || right.facts.readsSource;
  // The right side's rows are not partitioned like the left's: a value may now sit in several tasks.
  left.facts.hashPartitionedBy = null;
  return left;
}
