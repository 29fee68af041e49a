/** A refusal by a rate limit: how long until the client may try again. */
export interface RateLimited {
  retryAfterSeconds: number;
}

/** Clients remembered at most; the least recently seen are forgotten first (their buckets were full anyway). */
const MAX_CLIENTS = 10_000;

/**
 * A token bucket per client: `perMinute` requests at once, refilled evenly over a minute. In memory, per
 * process: behind several replicas each counts its own share. `perMinute` 0 turns the limit off.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one request for `client`; null when allowed, else when to retry. */
  take(client: string): RateLimited | null {
    if (this.perMinute <= 0) return null;
    const now = this.now();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(client) ?? { tokens: this.perMinute, at: now };
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + (now - bucket.at) * ratePerMs);
    bucket.at = now;
    // Re-inserting keeps the map in least-recently-seen order for eviction.
    this.buckets.delete(client);
    this.buckets.set(client, bucket);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return null;
    }
    return { retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000)) };
  }
}
