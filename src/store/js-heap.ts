import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Growth of V8's heap since the last full collection run here past which {@link collectGarbageOnceGrown} runs another.
 * A collection takes 10-20 ms; run at every release of the C heap instead, the event-heavy bench log's 75 of them cost
 * 1.0-1.1 s.
 */
const COLLECT_AFTER_HEAP_GROWTH_BYTES = 16 * 1024 * 1024;

let heapAfterLastCollection = 0;
let fullCollection: (() => void) | null | undefined;

/**
 * V8's full collection, callable without starting Node with --expose-gc: the flag is set now and `gc` taken from a new
 * context, which gets it (as Jest's leak detection does). Null where V8 refuses.
 */
function collector(): (() => void) | null {
  if (fullCollection === undefined) {
    try {
      if (typeof globalThis.gc === 'function') fullCollection = globalThis.gc;
      else {
        setFlagsFromString('--expose-gc');
        fullCollection = runInNewContext('gc') as () => void;
      }
    } catch {
      fullCollection = null;
    }
  }
  return fullCollection;
}

/**
 * Runs a full collection of V8's heap once the heap has grown by {@link COLLECT_AFTER_HEAP_GROWTH_BYTES} since the last
 * one run here. What the detectors read and parse (plans, rows) outlives a scavenge and waits for a
 * full collection that V8 schedules only once its heap has grown by a share of what is live: on an application of
 * thousands of queries the garbage of their plans was ~20 MB of the ingest's peak.
 */
export function collectGarbageOnceGrown(): void {
  const heap = process.memoryUsage().heapTotal;
  // Growth counts from the lowest point since the last collection (V8's own collections shrink the heap too).
  heapAfterLastCollection = Math.min(heapAfterLastCollection, heap);
  if (heap < heapAfterLastCollection + COLLECT_AFTER_HEAP_GROWTH_BYTES) return;
  const collect = collector();
  if (collect === null) return;
  collect();
  heapAfterLastCollection = process.memoryUsage().heapTotal;
}
