import { parseByteSize } from '../analysis/properties.js';
import type { ResourceFactsRecord } from '../store/cost-store.js';
import { MiB, GiB } from '../model/units.js';

const HOUR_MS = 3_600_000;
/** Spark's minimum memory overhead of a container (MEMORY_OVERHEAD_MIN_MIB). */
const MIN_OVERHEAD = 384 * MiB;

/**
 * The highest price a core-hour or GiB-hour may be given: beyond any cloud's by far, and low enough that a fleet's
 * cost stays a number GraphQL and JSON can carry (1e308 a core-hour made every cost Infinity).
 */
export const MAX_PRICE = 1_000_000;

/** Prices that turn resources into money, and where they came from. */
export interface Prices {
  perCoreHour: number | null;
  perGbHour: number | null;
  /** Which setting gave them, e.g. "COST_PER_CORE_HOUR=0.05, COST_PER_GB_HOUR=0.005 (environment)". */
  source: string;
}

/** What one application held, used and lost, and what that cost at `prices`. */
export interface ApplicationCost {
  appKey: string;
  durationMs: number;
  /** Executors (and the driver) held: lifetime × cores, in core-hours. */
  allocatedCoreHours: number;
  executorCoreHours: number;
  driverCoreHours: number;
  /** Memory held: lifetime × container memory (heap + overhead + off-heap + PySpark), GiB-hours. */
  memoryGbHours: number;
  /** Task time × spark.task.cpus, core-hours (failed and killed attempts included: the cores were busy). */
  usedCoreHours: number;
  /** Executor capacity that ran no task: 1 − used ÷ executor core-hours (local mode: the driver's cores), 0-1. */
  idleShare: number;
  /** Task time of failed and killed attempts, core-hours. */
  failedCoreHours: number;
  /** Share of the used core-hours spent on attempts that failed or were killed, 0-1. */
  failedShare: number;
  /** Idle executor capacity plus failed work, core-hours (never more than the executor capacity). */
  wastedCoreHours: number;
  /** wasted ÷ executor core-hours, 0-1. */
  wasteShare: number;
  /** Money for the cores and memory held (null without prices). */
  cost: number | null;
  /** The share of the executors' cost that paid for idle or failed capacity (null without prices). */
  wastedCost: number | null;
  executors: number;
  executorMemoryBytes: number;
  localMode: boolean;
}

/**
 * A JVM memory setting as Spark reads it: a bare number means MiB for spark.*.memory and memoryOverhead
 * (Utils.memoryStringToMb), a unit suffix as written; null when it does not parse.
 */
export function parseMemoryMiBDefault(text: string | undefined): number | null {
  if (text === undefined) return null;
  const bytes = parseByteSize(/^\s*\d+(?:\.\d+)?\s*$/.test(text) ? `${text.trim()}m` : text);
  return bytes !== null && bytes >= 0 ? bytes : null;
}

/** A byte-size setting (spark.memory.offHeap.size): a bare number means bytes; 0 when unset or unreadable. */
function parseBytes(text: string | undefined): number {
  return text === undefined ? 0 : Math.max(0, parseByteSize(text) ?? 0);
}

/** The memory a container of `role` asks its cluster manager for, as Spark sizes it (heap + overhead + extras). */
function containerMemory(properties: Record<string, string>, role: 'executor' | 'driver'): number {
  const heap = parseMemoryMiBDefault(properties[`spark.${role}.memory`]) ?? GiB;
  const factor = Number(properties[`spark.${role}.memoryOverheadFactor`] ?? '0.1');
  const overhead = parseMemoryMiBDefault(properties[`spark.${role}.memoryOverhead`]) ??
    Math.max(MIN_OVERHEAD, Math.round((Number.isFinite(factor) ? factor : 0.1) * heap));
  if (role === 'driver') return heap + overhead;
  const offHeap = properties['spark.memory.offHeap.enabled'] === 'true' ? parseBytes(properties['spark.memory.offHeap.size']) : 0;
  const pyspark = parseMemoryMiBDefault(properties['spark.executor.pyspark.memory']) ?? 0;
  return heap + overhead + offHeap + pyspark;
}

