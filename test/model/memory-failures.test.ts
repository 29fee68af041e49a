import { describe, expect, it } from 'vitest';
import { memoryCauseOf, memoryCauseSql } from '../../src/model/memory-failures.js';
import { useInMemoryConnection } from '../helpers/database.js';

/** Failure texts with the cause each names, as the patterns are tried in order. */
const TEXTS: ReadonlyArray<readonly [string, string | null]> = [
  ['java.lang.OutOfMemoryError: Java heap space', 'oom'],
  ['org.apache.spark.memory.SparkOutOfMemoryError: Unable to acquire 65536 bytes of memory, got 0', 'oom'],
  ['Container killed by YARN for exceeding physical memory limits. 9.1 GB of 9 GB physical memory used', 'container-memory'],
  ['ExecutorLostFailure: Container from a bad node: exit code 137', 'container-memory'],
  // A GPU failure wrapped in a JVM one names the GPU: its advice differs.
  ['com.nvidia.spark.rapids.jni.GpuRetryOOM: GPU OutOfMemory, caused by java.lang.OutOfMemoryError', 'gpu-oom'],
  ['GPU outofmemory in cudf', 'gpu-oom'],
  // Before the JVM's words, the container's: a killed container's log often quotes both.
  ['exceeding memory limits; earlier java.lang.OutOfMemoryError', 'container-memory'],
  ['java.io.IOException: Failed to read part-10.parquet', null],
  [`${'at org.apache.spark.scheduler.Task.run(Task.scala:141)\n'.repeat(200)}MemoryError`, 'oom'],
  ['MemoryErrors were not logged', null],
];

describe('the memory a failure ran out of, told in SQL as in JavaScript', () => {
  const connectionOf = useInMemoryConnection();

  it.each(TEXTS.map(([text, cause]) => [text.slice(-60), cause, text] as const))('…%j names %s', async (_end, cause, text) => {
    expect(memoryCauseOf(text)).toBe(cause);
    const reader = await connectionOf().runAndReadAll(`SELECT ${memoryCauseSql('$text')} AS cause`, { text });
    expect(reader.getRowObjectsJS()[0]!.cause).toBe(cause);
  });
});
