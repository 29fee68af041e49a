/**
 * How a failure's text tells that memory ran out, and which memory. The store classifies each exception once, as its
 * task is written, and the failure detectors read that answer; free texts (a job's or stage's failure reason) are
 * classified the same way in JavaScript.
 */

/** Which memory a failure ran out of. */
export type MemoryCause = 'gpu-oom' | 'container-memory' | 'oom';

/**
 * GPU out-of-memory as the RAPIDS Accelerator reports it (its retry framework's OOM classes, RMM and CUDA
 * allocation failures). Checked before the JVM pattern: the advice differs.
 */
const GPU_OOM_PATTERN =
  '(?i)(GpuSplitAndRetryOOM|GpuRetryOOM|GpuOOM|GPU ?OutOfMemory|RapidsOOM|CudfException.*(out of memory|OOM)|' +
  'cudaErrorMemoryAllocation|RMM failure.*(out of memory|allocat)|rmm::out_of_memory|ai\\.rapids\\.cudf.*OutOfMemory)';

/** A container killed by its cluster manager for its memory limit (YARN, Kubernetes, exit code 137 = SIGKILL). */
const CONTAINER_MEMORY_PATTERN =
  '(?i)(exceed(ed|ing) (physical |virtual )?memory limits?|OOMKilled|exit (code|status):? ?137\\b|Killed by external signal)';

/** Out-of-memory inside the JVM or a Python worker, or Spark's memory manager refusing. */
const JVM_OOM_PATTERN =
  '(?i)(OutOfMemoryError|Java heap space|GC overhead limit exceeded|Unable to acquire [0-9]+ bytes of memory|' +
  'Direct buffer memory|\\bMemoryError\\b)';

/** The patterns in the order they are tried: the first that matches names the cause. */
const PATTERNS: ReadonlyArray<readonly [MemoryCause, string]> = [
  ['gpu-oom', GPU_OOM_PATTERN],
  ['container-memory', CONTAINER_MEMORY_PATTERN],
  ['oom', JVM_OOM_PATTERN],
];

/** Any of the patterns: most failures name no memory, and their traces (often tens of KB) are then read once, not thrice. */
const ANY_PATTERN = `(?i)(?:${PATTERNS.map(([, pattern]) => pattern.replace('(?i)', '')).join('|')})`;

/** SQL giving the {@link MemoryCause} the text expression `text` names, or NULL when it names none. */
export function memoryCauseSql(text: string): string {
  const sqlPattern = (pattern: string): string => `'${pattern.replaceAll("'", "''")}'`;
  const whens = PATTERNS.map(([cause, pattern]) => `WHEN regexp_matches(${text}, ${sqlPattern(pattern)}) THEN '${cause}'`);
  return `CASE WHEN regexp_matches(${text}, ${sqlPattern(ANY_PATTERN)}) THEN CASE ${whens.join(' ')} END END`;
}

/** The {@link MemoryCause} a free text names, or null. */
export function memoryCauseOf(text: string): MemoryCause | null {
  for (const [cause, pattern] of PATTERNS) {
    if (new RegExp(pattern.replace('(?i)', ''), 'i').test(text)) return cause;
  }
  return null;
}