const clampShare = (value: number): number => (Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
const hours = (ms: number): number => ms / HOUR_MS;
const round = (value: number, digits = 4): number => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Cost and waste of one application. In local mode (no executor but the driver) the driver's cores ran the
 * tasks and are the capacity; otherwise the capacity is the executors', and the driver adds spark.driver.cores
 * (default 1) and its container memory for the whole run.
 */
export function costOf(facts: ResourceFactsRecord, prices: Prices): ApplicationCost {
  const localMode = facts.executors === 0;
  const taskCpus = Math.max(1, Number.parseInt(facts.properties['spark.task.cpus'] ?? '1', 10) || 1);
  const driverCores = localMode
    ? Math.max(1, facts.driverExecutorCores ?? 1)
    : Math.max(1, Number.parseInt(facts.properties['spark.driver.cores'] ?? '1', 10) || 1);
  const driverMemory = localMode ? (parseMemoryMiBDefault(facts.properties['spark.driver.memory']) ?? GiB) : containerMemory(facts.properties, 'driver');
  const executorMemory = localMode ? 0 : containerMemory(facts.properties, 'executor');

  const executorCoreHours = hours(facts.executorCoreMs);
  const driverCoreHours = hours(facts.durationMs) * driverCores;
  const capacityCoreHours = localMode ? driverCoreHours : executorCoreHours;
  const usedCoreHours = hours(facts.taskMs) * taskCpus;
  const failedCoreHours = hours(facts.failedTaskMs) * taskCpus;
  const idleShare = capacityCoreHours > 0 ? clampShare(1 - usedCoreHours / capacityCoreHours) : 0;
  const idleCoreHours = capacityCoreHours * idleShare;
  const wastedCoreHours = Math.min(capacityCoreHours, idleCoreHours + failedCoreHours);
  const wasteShare = capacityCoreHours > 0 ? clampShare(wastedCoreHours / capacityCoreHours) : 0;
  const executorGbHours = (hours(facts.executorMs) * executorMemory) / GiB;
  const driverGbHours = (hours(facts.durationMs) * driverMemory) / GiB;
  const memoryGbHours = executorGbHours + driverGbHours;
  const allocatedCoreHours = localMode ? driverCoreHours : executorCoreHours + driverCoreHours;

  const priced = prices.perCoreHour !== null || prices.perGbHour !== null;
  const money = (coreHours: number, gbHours: number): number =>
    coreHours * (prices.perCoreHour ?? 0) + gbHours * (prices.perGbHour ?? 0);
  const capacityCost = localMode ? money(driverCoreHours, driverGbHours) : money(executorCoreHours, executorGbHours);
  return {
    appKey: facts.appKey,
    durationMs: facts.durationMs,
    allocatedCoreHours: round(allocatedCoreHours),
    executorCoreHours: round(localMode ? 0 : executorCoreHours),
    driverCoreHours: round(driverCoreHours),
    memoryGbHours: round(memoryGbHours),
    usedCoreHours: round(usedCoreHours),
    idleShare: round(idleShare),
    failedCoreHours: round(failedCoreHours),
    failedShare: usedCoreHours > 0 ? round(clampShare(failedCoreHours / usedCoreHours)) : 0,
    wastedCoreHours: round(wastedCoreHours),
    wasteShare: round(wasteShare),
    cost: priced ? round(money(allocatedCoreHours, memoryGbHours), 4) : null,
    wastedCost: priced ? round(capacityCost * wasteShare, 4) : null,
    executors: facts.executors,
    executorMemoryBytes: localMode ? driverMemory : executorMemory,
    localMode,
  };
}

/** The prices configured (COST_PER_CORE_HOUR, COST_PER_GB_HOUR), overridden by those a request gives. */
export function resolvePrices(
  configured: { COST_PER_CORE_HOUR?: number; COST_PER_GB_HOUR?: number },
  given: { perCoreHour?: number | null; perGbHour?: number | null } = {},
): Prices {
  const parts: string[] = [];
  const pick = (value: number | null | undefined, fallback: number | undefined, variable: string, argument: string): number | null => {
    if (value !== undefined && value !== null) {
      parts.push(`${argument}=${value} (request)`);
      return value;
    }
    if (fallback !== undefined) {
      parts.push(`${variable}=${fallback} (server configuration)`);
      return fallback;
    }
    return null;
  };
  const perCoreHour = pick(given.perCoreHour, configured.COST_PER_CORE_HOUR, 'COST_PER_CORE_HOUR', 'pricePerCoreHour');
  const perGbHour = pick(given.perGbHour, configured.COST_PER_GB_HOUR, 'COST_PER_GB_HOUR', 'pricePerGbHour');
  return { perCoreHour, perGbHour, source: parts.length > 0 ? parts.join(', ') : 'no price set: resources only (set COST_PER_CORE_HOUR and COST_PER_GB_HOUR)' };
}
