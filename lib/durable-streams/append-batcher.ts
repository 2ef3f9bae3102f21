import { Logger } from '@nestjs/common';
import type { AppendItem, AppendOutcome, AppendStore } from './store/append.store.js';

interface Pending {
  item: AppendItem;
  bytes: number;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

/** SQLSTATEs after which the whole batch rolled back and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/**
 * One queue of appends written a batch at a time: while one batch is in flight the next requests
 * gather; a batch takes at most `maxItems` appends and stops growing at `maxBytes` (its first
 * append is taken whatever its size). Counts the appends it holds per stream path.
 */
class AppendLane {
  private queue: Pending[] = [];
  private running = false;
  private readonly held = new Map<string, number>();

  constructor(
    private readonly write: (batch: Pending[]) => Promise<void>,
    private readonly maxItems: number,
    private readonly maxBytes: number,
  ) {}

  holds(path: string): boolean {
    return this.held.has(path);
  }

  push(pending: Pending): void {
    this.queue.push(pending);
    this.held.set(pending.item.path, (this.held.get(pending.item.path) ?? 0) + 1);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        let count = 0;
        let bytes = 0;
        while (count < this.queue.length && count < this.maxItems && (count === 0 || bytes + this.queue[count].bytes <= this.maxBytes)) {
          bytes += this.queue[count].bytes;
          count++;
        }
        const batch = this.queue.splice(0, count);
        batch.sort((a, b) => (a.item.path < b.item.path ? -1 : a.item.path > b.item.path ? 1 : 0));
        await this.write(batch);
        for (const { item } of batch) {
          const left = this.held.get(item.path)! - 1;
          if (left === 0) this.held.delete(item.path);
          else this.held.set(item.path, left);
        }
      }
    } finally {
      this.running = false;
    }
  }
}

/**
 * Group commit for appends: while one call of the append function is in flight, the next requests
 * gather and go together, in one transaction and one WAL flush. At low load a batch is one append
 * and adds no latency. Items are sorted by path (stably, so one stream's appends keep their arrival
 * order), so concurrent batches of several processes lock stream rows in the same order.
 *
 * A batch is bounded in bytes as well as in count: PostgreSQL receives `bytea[]` as hex text, and
 * two dozen 16 MiB appends in one batch made a string past V8's limit, failing every append with
 * them. Appends of `maxBatchBytes` or more take a lane of their own, written one by one beside the
 * batches of small ones, so large appends neither fail nor hold up small ones. A stream's appends
 * stay in one lane while it holds any of them, so their order is kept.
 */
export class AppendBatcher {
  private readonly logger = new Logger('DurableStreams');
  private readonly small: AppendLane;
  private readonly large: AppendLane;

  constructor(
    private readonly store: AppendStore,
    batchSize: number,
    private readonly maxBatchBytes: number,
  ) {
    const write = (batch: Pending[]) => this.write(batch);
    this.small = new AppendLane(write, batchSize, maxBatchBytes);
    this.large = new AppendLane(write, batchSize, maxBatchBytes);
  }

  append(item: AppendItem): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      const bytes = item.data?.length ?? 0;
      const lane = this.large.holds(item.path)
        ? this.large
        : this.small.holds(item.path) || bytes < this.maxBatchBytes
          ? this.small
          : this.large;
      lane.push({ item, bytes, resolve, reject });
    });
  }

  private async write(batch: Pending[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const outcomes = await this.store.append(batch.map((p) => p.item));
        for (let i = 0; i < batch.length; i++) batch[i].resolve(outcomes[i]);
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < MAX_ATTEMPTS) {
          this.logger.warn(`Append batch of ${batch.length} rolled back (${code}); retrying`);
          continue;
        }
        for (const pending of batch) pending.reject(error);
        return;
      }
    }
  }
}
