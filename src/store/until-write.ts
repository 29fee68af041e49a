import type { AnalysisDatabase } from './database.js';

/** Answers remembered per database at most (past it the memory starts over), and the longest key remembered. */
const MAX_ENTRIES = 10_000;
const MAX_KEY_LENGTH = 256;

interface Generation<T> {
  writeCount: number;
  answers: Map<string, T>;
  reading: Map<string, Promise<T>>;
}

/**
 * Answers to a small read (which stored version an id names, the attempts of an app id) kept in memory until
 * the database is next written (AnalysisDatabase.writeCount): the process holds the database file, so
 * nothing else can change them meanwhile. Concurrent requests for an answer not kept wait for one read; an
 * answer read while a write went on is used by its readers but not kept.
 */
export class UntilWrite<T> {
  private readonly generations = new WeakMap<AnalysisDatabase, Generation<T>>();

  /** The answer for `key`: kept, being read (waited for), or read now with `load`. */
  async get(db: AnalysisDatabase, key: string, load: () => Promise<T>): Promise<T> {
    const writeCount = db.writeCount;
    let generation = this.generations.get(db.base);
    if (generation?.writeCount !== writeCount || generation.answers.size >= MAX_ENTRIES) {
      generation = { writeCount, answers: new Map(), reading: new Map() };
      this.generations.set(db.base, generation);
    }
    if (generation.answers.has(key)) return generation.answers.get(key)!;
    let reading = generation.reading.get(key);
    if (!reading) {
      const current = generation;
      reading = load().then((answer) => {
        // Kept only when nothing was written while it was read: otherwise it may already be stale.
        if (db.writeCount === writeCount && key.length <= MAX_KEY_LENGTH) current.answers.set(key, answer);
        return answer;
      });
      current.reading.set(key, reading);
      const forget = (): void => void current.reading.delete(key);
      reading.then(forget, forget);
    }
    return reading;
  }
}
