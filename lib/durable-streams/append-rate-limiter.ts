import { StreamRequestError } from './errors/stream-request.error.js';

/** Streams whose buckets are kept; past it the full (idle) ones are dropped, then all if need be. */
const MAX_BUCKETS = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * `maxAppendsPerSecond`: a token bucket per stream path, in this process (each process of an app
 * counts its own). A stream may take a burst of one second's worth, then the rate; past it a POST
 * is refused with 429 and `Retry-After` before its body is read.
 */
export class AppendRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perSecond: number) {}

  take(path: string, now = Date.now()): void {
    let bucket = this.buckets.get(path);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.prune(now);
      bucket = { tokens: this.perSecond, at: now };
      this.buckets.set(path, bucket);
    } else {
      bucket.tokens = this.refilled(bucket, now);
      bucket.at = now;
    }
    if (bucket.tokens < 1) {
      const seconds = Math.max(1, Math.ceil((1 - bucket.tokens) / this.perSecond));
      throw new StreamRequestError(429, `More than ${this.perSecond} appends a second to this stream: retry later`, {
        'retry-after': String(seconds),
      });
    }
    bucket.tokens -= 1;
  }

  private refilled(bucket: Bucket, now: number): number {
    return Math.min(this.perSecond, bucket.tokens + (Math.max(0, now - bucket.at) * this.perSecond) / 1000);
  }

  private prune(now: number): void {
    for (const [path, bucket] of this.buckets) if (this.refilled(bucket, now) >= this.perSecond) this.buckets.delete(path);
    // Every stream busy within the last second: forgetting them only grants each a fresh burst.
    if (this.buckets.size >= MAX_BUCKETS) this.buckets.clear();
  }
}
