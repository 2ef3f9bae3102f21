import { Logger } from '@nestjs/common';
import type { AppendItem, AppendOutcome, AppendStore } from './store/append.store.js';

interface Pending {
  item: AppendItem;
  resolve(outcome: AppendOutcome): void;
  reject(error: unknown): void;
}

/** SQLSTATEs after which the whole batch rolled back and may simply run again. */
const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 3;

/**
 * Group commit for appends: while one call of the append function is in flight, the next requests
 * gather and go together, in one transaction and one WAL flush. At low load a batch is one append
 * and adds no latency. Items are sorted by path (stably, so one stream's appends keep their arrival
 * order), so concurrent batches of several processes lock stream rows in the same order.
 */
export class AppendBatcher {
  private readonly logger = new Logger('DurableStreams');
  private queue: Pending[] = [];
  private running = false;

  constructor(
    private readonly store: AppendStore,
    private readonly batchSize: number,
  ) {}

  append(item: AppendItem): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.batchSize);
        batch.sort((a, b) => (a.item.path < b.item.path ? -1 : a.item.path > b.item.path ? 1 : 0));
        await this.write(batch);
      }
    } finally {
      this.running = false;
    }
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
